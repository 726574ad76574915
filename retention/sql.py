"""The purge path of the audit trail: the only way audit-trail rows are deleted.

The append-only trigger (``audits/sql.py``) lets a DELETE through only when
``flockgov.purge`` is on in the transaction, and the application role has no
DELETE privilege on audit tables at all. These SECURITY DEFINER functions, owned
by the schema owner, are the one place that switch is turned on, and each checks
for itself that what it removes is expired:

* ``flockgov_purge_audit_batch`` removes the oldest audit events, a contiguous run
  of the chain ending at ``through_seq``, refusing if any record in that run is
  younger than the cutoff or if the cutoff is less than two years ago by the
  database's own clock (a guard against a wrong application clock, not the rule);
  it returns the last destroyed record's seq and hash: the caller writes the chain
  tombstone with them in the same transaction.
* ``flockgov_purge_audit_side_tables`` removes expired searches and
  django-auditlog entries (audit-trail data without a chain).
* ``flockgov_purge_held_audit`` removes vault copies whose hold was released and
  which are past two years.

Held audit records are safe because a hold copies them into the vault
(``retention_heldauditrecord``) when it takes them; the functions never need to
ask whether a live row is held.
"""

from audits.sql import APP_ROLE

GUARD = """
    IF cutoff > now() - interval '2 years' THEN
        RAISE EXCEPTION 'audit purge refused: cutoff % is less than two years ago',
            cutoff USING ERRCODE = 'insufficient_privilege';
    END IF;
"""

CREATE_PURGE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION flockgov_purge_audit_batch(
    cutoff timestamptz, through_seq bigint, batch integer
) RETURNS TABLE (deleted bigint, last_seq bigint, last_hash varchar)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    {GUARD}
    IF EXISTS (
        SELECT 1 FROM audits_auditevent
        WHERE seq <= through_seq AND occurred_at > cutoff
    ) THEN
        RAISE EXCEPTION 'audit purge refused: records up to seq % are not all expired',
            through_seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('flockgov.purge', 'on', true);
    RETURN QUERY
    WITH doomed AS (
        SELECT e.id, e.occurred_at FROM audits_auditevent e
        WHERE e.seq <= through_seq AND e.occurred_at <= cutoff
        ORDER BY e.seq LIMIT batch
    ), gone AS (
        DELETE FROM audits_auditevent a USING doomed d
        WHERE a.id = d.id AND a.occurred_at = d.occurred_at
        RETURNING a.seq, a.hash
    )
    SELECT count(*)::bigint, max(gone.seq),
           (SELECT g.hash FROM gone g ORDER BY g.seq DESC LIMIT 1)
    FROM gone;
    PERFORM set_config('flockgov.purge', 'off', true);
END
$$;

CREATE OR REPLACE FUNCTION flockgov_purge_audit_side_tables(
    cutoff timestamptz, batch integer
) RETURNS TABLE (searches bigint, log_entries bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n_searches bigint;
    n_entries bigint;
BEGIN
    {GUARD}
    PERFORM set_config('flockgov.purge', 'on', true);
    DELETE FROM queries_search WHERE id IN (
        SELECT id FROM queries_search WHERE created_at <= cutoff LIMIT batch
    );
    GET DIAGNOSTICS n_searches = ROW_COUNT;
    DELETE FROM auditlog_logentry WHERE id IN (
        SELECT id FROM auditlog_logentry WHERE timestamp <= cutoff LIMIT batch
    );
    GET DIAGNOSTICS n_entries = ROW_COUNT;
    PERFORM set_config('flockgov.purge', 'off', true);
    RETURN QUERY SELECT n_searches, n_entries;
END
$$;

CREATE OR REPLACE FUNCTION flockgov_purge_held_audit(cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    {GUARD}
    PERFORM set_config('flockgov.purge', 'on', true);
    DELETE FROM retention_heldauditrecord r
    USING retention_legalhold h
    WHERE r.hold_id = h.id AND h.released_at IS NOT NULL
      AND r.recorded_at <= cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('flockgov.purge', 'off', true);
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION flockgov_purge_audit_batch(timestamptz, bigint, integer)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION flockgov_purge_audit_side_tables(timestamptz, integer)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION flockgov_purge_held_audit(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flockgov_purge_audit_batch(timestamptz, bigint, integer)
    TO {APP_ROLE};
GRANT EXECUTE ON FUNCTION flockgov_purge_audit_side_tables(timestamptz, integer)
    TO {APP_ROLE};
GRANT EXECUTE ON FUNCTION flockgov_purge_held_audit(timestamptz) TO {APP_ROLE};
"""

DROP_PURGE_FUNCTIONS = """
DROP FUNCTION IF EXISTS flockgov_purge_audit_batch(timestamptz, bigint, integer);
DROP FUNCTION IF EXISTS flockgov_purge_audit_side_tables(timestamptz, integer);
DROP FUNCTION IF EXISTS flockgov_purge_held_audit(timestamptz);
"""

# Audit-trail data kept by other apps (append-only tables of their own, see
# ``audits.sql.protect_table``), destroyed two years after it was captured. Each
# statement is (table, SQL deleting at most ``batch`` expired rows); the order
# deletes children before their parents (the foreign keys are checked at commit).
# What a row is "captured at":
# * alerts: when raised; their disposition and stop go with them (one record of
#   one event), so an alert is never left half-destroyed;
# * hot-list entries: when they stopped alerting (removed or expired), once no
#   surviving alert points at them; an entry that still alerts is live data;
# * sharing requests, disseminations, acknowledgments: the request's record goes
#   when it is two years old and nothing younger still points at it;
# * sharing settings snapshots: all but the newest of each kind (the one in force
#   is configuration, not history);
# * vendor searches: when the search was made (``searched_at``).
# Kept on purpose: audit periods and findings (the Captain's signed monthly
# audit, statistics-like and without read data; see docs/operations.md).
TRAIL_DELETES = (
    (
        "hotlists_stop",
        """DELETE FROM hotlists_stop WHERE id IN (
            SELECT s.id FROM hotlists_stop s JOIN hotlists_alert a
              ON a.id = s.alert_id WHERE a.created_at <= cutoff LIMIT batch)""",
    ),
    (
        "hotlists_disposition",
        """DELETE FROM hotlists_disposition WHERE id IN (
            SELECT d.id FROM hotlists_disposition d JOIN hotlists_alert a
              ON a.id = d.alert_id WHERE a.created_at <= cutoff LIMIT batch)""",
    ),
    (
        "hotlists_alert",
        """DELETE FROM hotlists_alert WHERE id IN (
            SELECT a.id FROM hotlists_alert a WHERE a.created_at <= cutoff
              AND NOT EXISTS (SELECT 1 FROM hotlists_disposition d
                              WHERE d.alert_id = a.id)
              AND NOT EXISTS (SELECT 1 FROM hotlists_stop s WHERE s.alert_id = a.id)
            LIMIT batch)""",
    ),
    (
        "hotlists_hotlistentry",
        """DELETE FROM hotlists_hotlistentry WHERE id IN (
            SELECT e.id FROM hotlists_hotlistentry e
            WHERE LEAST(e.removed_at, e.expires_at) <= cutoff
              AND NOT EXISTS (SELECT 1 FROM hotlists_alert a WHERE a.entry_id = e.id)
            LIMIT batch)""",
    ),
    (
        "sharing_dissemination",
        """DELETE FROM sharing_dissemination WHERE id IN (
            SELECT id FROM sharing_dissemination WHERE sent_at <= cutoff
            LIMIT batch)""",
    ),
    (
        "sharing_acknowledgment",
        """DELETE FROM sharing_acknowledgment WHERE id IN (
            SELECT id FROM sharing_acknowledgment WHERE recorded_at <= cutoff
            LIMIT batch)""",
    ),
    (
        "sharing_sharingrequest",
        """DELETE FROM sharing_sharingrequest WHERE id IN (
            SELECT r.id FROM sharing_sharingrequest r WHERE r.requested_at <= cutoff
              AND NOT EXISTS (SELECT 1 FROM sharing_dissemination d
                              WHERE d.request_id = r.id)
              AND NOT EXISTS (SELECT 1 FROM sharing_acknowledgment k
                              WHERE k.request_id = r.id)
            LIMIT batch)""",
    ),
    (
        "sharing_export",
        """DELETE FROM sharing_export WHERE id IN (
            SELECT id FROM sharing_export WHERE created_at <= cutoff LIMIT batch)""",
    ),
    (
        "sharing_foiarequest",
        """DELETE FROM sharing_foiarequest WHERE id IN (
            SELECT id FROM sharing_foiarequest WHERE recorded_at <= cutoff
            LIMIT batch)""",
    ),
    (
        "sharing_sharingsettings",
        """DELETE FROM sharing_sharingsettings WHERE id IN (
            SELECT s.id FROM sharing_sharingsettings s WHERE s.taken_at <= cutoff
              AND EXISTS (SELECT 1 FROM sharing_sharingsettings n
                          WHERE n.kind = s.kind AND n.taken_at > s.taken_at)
            LIMIT batch)""",
    ),
    (
        "audits_vendorsearch",
        """DELETE FROM audits_vendorsearch WHERE id IN (
            SELECT id FROM audits_vendorsearch WHERE searched_at <= cutoff
            LIMIT batch)""",
    ),
)

# What verify_retention counts as late in each of those tables (rows older than
# the limit that the purge would have removed).
TRAIL_LATE = (
    ("hotlists_alert", "created_at <= %s", "alerts"),
    (
        "hotlists_hotlistentry",
        "LEAST(removed_at, expires_at) <= %s AND NOT EXISTS ("
        "SELECT 1 FROM hotlists_alert a WHERE a.entry_id = hotlists_hotlistentry.id)",
        "ended hot-list entries",
    ),
    ("sharing_dissemination", "sent_at <= %s", "disseminations"),
    ("sharing_acknowledgment", "recorded_at <= %s", "acknowledgments"),
    (
        "sharing_sharingrequest",
        "requested_at <= %s AND NOT EXISTS (SELECT 1 FROM sharing_dissemination d "
        "WHERE d.request_id = sharing_sharingrequest.id) AND NOT EXISTS (SELECT 1 "
        "FROM sharing_acknowledgment k WHERE k.request_id = sharing_sharingrequest.id)",
        "sharing requests",
    ),
    ("sharing_export", "created_at <= %s", "exports"),
    ("sharing_foiarequest", "recorded_at <= %s", "FOIA answers"),
    (
        "sharing_sharingsettings",
        "taken_at <= %s AND EXISTS (SELECT 1 FROM sharing_sharingsettings n WHERE "
        "n.kind = sharing_sharingsettings.kind "
        "AND n.taken_at > sharing_sharingsettings.taken_at)",
        "superseded sharing settings snapshots",
    ),
    ("audits_vendorsearch", "searched_at <= %s", "imported vendor searches"),
)


def _trail_body() -> str:
    parts = []
    for table, statement in TRAIL_DELETES:
        parts.append(
            f"    {statement};\n"
            "    GET DIAGNOSTICS n = ROW_COUNT;\n"
            f"    tbl := '{table}'; deleted := n; RETURN NEXT;\n"
        )
    return "".join(parts)


# Searches still named by a surviving export or sharing request stay until those
# go (the foreign keys would refuse the commit otherwise).
CREATE_TRAIL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION flockgov_purge_trail_records(
    cutoff timestamptz, batch integer
) RETURNS TABLE (tbl text, deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    {GUARD}
    PERFORM set_config('flockgov.purge', 'on', true);
{_trail_body()}
    PERFORM set_config('flockgov.purge', 'off', true);
END
$$;

CREATE OR REPLACE FUNCTION flockgov_purge_audit_side_tables(
    cutoff timestamptz, batch integer
) RETURNS TABLE (searches bigint, log_entries bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n_searches bigint;
    n_entries bigint;
BEGIN
    {GUARD}
    PERFORM set_config('flockgov.purge', 'on', true);
    DELETE FROM queries_search WHERE id IN (
        SELECT s.id FROM queries_search s WHERE s.created_at <= cutoff
          AND NOT EXISTS (SELECT 1 FROM sharing_export x WHERE x.search_id = s.id)
          AND NOT EXISTS (SELECT 1 FROM sharing_sharingrequest r
                          WHERE r.search_id = s.id)
        LIMIT batch
    );
    GET DIAGNOSTICS n_searches = ROW_COUNT;
    DELETE FROM auditlog_logentry WHERE id IN (
        SELECT id FROM auditlog_logentry WHERE timestamp <= cutoff LIMIT batch
    );
    GET DIAGNOSTICS n_entries = ROW_COUNT;
    PERFORM set_config('flockgov.purge', 'off', true);
    RETURN QUERY SELECT n_searches, n_entries;
END
$$;

REVOKE ALL ON FUNCTION flockgov_purge_trail_records(timestamptz, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flockgov_purge_trail_records(timestamptz, integer)
    TO {APP_ROLE};
"""

# The reverse puts the side-tables function back as 0002 made it.
DROP_TRAIL_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS flockgov_purge_trail_records(timestamptz, integer);"
    + CREATE_PURGE_FUNCTIONS
)
