"""Every write to hot lists, entries, alerts, dispositions and stops.

Each function takes a keyword-only ``actor``, runs in one transaction and writes
its audit record in that transaction; refusals are audited too.
"""

import io
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import notices
from accounts.models import Notice
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record, record_refusal
from flockgov import alarms

from .lookalike import lookalike_key
from .models import (
    Alert,
    Disposition,
    HotList,
    HotListEntry,
    IngestSource,
    Stop,
    custom_entry_lifetime,
    hash_key,
)
from .ncic import NcicFile
from .rules import (
    RuleError,
    validate_custom_entry,
    validate_disposition,
    validate_stop,
)
from .sql import (
    NCIC_COLUMNS,
    NCIC_COPY,
    NCIC_DELETE,
    NCIC_DROP_STAGING,
    NCIC_GONE,
    NCIC_INSERT,
    NCIC_NEW,
    NCIC_RETIRE,
    NCIC_STAGING,
)

logger = logging.getLogger(__name__)


class NotPermitted(PermissionError):
    """The account may not do this to this object; the message says why."""


class ImportRefused(ValueError):
    """The whole file was refused; the current list is unchanged."""


class IngestSourceRefused(ValueError):
    """A change to a read source was refused (and audited); the message says why."""


def _refuse(
    event_type: EventType,
    *,
    actor: Actor,
    message: str,
    target=None,
    object_type: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    record_refusal(
        event_type,
        actor=actor,
        target=target,
        object_type=object_type,
        summary=message,
        data=data,
    )


def _not_permitted(
    event_type: EventType,
    *,
    actor: Actor,
    target,
    message: str,
    data: dict[str, Any],
    summary: str = "",
) -> NotPermitted:
    """Audits the refusal (as ``summary``, when the trail words it otherwise
    than the officer is told) and returns the error for the caller to raise."""
    _refuse(
        event_type, actor=actor, message=summary or message, target=target, data=data
    )
    return NotPermitted(message)


def _validated(
    validate,
    data: dict[str, Any],
    *,
    event_type: EventType,
    actor: Actor,
    target,
    submitted: dict[str, Any],
    **options: Any,
):
    """``validate(data, **options)``; a ``RuleError`` is audited as refused, with
    what was submitted and the errors, and raised again."""
    try:
        return validate(data, **options)
    except RuleError as exc:
        _refuse(
            event_type,
            actor=actor,
            message=str(exc),
            target=target,
            data={"submitted": submitted, "errors": exc.errors},
        )
        raise


# --- Lists ------------------------------------------------------------------------


def create_hotlist(
    *,
    actor: Actor,
    name: str,
    source: str = HotList.Source.CUSTOM,
    audience: str = HotList.Audience.DEPARTMENT,
    owner=None,
    description: str = "",
) -> HotList:
    name = name.strip()
    if not name:
        raise RuleError({"name": ["Give the list a name."]})
    if HotList.objects.filter(name__iexact=name).exists():
        raise RuleError({"name": [f"A list named {name!r} already exists."]})
    key = slugify(name)[:40] or "list"
    if HotList.objects.filter(key=key).exists():
        key = f"{key[:31]}-{secrets.token_hex(4)}"
    with transaction.atomic():
        hotlist = HotList.objects.create(
            name=name,
            key=key,
            source=source,
            audience=audience,
            owner=owner,
            description=description,
            created_at=timezone.now(),
        )
        record(
            EventType.HOTLIST_CREATED,
            actor=actor,
            target=hotlist,
            summary=f"created {hotlist.get_source_display()} list {name}",
            data={"source": source, "audience": audience, "owner": owner and owner.pk},
        )
    return hotlist


def ncic_list(*, actor: Actor) -> HotList:
    """The department's NCIC list, created on first use."""
    found = HotList.objects.filter(source=HotList.Source.NCIC).first()
    if found:
        return found
    return create_hotlist(
        actor=actor,
        name=settings.FLOCKGOV_NCIC_LIST_NAME,
        source=HotList.Source.NCIC,
        description="NCIC LPR extract delivered by Virginia State Police (VCIN)",
    )


def may_add_entries(user, hotlist: HotList) -> bool:
    """Custom and AMBER lists take entries from their owner, the owner's
    supervisor, or (lists without an owner) any officer who may search."""
    if hotlist.source == HotList.Source.NCIC or user is None:
        return False
    if not user.may_search():
        return False
    if hotlist.owner_id is None:
        return True
    return user.pk == hotlist.owner_id or hotlist.owner.supervisor_id == user.pk


# --- Custom entries ----------------------------------------------------------------


def _entry_audit(entry: HotListEntry) -> dict[str, Any]:
    return {
        "list": entry.hotlist.key,
        "plate": entry.plate,
        "state": entry.state,
        "category": entry.category,
        "purpose": entry.purpose,
        "case_number": entry.case_number,
        "reason": entry.reason,
        "expires_at": entry.expires_at,
    }


def add_entry(*, actor: Actor, hotlist: HotList, data: dict[str, Any]) -> HotListEntry:
    """Adds a custom entry, or raises ``RuleError``/``NotPermitted`` (audited)."""
    officer = actor.officer
    submitted = {k: str(v)[:300] for k, v in data.items() if k != "csrfmiddlewaretoken"}
    if not may_add_entries(officer, hotlist):
        raise _not_permitted(
            EventType.HOTLIST_ENTRY_REFUSED,
            actor=actor,
            target=hotlist,
            message=f"You may not add entries to {hotlist.name}.",
            summary=f"may not add entries to {hotlist.name}",
            data={"submitted": submitted},
        )
    now = timezone.now()
    clean = _validated(
        validate_custom_entry,
        data,
        now=now,
        event_type=EventType.HOTLIST_ENTRY_REFUSED,
        actor=actor,
        target=hotlist,
        submitted=submitted,
    )
    with transaction.atomic():
        # The list row is the lock: of two officers entering the same plate at
        # once, the second waits here and then finds the first one's entry.
        HotList.objects.select_for_update().get(pk=hotlist.pk)
        existing = _active_duplicate(hotlist, clean.plate, clean.state, now)
        if existing is None:
            entry = _create_entry(hotlist, clean, officer, now, actor)
    if existing is not None:
        # Recorded after the transaction: inside it, the refusal would roll back.
        message = _duplicate_message(existing)
        errors = {"plate": [message]}
        _refuse(
            EventType.HOTLIST_ENTRY_REFUSED,
            actor=actor,
            message=f"plate: {message}",
            target=hotlist,
            data={
                "submitted": submitted,
                "errors": errors,
                "existing_entry": existing.pk,
            },
        )
        raise RuleError(errors)
    return entry


def _active_duplicate(
    hotlist: HotList, plate: str, state: str, now: datetime
) -> HotListEntry | None:
    """The list's entry that still alerts on this plate and state, if any. An
    expired or removed one does not count: the plate may be entered again."""
    return (
        HotListEntry.objects.active(now)
        .filter(hotlist=hotlist, plate=plate, state=state)
        .order_by("expires_at")
        .last()
    )


def _duplicate_message(existing: HotListEntry) -> str:
    plate = f"{existing.plate} ({existing.state})" if existing.state else existing.plate
    if existing.expires_at is None:
        return f"{plate} is already on this list."
    until = timezone.localtime(existing.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    return f"{plate} is already on this list until {until}; re-verify it instead."


def _create_entry(
    hotlist: HotList, clean, officer, now: datetime, actor: Actor
) -> HotListEntry:
    entry = HotListEntry.objects.create(
        hotlist=hotlist,
        plate=clean.plate,
        state=clean.state,
        plate_type=clean.plate_type,
        category=clean.category,
        purpose=clean.purpose,
        reason=clean.reason,
        case_number=clean.case_number,
        vehicle_description=clean.vehicle_description,
        entered_by=officer,
        entered_at=now,
        expires_at=clean.expires_at,
    )
    record(
        EventType.HOTLIST_ENTRY_ADDED,
        actor=actor,
        target=entry,
        summary=f"added {entry.plate} to {hotlist.name} until {entry.expires_at}",
        data=_entry_audit(entry),
    )
    return entry


def reverify_entry(*, actor: Actor, entry: HotListEntry) -> HotListEntry:
    """§4.B: the entering officer (or their supervisor) re-verifies; the entry then
    runs for the maximum period again from now."""
    officer = actor.officer
    now = timezone.now()
    problem = ""
    if officer is None or not entry.may_be_verified_by(officer):
        problem = (
            "Only the officer who entered this entry, or that officer's supervisor, "
            "may re-verify it."
        )
    elif entry.removed_at is not None:
        problem = "This entry was removed; it cannot be re-verified."
    elif not entry.is_active(now):
        problem = (
            "This entry has expired and no longer alerts; enter it again if it is "
            "still needed."
        )
    if problem:
        raise _not_permitted(
            EventType.HOTLIST_ENTRY_REFUSED,
            actor=actor,
            target=entry,
            message=problem,
            summary=f"re-verification refused: {problem}",
            data={"action": "reverify"},
        )
    with transaction.atomic():
        locked = HotListEntry.objects.select_for_update().get(pk=entry.pk)
        before = locked.expires_at
        locked.verified_at = now
        locked.verified_by = officer
        locked.expires_at = now + custom_entry_lifetime()
        locked.save(update_fields=["verified_at", "verified_by", "expires_at"])
        record(
            EventType.HOTLIST_ENTRY_VERIFIED,
            actor=actor,
            target=locked,
            summary=f"re-verified {locked.plate} until {locked.expires_at}",
            data={"expires_before": before, "expires_after": locked.expires_at},
        )
    return locked


def remove_entry(*, actor: Actor, entry: HotListEntry, reason: str = "") -> None:
    officer = actor.officer
    if officer is None or not entry.may_be_verified_by(officer):
        problem = (
            "Only the officer who entered this entry, or that officer's supervisor, "
            "may remove it."
        )
        raise _not_permitted(
            EventType.HOTLIST_ENTRY_REFUSED,
            actor=actor,
            target=entry,
            message=problem,
            summary=f"removal refused: {problem}",
            data={"action": "remove"},
        )
    with transaction.atomic():
        locked = HotListEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.removed_at is not None:
            return
        locked.removed_at = timezone.now()
        locked.save(update_fields=["removed_at"])
        record(
            EventType.HOTLIST_ENTRY_REMOVED,
            actor=actor,
            target=locked,
            summary=f"removed {locked.plate} from {locked.hotlist.name}",
            data={"reason": reason[:300]},
        )


# --- NCIC import ------------------------------------------------------------------


def _copy_cell(value: object) -> str:
    text = str(value)
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _replace_entries(hotlist: HotList, parsed: NcicFile, now: datetime) -> None:
    """Stages the file with COPY, then removes what it no longer holds and adds
    what is new in a few set-based statements. Unchanged records keep their rows:
    twice-daily extracts differ little, so a 1 M-record list is not rewritten."""
    buffer = io.StringIO()
    separators = len(NCIC_COLUMNS) - 1
    for r in parsed.records:
        values = (
            r.plate,
            lookalike_key(r.plate),
            r.state,
            r.plate_type,
            r.category,
            r.ncic_number,
            r.ori,
            r.entered_on.isoformat(),
            r.vehicle_year,
            r.vehicle_make,
            r.vehicle_model,
            r.vehicle_style,
            r.vehicle_color,
            r.vehicle_description,
        )
        row = "\t".join(values)
        # Escaping cell by cell is needed only when a cell holds a tab or a
        # backslash (the extract is plain ASCII, so almost never).
        if row.count("\t") != separators or "\\" in row:
            row = "\t".join(_copy_cell(v) for v in values)
        buffer.write(row)
        buffer.write("\n")
    buffer.seek(0)
    params = {"list": hotlist.pk, "now": now, "long_ago": now - timedelta(days=1)}
    with connection.cursor() as cursor:
        # The anti-joins over two 1 M-row sets must be hash joins with their
        # hashes in memory; a nested loop would take hours. Both settings are
        # put back afterwards, so the caller's transaction is unaffected.
        cursor.execute(
            "SELECT current_setting('work_mem'), current_setting('enable_nestloop'), "
            "set_config('work_mem', '256MB', true), "
            "set_config('enable_nestloop', 'off', true)"
        )
        work_mem, nestloop, _, _ = cursor.fetchone()
        # Dropped first as well: a caller's outer transaction (tests, a nested
        # import) may not have committed since the last import.
        cursor.execute(NCIC_DROP_STAGING)
        cursor.execute(NCIC_STAGING)
        cursor.copy_expert(NCIC_COPY, buffer)
        # Fresh statistics on both sides, or the planner may pick a nested loop
        # for the anti-joins right after a bulk load (minutes instead of seconds).
        cursor.execute("ANALYZE hotlists_incoming_entries")
        cursor.execute("ANALYZE hotlists_hotlistentry")
        cursor.execute(NCIC_GONE, params)
        cursor.execute(NCIC_RETIRE, params)
        cursor.execute(NCIC_DELETE, params)
        cursor.execute(NCIC_NEW, params)
        cursor.execute(NCIC_INSERT, params)
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), "
            "set_config('enable_nestloop', %s, true)",
            [work_mem, nestloop],
        )


@dataclass(frozen=True)
class ImportOutcome:
    imported: int
    rejected: int
    excluded: int
    replaced: int


def refuse_import(
    *, actor: Actor, hotlist_name: str, file_name: str, reason: str
) -> None:
    _refuse(
        EventType.HOTLIST_IMPORT_REFUSED,
        actor=actor,
        message=f"{hotlist_name}: {reason}",
        object_type="hotlists.hotlist",
        data={"list": hotlist_name, "file": file_name, "reason": reason},
    )


def replace_ncic_list(
    *, actor: Actor, parsed: NcicFile, file_name: str
) -> ImportOutcome:
    """Replaces the NCIC list with the file's loadable records in one transaction.

    Refused whole (``ImportRefused``, audited, nothing changed) when the file has
    no loadable record, or fewer than the configured share of the current list.
    Records the file no longer holds are retired at once and deleted a day later
    unless an alert points at them (alerts outlive their entries).
    """
    hotlist = ncic_list(actor=actor)
    now = timezone.now()
    with transaction.atomic():
        locked = HotList.objects.select_for_update().get(pk=hotlist.pk)
        current = locked.entries.filter(removed_at__isnull=True).count()
        valid = len(parsed.records)
        floor = current * settings.FLOCKGOV_NCIC_MIN_SHARE
        reason = ""
        if valid == 0:
            reason = "the file holds no loadable record; the current list is kept"
        elif valid < floor:
            reason = (
                f"the file holds {valid} valid records, fewer than "
                f"{settings.FLOCKGOV_NCIC_MIN_SHARE:.0%} of the current list "
                f"({current}); the current list is kept"
            )
        # A refusal is recorded after this block, so it stands on its own.
        if not reason:
            _replace_entries(locked, parsed, now)
            locked.last_import_at = now
            locked.last_import_file = file_name[:255]
            locked.save(update_fields=["last_import_at", "last_import_file"])
            record(
                EventType.HOTLIST_IMPORTED,
                actor=actor,
                target=locked,
                summary=(
                    f"NCIC list replaced from {file_name}: imported={valid} "
                    f"rejected={len(parsed.rejected)} "
                    f"excluded={parsed.excluded_total}"
                ),
                data={
                    "file": file_name,
                    "imported": valid,
                    "replaced": current,
                    "rejected": len(parsed.rejected),
                    "rejections": [
                        {"line": n, "reason": why} for n, why in parsed.rejected[:50]
                    ],
                    "excluded": dict(parsed.excluded),
                },
            )
            # A good import ends the stale alarm once it is committed.
            transaction.on_commit(lambda: mark_ncic_fresh(actor=actor))
    if reason:
        refuse_import(
            actor=actor, hotlist_name=hotlist.name, file_name=file_name, reason=reason
        )
        raise ImportRefused(reason)
    logger.info("NCIC list replaced: %s entries", valid)
    return ImportOutcome(
        imported=valid,
        rejected=len(parsed.rejected),
        excluded=parsed.excluded_total,
        replaced=current,
    )


def import_custom_entries(
    *, actor: Actor, hotlist: HotList, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[HotListEntry], list[tuple[int, str]]]:
    """Adds the good rows of a CSV to a custom or AMBER list in one transaction;
    returns the entries and the rejected rows as ``(line, reason)``."""
    officer = actor.officer
    if officer is None:
        reason = (
            "custom entries need an entering officer, who alone may re-verify them: "
            "pass --actor USERNAME"
        )
        refuse_import(
            actor=actor, hotlist_name=hotlist.name, file_name="", reason=reason
        )
        raise ImportRefused(reason)
    if not may_add_entries(officer, hotlist):
        reason = f"{officer.username} may not add entries to {hotlist.name}"
        refuse_import(
            actor=actor, hotlist_name=hotlist.name, file_name="", reason=reason
        )
        raise ImportRefused(reason)
    now = timezone.now()
    good: list[HotListEntry] = []
    rejected: list[tuple[int, str]] = []
    with transaction.atomic():
        # Locked as add_entry locks it, so no entry for the same plate slips in
        # between the duplicate check and the insert.
        HotList.objects.select_for_update().get(pk=hotlist.pk)
        in_file: dict[tuple[str, str], int] = {}
        for line, data in rows:
            try:
                clean = validate_custom_entry(data, now=now)
            except RuleError as exc:
                rejected.append((line, str(exc)))
                continue
            key = (clean.plate, clean.state)
            existing = _active_duplicate(hotlist, clean.plate, clean.state, now)
            if existing is not None:
                rejected.append((line, f"plate: {_duplicate_message(existing)}"))
                continue
            if key in in_file:
                shown = " ".join(key).strip()
                rejected.append(
                    (line, f"plate: {shown} is already on line {in_file[key]}")
                )
                continue
            in_file[key] = line
            good.append(
                HotListEntry(
                    hotlist=hotlist,
                    plate=clean.plate,
                    lookalike_key=lookalike_key(clean.plate),
                    state=clean.state,
                    plate_type=clean.plate_type,
                    category=clean.category,
                    purpose=clean.purpose,
                    reason=clean.reason,
                    case_number=clean.case_number,
                    vehicle_description=clean.vehicle_description,
                    entered_by=officer,
                    entered_at=now,
                    expires_at=clean.expires_at,
                )
            )
        created = HotListEntry.objects.bulk_create(good)
        record(
            EventType.HOTLIST_IMPORTED,
            actor=actor,
            target=hotlist,
            summary=(
                f"{hotlist.name}: imported={len(created)} rejected={len(rejected)}"
            ),
            data={
                "imported": len(created),
                "entries": [e.pk for e in created][:1000],
                "rejected": len(rejected),
                "rejections": [{"line": n, "reason": r} for n, r in rejected[:50]],
            },
        )
    return created, rejected


# --- NCIC freshness -----------------------------------------------------------


def ncic_is_stale(now: datetime | None = None) -> tuple[bool, str]:
    hotlist = HotList.objects.filter(source=HotList.Source.NCIC).first()
    if hotlist is None or hotlist.last_import_at is None:
        return True, (
            "The NCIC list has never been imported: NCIC hits cannot alert (§4.A)."
        )
    if hotlist.is_stale(now):
        stamp = hotlist.last_import_at.strftime("%Y-%m-%d %H:%M")
        return True, (
            f"The NCIC list was last refreshed at {stamp} UTC, more than "
            f"{settings.FLOCKGOV_NCIC_STALE_AFTER_HOURS} hours ago (§4.A). "
            "Alerts from it may be out of date: confirm every hit."
        )
    return False, ""


def _alarm_active() -> bool:
    return any(a["name"] == alarms.NCIC_STALE for a in alarms.active_alarms())


def check_ncic_freshness(*, actor: Actor, now: datetime | None = None) -> bool:
    """Raises the stale alarm (with notices and an audit record, once per episode)
    or clears it; returns whether the list is stale."""
    stale, message = ncic_is_stale(now)
    if stale:
        if not _alarm_active():
            with transaction.atomic():
                record(
                    EventType.HOTLIST_NCIC_STALE,
                    actor=actor,
                    outcome=Outcome.FAILED,
                    object_type="hotlists.hotlist",
                    summary=message,
                )
                notices.notify(
                    notices.administrators(),
                    subject="The NCIC hot list is stale",
                    body=message,
                    level=Notice.Level.ALARM,
                )
            logger.warning("NCIC list stale")
        alarms.raise_alarm(alarms.NCIC_STALE, message)
        return True
    if _alarm_active():
        mark_ncic_fresh(actor=actor)
    return False


def mark_ncic_fresh(*, actor: Actor) -> None:
    if not _alarm_active():
        return
    record(
        EventType.HOTLIST_NCIC_FRESH,
        actor=actor,
        object_type="hotlists.hotlist",
        summary="The NCIC list was refreshed; the stale alarm is cleared.",
    )
    alarms.clear_alarm(alarms.NCIC_STALE)


# --- Alerts -------------------------------------------------------------------


def _alert_submission(data: dict[str, Any]) -> dict[str, Any]:
    """What the officer submitted on an alert, as the trail keeps it."""
    return {k: str(v)[:500] for k, v in data.items() if k != "csrfmiddlewaretoken"}


def record_disposition(
    *, actor: Actor, alert: Alert, data: dict[str, Any]
) -> Disposition:
    """The officer's disposition of an alert (§5). One per alert."""
    officer = actor.officer
    submitted = _alert_submission(data)
    if officer is None or not officer.may_search() or not alert.may_be_seen_by(officer):
        raise _not_permitted(
            EventType.ALERT_DISPOSITION_REFUSED,
            actor=actor,
            target=alert,
            message="This alert is not yours to dispose of.",
            summary="disposition on an alert outside the officer's lists",
            data={"submitted": submitted},
        )
    existing = Disposition.objects.filter(alert=alert).select_related("officer").first()
    if existing is not None:
        raise _not_permitted(
            EventType.ALERT_DISPOSITION_REFUSED,
            actor=actor,
            target=alert,
            message=(
                "This alert was already disposed of by "
                f"{existing.officer.display_name} ({existing.get_outcome_display()})."
            ),
            data={"submitted": submitted},
        )
    clean = _validated(
        validate_disposition,
        data,
        event_type=EventType.ALERT_DISPOSITION_REFUSED,
        actor=actor,
        target=alert,
        submitted=submitted,
    )
    with transaction.atomic():
        disposition = Disposition.objects.create(
            alert=alert,
            officer=officer,
            recorded_at=timezone.now(),
            outcome=clean.outcome,
            fresh_check=clean.fresh_check,
            suspicion=clean.suspicion,
            note=clean.note,
        )
        record(
            EventType.ALERT_DISPOSED,
            actor=actor,
            target=alert,
            summary=f"alert {alert.pk}: {disposition.get_outcome_display()}",
            data={
                "outcome": clean.outcome,
                "fresh_check": clean.fresh_check,
                "suspicion": clean.suspicion,
                "note": clean.note,
            },
        )
    return disposition


def record_stop(*, actor: Actor, alert: Alert, data: dict[str, Any]) -> Stop:
    """The § 52-30.2 stop record. Only on an alert the same officer confirmed or
    backed with independent reasonable suspicion (§5.A)."""
    officer = actor.officer
    submitted = _alert_submission(data)
    disposition = Disposition.objects.filter(alert=alert).first()
    problem = ""
    if officer is None or not alert.may_be_seen_by(officer):
        problem = "This alert is not yours."
    elif disposition is None or not disposition.allows_stop:
        problem = (
            "A stop cannot be recorded on an unconfirmed alert: first confirm plate "
            "and vehicle against the record, or record independent reasonable "
            "suspicion (§5.A)."
        )
    elif disposition.officer_id != officer.pk:
        problem = "Only the officer who confirmed this alert may record the stop."
    elif Stop.objects.filter(alert=alert).exists():
        problem = "A stop is already recorded on this alert."
    if problem:
        raise _not_permitted(
            EventType.STOP_REFUSED,
            actor=actor,
            target=alert,
            message=problem,
            data={"submitted": submitted},
        )
    clean = _validated(
        validate_stop,
        data,
        event_type=EventType.STOP_REFUSED,
        actor=actor,
        target=alert,
        submitted=submitted,
    )
    with transaction.atomic():
        stop = Stop.objects.create(
            alert=alert,
            officer=officer,
            recorded_at=timezone.now(),
            based_on_alpr=True,
            stopped_at=clean.stopped_at,
            location=clean.location,
            reason=clean.reason,
            result=clean.result,
            result_detail=clean.result_detail,
        )
        record(
            EventType.STOP_RECORDED,
            actor=actor,
            target=alert,
            summary=f"stop on alert {alert.pk}: {stop.get_result_display()}",
            data={
                "based_on_alpr": True,
                "basis": disposition.outcome,
                "stopped_at": clean.stopped_at,
                "location": clean.location,
                "reason": clean.reason,
                "result": clean.result,
                "result_detail": clean.result_detail,
            },
        )
    return stop


# --- Machine sources ----------------------------------------------------------


def create_ingest_source(*, actor: Actor, name: str) -> tuple[IngestSource, str]:
    """A new source and its key; the key is returned once and stored hashed."""
    raw = f"fgk_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        source = IngestSource.objects.create(
            name=name,
            key_prefix=raw[:8],
            key_hash=hash_key(raw),
            created_at=timezone.now(),
        )
        record(
            EventType.INGEST_SOURCE_CREATED,
            actor=actor,
            target=source,
            summary=f"issued a read-posting key to {name}",
            data={"key_prefix": source.key_prefix},
        )
    return source, raw


# A revocation reason is a sentence or two ("key leaked in a support ticket"), kept
# in the audit record; anything longer belongs in the case file it refers to.
REVOKE_REASON_MAX_LENGTH = 500


def revoke_ingest_source(
    *, actor: Actor, source: IngestSource, reason: str
) -> IngestSource:
    """Stops ``source``'s key from posting reads, from the next request on.

    The source row stays (its name and prefix identify it in the trail and in
    ``list_ingest_sources``); a revoked key is never reinstated: a replacement is a
    new source with a new key. Refused, and audited as refused, without a reason
    or when the key is already revoked.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        # Locked so two administrators revoking at once give one revocation and
        # one refusal, not two revocations with different times.
        locked = IngestSource.objects.select_for_update().get(pk=source.pk)
        problem = ""
        if not reason:
            problem = f"give a reason for revoking the key of {locked.name}"
        elif len(reason) > REVOKE_REASON_MAX_LENGTH:
            problem = (
                f"the reason has {len(reason)} characters; at most "
                f"{REVOKE_REASON_MAX_LENGTH} are kept"
            )
        elif locked.revoked_at is not None:
            problem = (
                f"the key of {locked.name} was already revoked at "
                f"{locked.revoked_at.isoformat(timespec='seconds')}"
            )
        if problem:
            _refuse(
                EventType.INGEST_SOURCE_REVOKE_REFUSED,
                actor=actor,
                message=f"revocation refused: {problem}",
                target=locked,
                data={
                    "key_prefix": locked.key_prefix,
                    "reason": reason[:REVOKE_REASON_MAX_LENGTH],
                },
            )
        else:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record(
                EventType.INGEST_SOURCE_REVOKED,
                actor=actor,
                target=locked,
                summary=f"revoked the read-posting key of {locked.name}",
                data={"key_prefix": locked.key_prefix, "reason": reason},
            )
    if problem:
        raise IngestSourceRefused(problem)
    return locked
