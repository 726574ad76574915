"""Legal holds: the only write paths for ``LegalHold`` and the hold vault.

Opening, extending and releasing a hold are each one transaction with their
audit record; refusals are audited too. Extending a hold copies what it covers
into the vault in that same transaction, so the purge can never destroy
something a committed hold covers (see ``retention/purge.py``).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record
from queries.criteria import clean_case_number
from queries.models import Search
from queries.plates import PlateError, parse_plate_query

from . import rules
from .models import HeldRead, HoldCoverage, LegalHold

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
    record(
        EventType.HOLD_REFUSED,
        actor=actor,
        outcome=Outcome.REFUSED,
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


# Copies reads into the vault; the hold's own snapshot decides what exists.
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

_COPY_AUDIT_EVENTS = """
INSERT INTO retention_heldauditrecord (
    hold_id, source, record_id, recorded_at, content, held_at
)
SELECT %s, 'audits.auditevent', e.id, e.occurred_at, to_jsonb(e), %s
FROM audits_auditevent e
WHERE {where}
ON CONFLICT (hold_id, source, record_id) DO NOTHING
"""

_COPY_SEARCHES = """
INSERT INTO retention_heldauditrecord (
    hold_id, source, record_id, recorded_at, content, held_at
)
SELECT %s, 'queries.search', s.id, s.created_at, to_jsonb(s), %s
FROM queries_search s
WHERE {where}
ON CONFLICT (hold_id, source, record_id) DO NOTHING
"""

# An alert is held with its disposition and stop (one record of one event).
_COPY_ALERTS = """
INSERT INTO retention_heldauditrecord (
    hold_id, source, record_id, recorded_at, content, held_at
)
SELECT %s, 'hotlists.alert', a.id, a.created_at,
       to_jsonb(a) || jsonb_build_object(
           'disposition', (SELECT to_jsonb(d) FROM hotlists_disposition d
                           WHERE d.alert_id = a.id),
           'stop', (SELECT to_jsonb(s) FROM hotlists_stop s WHERE s.alert_id = a.id)
       ), %s
FROM hotlists_alert a
LEFT JOIN hotlists_hotlistentry en ON en.id = a.entry_id
WHERE {where}
ON CONFLICT (hold_id, source, record_id) DO NOTHING
"""

# A dissemination is held with its request and the recipient's acknowledgment.
_COPY_DISSEMINATIONS = """
INSERT INTO retention_heldauditrecord (
    hold_id, source, record_id, recorded_at, content, held_at
)
SELECT %s, 'sharing.dissemination', d.id, d.sent_at,
       to_jsonb(d) || jsonb_build_object(
           'request', to_jsonb(q),
           'acknowledgment', (SELECT to_jsonb(k) FROM sharing_acknowledgment k
                              WHERE k.request_id = q.id)
       ), %s
FROM sharing_dissemination d
JOIN sharing_sharingrequest q ON q.id = d.request_id
WHERE {where}
ON CONFLICT (hold_id, source, record_id) DO NOTHING
"""


def _copy(sql: str, where: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(where=where), params)
        return cursor.rowcount


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
    # TODO: reads already destroyed but kept in another hold's vault count as
    # missing here; copying vault-to-vault would let a second case take them.
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
        held_ids: set[int] = set()
        if read_where:
            with connection.cursor() as cursor:
                cursor.execute(
                    _COPY_READS.format(where=read_where), [hold.pk, now, *read_params]
                )
                held_ids = {row[0] for row in cursor.fetchall()}
        taken = len(held_ids)
        # Reads this hold already had count neither as taken nor as missing.
        already = 0
        if read_where and method != HoldCoverage.Method.PLATE:
            already = (
                HeldRead.objects.filter(hold=hold, read_id__in=read_params[0])
                .exclude(read_id__in=held_ids)
                .count()
            )
        missing = max(asked_reads - taken - already, 0)
        audit_taken = 0
        if audit_where:
            audit_taken += _copy(
                _COPY_AUDIT_EVENTS, audit_where, [hold.pk, now, *audit_params]
            )
        if search_where:
            audit_taken += _copy(
                _COPY_SEARCHES, search_where, [hold.pk, now, *search_params]
            )
        if alert_where:
            audit_taken += _copy(
                _COPY_ALERTS, alert_where, [hold.pk, now, *alert_params]
            )
        if share_where:
            audit_taken += _copy(
                _COPY_DISSEMINATIONS, share_where, [hold.pk, now, *share_params]
            )
        if taken == 0 and audit_taken == 0 and already == 0:
            transaction.set_rollback(True)
            errors = {
                "__all__": [
                    "Nothing to hold: the data asked for has already been destroyed "
                    "(or never existed)."
                    if asked_reads or method == HoldCoverage.Method.PLATE
                    else "Nothing to hold: no reads or audit records match."
                ]
            }
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
            record(
                EventType.HOLD_EXTENDED,
                actor=actor,
                target=hold,
                summary=(
                    f"case {hold.case_number}: {taken} reads and {audit_taken} audit "
                    f"records placed under hold ({missing} already destroyed)"
                ),
                data={
                    **submitted,
                    "plate": plate_value,
                    "reads_taken": taken,
                    "reads_missing": missing,
                    "audit_records_taken": audit_taken,
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
            raise HoldError({"__all__": ["The hold was released meanwhile."]})
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
    hold.refresh_from_db()
    return hold
