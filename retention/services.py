"""Legal holds: the only write paths for ``LegalHold`` and the hold vault.

Opening, extending and releasing a hold are each one transaction with their
audit record; refusals are audited too. Extending a hold copies what it covers
into the vault in that same transaction, so the purge can never destroy
something a committed hold covers (see ``retention/purge.py``).
"""

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from audits.context import Actor
from audits.events import EventType
from audits.trail import record, record_refusal
from queries.criteria import clean_case_number
from queries.models import Search
from queries.plates import PlateError, parse_plate_query

from . import rules
from .models import HoldCoverage, LegalHold

logger = logging.getLogger(__name__)

MAX_REFERENCE_LENGTH = 200


class HoldError(Exception):
    """The request is wrong; ``errors`` maps field name to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class HoldNotPermitted(PermissionError):
    """Only the captain or the records unit opens, extends or releases holds."""


@dataclass(frozen=True)
class CoverageResult:
    coverage: HoldCoverage
    reads_taken: int
    reads_missing: int
    audit_records_taken: int


def _refuse(
    actor: Actor, action: str, errors: dict[str, list[str]], data: dict
) -> None:
    record_refusal(
        EventType.HOLD_REFUSED,
        actor=actor,
        object_type="retention.legalhold",
        object_id=str(data.get("hold_id") or ""),
        summary=f"{action} refused: "
        + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
        data={"action": action, "errors": errors, **data},
    )


def _require_role(actor: Actor, action: str, data: dict) -> None:
    if not rules.may_manage_holds(actor.officer):
        message = "Only the Captain of Police Services or the records unit may do this."
        _refuse(actor, action, {"__all__": [message]}, data)
        raise HoldNotPermitted(message)


def open_hold(
    *,
    actor: Actor,
    case_number: str,
    kind: str,
    reference: str,
    now: datetime | None = None,
) -> LegalHold:
    submitted = {"case_number": case_number, "kind": kind, "reference": reference}
    _require_role(actor, "open", submitted)
    errors: dict[str, list[str]] = {}
    case = ""
    if not (case_number or "").strip():
        errors["case_number"] = ["A legal hold needs the case number it serves."]
    else:
        try:
            case = clean_case_number(None, case_number)
        except ValueError as exc:
            errors["case_number"] = [str(exc)]
    if kind not in LegalHold.Kind.values:
        errors["kind"] = [
            "Choose what the hold serves: an ongoing investigation, a prosecution "
            "or a civil action."
        ]
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = [
            "Give the court docket, prosecutor's file or agency reference."
        ]
    elif len(reference) > MAX_REFERENCE_LENGTH:
        errors["reference"] = [
            f"A reference has at most {MAX_REFERENCE_LENGTH} characters."
        ]
    if case and LegalHold.objects.active().for_case(case).exists():
        errors["case_number"] = [
            f"Case {case} already has an open legal hold; add to that hold instead."
        ]
    if errors:
        _refuse(actor, "open", errors, submitted)
        raise HoldError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        hold = LegalHold.objects.create(
            case_number=case,
            kind=kind,
            reference=reference,
            opened_by=actor.officer,
            opened_at=now,
        )
        record(
            EventType.HOLD_OPENED,
            actor=actor,
            target=hold,
            summary=f"legal hold opened for case {case} ({hold.get_kind_display()})",
            data={"case_number": case, "kind": kind, "reference": reference},
        )
    return hold


# Reads a hold takes from the live table. The hold's own snapshot decides what
# exists: a read the purge removed before it is not there to take.
_COPY_READS = """
INSERT INTO retention_heldread (
    hold_id, read_id, captured_at, plate, plate_hashed, state, camera_id,
    latitude, longitude, make, color, confidence, image_ref, source, held_at
)
SELECT %s, r.id, r.captured_at, r.plate, r.plate_hashed, r.state, r.camera_id,
       r.latitude, r.longitude, r.make, r.color, r.confidence, r.image_ref,
       r.source, %s
FROM queries_plateread r
WHERE {where}
ON CONFLICT (hold_id, read_id) DO NOTHING
RETURNING read_id
"""

# The vault seen as reads: the same alias and column names as the live table,
# so one WHERE clause selects from either.
_VAULT_AS_READS = """(
    SELECT v.read_id AS id, v.captured_at, v.plate, v.plate_hashed, v.state,
           v.camera_id, v.latitude, v.longitude, v.make, v.color, v.confidence,
           v.image_ref, v.source, v.hold_id, v.held_at
    FROM retention_heldread v
) r"""

# A read past retention survives only as another hold's vault copy; a second hold
# over it takes its own copy from there (the newest one, if several holds have
# it), so it keeps the read when the first hold is released. Like the live
# table, the vault offers whatever still exists: a released hold's copies are
# there until the next purge, exactly as an expired read is.
_COPY_VAULT_READS = """
INSERT INTO retention_heldread (
    hold_id, read_id, captured_at, plate, plate_hashed, state, camera_id,
    latitude, longitude, make, color, confidence, image_ref, source, held_at
)
SELECT DISTINCT ON (r.id)
       %s, r.id, r.captured_at, r.plate, r.plate_hashed, r.state, r.camera_id,
       r.latitude, r.longitude, r.make, r.color, r.confidence, r.image_ref,
       r.source, %s
FROM {reads}
WHERE r.hold_id <> %s AND ({where})
ORDER BY r.id, r.held_at DESC
ON CONFLICT (hold_id, read_id) DO NOTHING
RETURNING read_id
"""

_COUNT_HELD_READS = """
SELECT count(*) FROM {reads} WHERE r.hold_id = %s AND ({where})
"""


@dataclass(frozen=True)
class _Source:
    """Audit-trail data a hold can take: how to read it from its own table and,
    under the same aliases, from a vault copy (``h.content``), so one WHERE
    clause selects from either."""

    name: str
    live: str
    record_id: str
    recorded_at: str
    content: str
    vault: str


_AUDIT_EVENTS = _Source(
    name="audits.auditevent",
    live="audits_auditevent e",
    record_id="e.id",
    recorded_at="e.occurred_at",
    content="to_jsonb(e)",
    vault="jsonb_populate_record(NULL::audits_auditevent, h.content) e",
)
_SEARCHES = _Source(
    name="queries.search",
    live="queries_search s",
    record_id="s.id",
    recorded_at="s.created_at",
    content="to_jsonb(s)",
    vault="jsonb_populate_record(NULL::queries_search, h.content) s",
)
# An alert is held with its disposition and stop (one record of one event).
_ALERTS = _Source(
    name="hotlists.alert",
    live="hotlists_alert a LEFT JOIN hotlists_hotlistentry en ON en.id = a.entry_id",
    record_id="a.id",
    recorded_at="a.created_at",
    content="""to_jsonb(a) || jsonb_build_object(
           'disposition', (SELECT to_jsonb(d) FROM hotlists_disposition d
                           WHERE d.alert_id = a.id),
           'stop', (SELECT to_jsonb(s) FROM hotlists_stop s WHERE s.alert_id = a.id)
       )""",
    # TODO: a vaulted alert whose hot-list entry was purged too no longer
    # matches a hold by case (the case number is the entry's); copying the
    # entry's case number into the held content would let it.
    vault=(
        "jsonb_populate_record(NULL::hotlists_alert, h.content) a "
        "LEFT JOIN hotlists_hotlistentry en ON en.id = a.entry_id"
    ),
)
# A dissemination is held with its request and the recipient's acknowledgment.
_DISSEMINATIONS = _Source(
    name="sharing.dissemination",
    live=(
        "sharing_dissemination d JOIN sharing_sharingrequest q ON q.id = d.request_id"
    ),
    record_id="d.id",
    recorded_at="d.sent_at",
    content="""to_jsonb(d) || jsonb_build_object(
           'request', to_jsonb(q),
           'acknowledgment', (SELECT to_jsonb(k) FROM sharing_acknowledgment k
                              WHERE k.request_id = q.id)
       )""",
    vault=(
        "jsonb_populate_record(NULL::sharing_dissemination, h.content) d "
        "CROSS JOIN LATERAL "
        "jsonb_populate_record(NULL::sharing_sharingrequest, h.content -> 'request') q"
    ),
)

# Names, aliases and clauses filled into these statements are this module's
# constants; values always go as parameters.
_COPY_LIVE_RECORDS = """
INSERT INTO retention_heldauditrecord (
    hold_id, source, record_id, recorded_at, content, held_at
)
SELECT %s, '{name}', {record_id}, {recorded_at}, {content}, %s
FROM {live}
WHERE {where}
ON CONFLICT (hold_id, source, record_id) DO NOTHING
"""

# As for reads: a record the purge removed may survive as another hold's copy.
_COPY_VAULT_RECORDS = """
INSERT INTO retention_heldauditrecord (
    hold_id, source, record_id, recorded_at, content, held_at
)
SELECT DISTINCT ON (h.record_id)
       %s, h.source, h.record_id, h.recorded_at, h.content, %s
FROM retention_heldauditrecord h CROSS JOIN LATERAL {vault}
WHERE h.source = '{name}' AND h.hold_id <> %s AND ({where})
ORDER BY h.record_id, h.held_at DESC
ON CONFLICT (hold_id, source, record_id) DO NOTHING
"""

_COUNT_HELD_RECORDS = """
SELECT count(*)
FROM retention_heldauditrecord h CROSS JOIN LATERAL {vault}
WHERE h.source = '{name}' AND h.hold_id = %s AND ({where})
"""


@dataclass(frozen=True)
class _Taken:
    """What one extension placed under a hold, and what the hold already had."""

    live: int = 0
    vault: int = 0
    already: int = 0

    @property
    def total(self) -> int:
        return self.live + self.vault

    def __add__(self, other: "_Taken") -> "_Taken":
        return _Taken(
            self.live + other.live,
            self.vault + other.vault,
            self.already + other.already,
        )


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rowcount(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _take_reads(hold: LegalHold, now: datetime, where: str, params: list) -> _Taken:
    parts = {"reads": _VAULT_AS_READS, "where": where}
    live = _rows(_COPY_READS.format(**parts), [hold.pk, now, *params])
    vault = _rows(_COPY_VAULT_READS.format(**parts), [hold.pk, now, hold.pk, *params])
    held = _rows(_COUNT_HELD_READS.format(**parts), [hold.pk, *params])[0][0]
    return _Taken(len(live), len(vault), held - len(live) - len(vault))


def _take_records(
    source: _Source, hold: LegalHold, now: datetime, where: str, params: list
) -> _Taken:
    parts = {**asdict(source), "where": where}
    live = _rowcount(_COPY_LIVE_RECORDS.format(**parts), [hold.pk, now, *params])
    vault = _rowcount(
        _COPY_VAULT_RECORDS.format(**parts), [hold.pk, now, hold.pk, *params]
    )
    held = _rows(_COUNT_HELD_RECORDS.format(**parts), [hold.pk, *params])[0][0]
    return _Taken(live, vault, held - live - vault)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def extend_hold(
    *,
    actor: Actor,
    hold: LegalHold,
    method: str,
    search: Search | None = None,
    plate: str = "",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    case_number: str = "",
    now: datetime | None = None,
) -> CoverageResult:
    """Places more data under ``hold``: the reads a search returned (and the
    search's audit records), a plate within a window, or everything recorded under
    a case number. What still exists is copied into the vault now."""
    submitted = {
        "hold_id": hold.pk,
        "method": method,
        "search_id": search.pk if search else None,
        "plate": plate,
        "window_start": window_start.isoformat() if window_start else None,
        "window_end": window_end.isoformat() if window_end else None,
        "case_number": case_number,
    }
    _require_role(actor, "extend", submitted)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not hold.is_active:
        errors["__all__"] = [
            f"The hold on case {hold.case_number} was released on "
            f"{hold.released_at:%Y-%m-%d}; open a new one."
        ]
    read_where, read_params = "", []
    audit_where, audit_params = "", []
    search_where, search_params = "", []
    alert_where, alert_params = "", []
    share_where, share_params = "", []
    asked_reads = 0
    plate_value = ""
    case = ""
    if method == HoldCoverage.Method.SEARCH:
        if search is None:
            errors["search"] = ["Choose the search whose results the hold takes."]
        else:
            asked_reads = len(search.read_ids)
            read_where = "r.id = ANY(%s) AND r.captured_at >= %s AND r.captured_at < %s"
            read_params = [
                list(search.read_ids),
                search.window_start,
                search.window_end,
            ]
            audit_where = "e.object_type = 'queries.search' AND e.object_id = %s"
            audit_params = [str(search.pk)]
            search_where, search_params = "s.id = %s", [search.pk]
    elif method == HoldCoverage.Method.PLATE:
        try:
            query = parse_plate_query(plate or "")
            if query.kind == "pattern":
                raise PlateError("A hold takes an exact plate, not a pattern.")
            plate_value = query.value
        except PlateError as exc:
            errors["plate"] = [str(exc)]
        if window_start is None or window_end is None:
            errors["window_start"] = ["Give the start and end of the window."]
        elif window_end <= window_start:
            errors["window_end"] = ["The window must end after it starts."]
        read_where = "r.plate = %s AND r.captured_at >= %s AND r.captured_at < %s"
        read_params = [plate_value, window_start, window_end]
        # Alerts on the plate in the window are evidence of the same events.
        alert_where = (
            "a.read_plate = %s AND a.read_captured_at >= %s AND a.read_captured_at < %s"
        )
        alert_params = read_params
    elif method == HoldCoverage.Method.CASE:
        try:
            case = clean_case_number(None, case_number or hold.case_number)
        except ValueError as exc:
            errors["case_number"] = [str(exc)]
        searches = list(
            Search.objects.filter(case_number=case).values_list(
                "id", "read_ids", "window_start", "window_end"
            )
        )
        ids = sorted({rid for _, read_ids, _, _ in searches for rid in read_ids})
        asked_reads = len(ids)
        if searches:
            read_where = "r.id = ANY(%s) AND r.captured_at >= %s AND r.captured_at < %s"
            read_params = [
                ids,
                min(s[2] for s in searches),
                max(s[3] for s in searches),
            ]
        audit_where = (
            "(e.data ->> 'case_number' = %s OR (e.object_type = 'queries.search' "
            "AND e.object_id = ANY(%s)))"
        )
        audit_params = [case, [str(s[0]) for s in searches]]
        search_where, search_params = "s.case_number = %s", [case]
        alert_where, alert_params = "en.case_number = %s", [case]
        share_where, share_params = "q.case_number = %s", [case]
    else:
        errors["method"] = [
            "Choose reads from a search, a plate and window, or a case."
        ]
    if errors:
        _refuse(actor, "extend", errors, submitted)
        raise HoldError(errors)

    with transaction.atomic():
        reads = _Taken()
        if read_where:
            reads = _take_reads(hold, now, read_where, read_params)
        # Reads this hold already had count neither as taken nor as missing.
        missing = max(asked_reads - reads.total - reads.already, 0)
        records = _Taken()
        for source, where, params in (
            (_AUDIT_EVENTS, audit_where, audit_params),
            (_SEARCHES, search_where, search_params),
            (_ALERTS, alert_where, alert_params),
            (_DISSEMINATIONS, share_where, share_params),
        ):
            if where:
                records += _take_records(source, hold, now, where, params)
        taken, audit_taken = reads.total, records.total
        if taken == 0 and audit_taken == 0:
            transaction.set_rollback(True)
            if reads.already or records.already:
                message = (
                    f"Nothing new to hold: the {_plural(reads.already, 'read')} and "
                    f"{_plural(records.already, 'audit record')} asked for are "
                    "already under this hold"
                    + (
                        f"; {_plural(missing, 'other read')} already destroyed."
                        if missing
                        else "."
                    )
                )
            elif asked_reads or method == HoldCoverage.Method.PLATE:
                message = (
                    "Nothing to hold: the data asked for has already been destroyed "
                    "(or never existed)."
                )
            else:
                message = "Nothing to hold: no reads or audit records match."
            errors = {"__all__": [message]}
        else:
            coverage = HoldCoverage.objects.create(
                hold=hold,
                method=method,
                search_id=search.pk if search else None,
                plate=plate_value,
                window_start=window_start,
                window_end=window_end,
                case_number=case,
                added_by=actor.officer,
                added_at=now,
                reads_taken=taken,
                reads_missing=missing,
                audit_records_taken=audit_taken,
            )
            from_vault = (
                f"; {_plural(reads.vault, 'read')} and "
                f"{_plural(records.vault, 'audit record')} of them from another "
                "hold's vault"
                if reads.vault or records.vault
                else ""
            )
            record(
                EventType.HOLD_EXTENDED,
                actor=actor,
                target=hold,
                summary=(
                    f"case {hold.case_number}: {taken} reads and {audit_taken} audit "
                    f"records placed under hold ({missing} already destroyed"
                    f"{from_vault})"
                ),
                data={
                    **submitted,
                    "plate": plate_value,
                    "reads_taken": taken,
                    "reads_missing": missing,
                    "audit_records_taken": audit_taken,
                    # Taken from another hold's copy (the live data was purged).
                    "reads_from_vault": reads.vault,
                    "audit_records_from_vault": records.vault,
                    # Asked for again; this hold already had them.
                    "reads_already_held": reads.already,
                    "audit_records_already_held": records.already,
                },
            )
    if errors:
        _refuse(actor, "extend", errors, submitted)
        raise HoldError(errors)
    return CoverageResult(coverage, taken, missing, audit_taken)


def release_hold(
    *,
    actor: Actor,
    hold: LegalHold,
    reason: str,
    release_date: date | None,
    now: datetime | None = None,
) -> LegalHold:
    """Ends a hold (§8.C.1 or §8.C.2). Its vault copies then fall due under the
    normal rule and go with the next purge."""
    submitted = {
        "hold_id": hold.pk,
        "reason": reason,
        "release_date": release_date.isoformat() if release_date else None,
    }
    _require_role(actor, "release", submitted)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if reason not in LegalHold.ReleaseReason.values:
        errors["reason"] = [
            "Give the reason: the investigation concluded without charges, or the "
            "matter reached final disposition (appeals and habeas included)."
        ]
    if release_date is None:
        errors["release_date"] = [
            "Give the date the investigation closed or the disposition became final."
        ]
    elif release_date > timezone.localdate(now):
        errors["release_date"] = ["The release date cannot be in the future."]
    if not hold.is_active:
        errors["__all__"] = [
            f"The hold on case {hold.case_number} is already released."
        ]
    if errors:
        _refuse(actor, "release", errors, submitted)
        raise HoldError(errors)
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if not locked.is_active:
            # Released by someone else since this request read the hold.
            errors["__all__"] = [
                f"The hold on case {locked.case_number} was released meanwhile "
                f"({locked.released_at:%Y-%m-%d %H:%M} UTC)."
            ]
        else:
            locked.released_at = now
            locked.released_by = actor.officer
            locked.release_reason = reason
            locked.release_date = release_date
            locked.save(
                update_fields=[
                    "released_at",
                    "released_by",
                    "release_reason",
                    "release_date",
                ]
            )
            record(
                EventType.HOLD_RELEASED,
                actor=actor,
                target=locked,
                summary=(
                    f"legal hold on case {locked.case_number} released: "
                    f"{locked.get_release_reason_display()}"
                ),
                data={
                    "case_number": locked.case_number,
                    "reason": reason,
                    "release_date": release_date.isoformat(),
                    "reads": locked.reads.count(),
                    "audit_records": locked.audit_records.count(),
                },
            )
    if errors:
        _refuse(actor, "release", errors, submitted)
        raise HoldError(errors)
    hold.refresh_from_db()
    return hold
