"""Set-based SQL of the NCIC list replacement (``services.replace_ncic_list``)."""

# What an NCIC record is: two entries with all of these equal are the same record,
# so an import keeps it (and its id, which alerts point at) rather than churning it.
NCIC_COLUMNS = (
    "plate",
    "lookalike_key",
    "state",
    "plate_type",
    "category",
    "ncic_number",
    "ori",
    "entered_on",
    "vehicle_year",
    "vehicle_make",
    "vehicle_model",
    "vehicle_style",
    "vehicle_color",
    "vehicle_description",
)
_NCIC_LIST = ", ".join(NCIC_COLUMNS)
_SAME_RECORD = " AND ".join(f"i.{c} = e.{c}" for c in NCIC_COLUMNS)
NCIC_DROP_STAGING = (
    "DROP TABLE IF EXISTS hotlists_incoming_entries, hotlists_gone_entries, "
    "hotlists_new_entries"
)
NCIC_STAGING = (
    "CREATE TEMPORARY TABLE hotlists_incoming_entries ON COMMIT DROP AS "
    f"SELECT {_NCIC_LIST} FROM hotlists_hotlistentry WITH NO DATA"
)
NCIC_COPY = f"COPY hotlists_incoming_entries ({_NCIC_LIST}) FROM STDIN"
# Live entries of the list that the new file no longer holds.
NCIC_GONE = (
    "CREATE TEMPORARY TABLE hotlists_gone_entries ON COMMIT DROP AS "
    "SELECT e.id FROM hotlists_hotlistentry e "
    "WHERE e.hotlist_id = %(list)s AND e.removed_at IS NULL AND NOT EXISTS ("
    f"SELECT 1 FROM hotlists_incoming_entries i WHERE {_SAME_RECORD})"
)
# Gone entries are retired, never deleted at once: a read batch matching at the
# same moment may be inserting an alert that points at one (its key-share lock
# does not conflict with this update, but it would with a delete).
NCIC_RETIRE = (
    "UPDATE hotlists_hotlistentry e SET removed_at = %(now)s "
    "FROM hotlists_gone_entries g WHERE e.id = g.id"
)
# Entries retired more than a day ago that no alert points at: no matching
# transaction can still see them as live, so they go.
NCIC_DELETE = (
    "DELETE FROM hotlists_hotlistentry e "
    "WHERE e.hotlist_id = %(list)s AND e.removed_at < %(long_ago)s AND NOT EXISTS "
    "(SELECT 1 FROM hotlists_alert a WHERE a.entry_id = e.id)"
)
# Staged first, then inserted: the anti-join must not read the table it inserts
# into (a nested loop over a growing table is quadratic).
NCIC_NEW = (
    "CREATE TEMPORARY TABLE hotlists_new_entries ON COMMIT DROP AS "
    f"SELECT DISTINCT {_NCIC_LIST} FROM hotlists_incoming_entries i "
    "WHERE NOT EXISTS (SELECT 1 FROM hotlists_hotlistentry e "
    f"WHERE e.hotlist_id = %(list)s AND e.removed_at IS NULL AND {_SAME_RECORD})"
)
NCIC_INSERT = (
    f"INSERT INTO hotlists_hotlistentry (hotlist_id, {_NCIC_LIST}, purpose, reason, "
    "case_number, entered_at) "
    f"SELECT %(list)s, {_NCIC_LIST}, '', '', '', %(now)s::timestamptz "
    "FROM hotlists_new_entries"
)
