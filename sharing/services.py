"""Every write of the sharing app: requests, decisions, acknowledgments,
disseminations, vendor access, FOIA answers and network access grants.

Each function takes a keyword-only ``actor``, runs in one transaction and writes
its audit record in it. A refusal raises ``SharingRefused`` after auditing the
attempt (outcome refused) with what was asked and every rule it broke.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Officer
from accounts.notices import notify
from accounts.roles import Role
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from audits.trail import record, record_refusal
from hotlists.models import HotList, HotListEntry
from queries.models import PlateRead, Search

from . import files, permissions, rules
from .models import (
    Acknowledgment,
    Dissemination,
    FoiaRequest,
    NetworkAccessGrant,
    Organisation,
    SharingRequest,
)
from .rules import Basis, Document, Ground, ShareDraft, SharingRefused

logger = logging.getLogger(__name__)

MAX_AUDITED_FIELD = 1000

FOIA_ANSWER = (
    "Your request of {received_on} is refused. The records you asked for are "
    "automatic license plate recognition system data or audit-trail data, which "
    "are not subject to disclosure under the Virginia Freedom of Information Act "
    "(§ 2.2-3700 et seq.): Code of Virginia § 2.2-5517 exempts them, and the "
    "department's ALPR policy §9.A says the same. No records will be provided."
)


def _bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_AUDITED_FIELD:
        return f"{value[:MAX_AUDITED_FIELD]}… ({len(value)} characters in all)"
    if isinstance(value, list | tuple):
        return [_bounded(item) for item in value[:50]]
    if isinstance(value, dict):
        return {str(k): _bounded(v) for k, v in list(value.items())[:50]}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Organisation):
        return {"id": value.pk, "name": value.name}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def refuse(
    event_type: EventType,
    *,
    actor: Actor,
    error: SharingRefused,
    submitted: dict[str, Any] | None = None,
    target=None,
    object_type: str = "sharing.sharingrequest",
) -> SharingRefused:
    """Audits a refusal and returns the error for the caller to raise."""
    record_refusal(
        event_type,
        actor=actor,
        target=target,
        object_type="" if target is not None else object_type,
        summary=str(error),
        data={
            "submitted": _bounded(submitted or {}),
            "errors": error.errors,
            "rules": error.codes,
        },
    )
    logger.info("sharing refusal %s: %s", event_type, ",".join(error.codes))
    return error


def refusal(field: str, code: str, message: str) -> SharingRefused:
    return SharingRefused({field: [message]}, [code])


# --- The data a share names ------------------------------------------------------


def copy_reads(read_ids: list[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """Copies of the reads that still exist, and the ids that no longer do."""
    wanted = sorted({int(i) for i in read_ids})
    found = {
        read.id: read
        for read in PlateRead.objects.filter(id__in=wanted).select_related("camera")
    }
    copies = [
        {
            "id": read.id,
            "plate": read.plate,
            "plate_hashed": read.plate_hashed,
            "state": read.state,
            "captured_at": read.captured_at.isoformat(),
            "camera_id": read.camera_id,
            "camera": read.camera.name,
        }
        for read_id, read in sorted(found.items())
    ]
    return copies, [i for i in wanted if i not in found]


def _purged_error(missing: list[int]) -> SharingRefused:
    shown = ", ".join(map(str, missing[:20]))
    more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
    return refusal(
        "read_ids",
        "data_purged",
        f"{len(missing)} of the chosen reads no longer exist (ids {shown}{more}): "
        "they were destroyed at the end of the retention period (§8.A) and cannot "
        "be shared.",
    )


def _missing_audit_records(seqs: list[int]) -> list[int]:
    present = set(AuditEvent.objects.filter(seq__in=seqs).values_list("seq", flat=True))
    return [s for s in seqs if s not in present]


@dataclass(frozen=True)
class ShareInput:
    """What a form or serializer parsed; ``check_share`` decides on it."""

    recipient: Organisation | None
    ground: int | str | None
    basis: str = ""
    purpose: str = ""
    case_number: str = ""
    proceeding_number: str = ""
    document_number: str = ""
    document_court: str = ""
    document_date: date | None = None
    document_file: UploadedFile | None = None
    sale: bool = False
    alert_text: str = ""
    justification: str = ""
    search: Search | None = None
    read_ids: tuple[int, ...] = ()
    hotlist_entry_ids: tuple[int, ...] = ()
    audit_seqs: tuple[int, ...] = ()

    def audit_data(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "ground": self.ground,
            "basis": self.basis,
            "purpose": self.purpose,
            "case_number": self.case_number,
            "proceeding_number": self.proceeding_number,
            "document_number": self.document_number,
            "document_court": self.document_court,
            "document_date": self.document_date,
            "document_file": bool(self.document_file),
            "sale": self.sale,
            "alert_text": self.alert_text,
            "justification": self.justification,
            "search": self.search.pk if self.search else None,
            "read_ids": list(self.read_ids),
            "hotlist_entry_ids": list(self.hotlist_entry_ids),
            "audit_seqs": list(self.audit_seqs),
        }


def share_draft(data: ShareInput, officer: Officer | None) -> ShareDraft:
    return ShareDraft(
        recipient=data.recipient,
        ground=data.ground,
        basis=data.basis,
        purpose=data.purpose,
        case_number=data.case_number,
        proceeding_number=data.proceeding_number,
        document=Document(
            number=data.document_number,
            court=data.document_court,
            issued_on=data.document_date,
            has_file=bool(data.document_file),
            file_name=getattr(data.document_file, "name", "") or "",
            file_size=getattr(data.document_file, "size", 0) or 0,
        ),
        sale=data.sale,
        alert_text=data.alert_text,
        justification=data.justification,
        read_ids=list(data.read_ids),
        hotlist_entry_ids=list(data.hotlist_entry_ids),
        audit_seqs=list(data.audit_seqs),
        may_share_audit_records=bool(officer and officer.may_read_audit_trail()),
    )


def _check_data(data: ShareInput, officer: Officer) -> list[dict[str, Any]]:
    """Reads come from a search the requester may see; purged data is refused."""
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    copies: list[dict[str, Any]] = []
    if data.read_ids:
        search = data.search
        if (
            search is None
            or not Search.objects.visible_to(officer).filter(pk=search.pk).exists()
        ):
            errors["search"] = [
                "Choose the reads from one of your own searches: the search "
                "records why they were accessed."
            ]
            codes.append("reads_without_search")
        else:
            outside = sorted(set(data.read_ids) - set(search.read_ids))
            if outside:
                errors["read_ids"] = [
                    f"Reads {', '.join(map(str, outside[:20]))} were not results "
                    f"of search {search.pk}."
                ]
                codes.append("reads_not_in_search")
            else:
                copies, missing = copy_reads(list(data.read_ids))
                if missing:
                    purged = _purged_error(missing)
                    errors.update(purged.errors)
                    codes.extend(purged.codes)
    if data.hotlist_entry_ids:
        unusable = _unusable_entries(sorted(set(data.hotlist_entry_ids)), officer)
        if unusable:
            entries_error = _entries_error(unusable)
            errors.update(entries_error.errors)
            codes.extend(entries_error.codes)
    if data.audit_seqs:
        missing_seqs = _missing_audit_records(sorted(set(data.audit_seqs)))
        if missing_seqs:
            errors["audit_seqs"] = [
                f"Audit records {', '.join(map(str, missing_seqs[:20]))} do not "
                "exist (never written, or destroyed after two years)."
            ]
            codes.append("data_purged")
    if errors:
        raise SharingRefused(errors, codes)
    return copies


def entry_copies(entry_ids: list[int]) -> list[dict[str, Any]]:
    """What leaves of each hot-list entry (plate, state, category, list, NCIC
    number): never the internal reason, look-alike key or who entered it."""
    entries = HotListEntry.objects.filter(pk__in=entry_ids).select_related("hotlist")
    return [
        {
            "id": entry.pk,
            "plate": entry.plate,
            "state": entry.state,
            "category": entry.get_category_display(),
            "list": entry.hotlist.name,
            "ncic_number": entry.ncic_number,
        }
        for entry in entries.order_by("pk")
    ]


def _unusable_entries(entry_ids: list[int], officer: Officer) -> list[int]:
    """Entries that do not exist (never entered, or destroyed two years after
    they ended) or sit on a list the requester may not see: one answer for both,
    so a share cannot probe for lists the requester is not given."""
    lists = HotList.objects.filter(
        pk__in=HotListEntry.objects.filter(pk__in=entry_ids).values("hotlist_id")
    ).select_related("owner")
    visible = {hotlist.pk for hotlist in lists if hotlist.visible_to(officer)}
    usable = set(
        HotListEntry.objects.filter(
            pk__in=entry_ids, hotlist_id__in=visible
        ).values_list("pk", flat=True)
    )
    return sorted(set(entry_ids) - usable)


def _entries_error(unusable: list[int]) -> SharingRefused:
    return refusal(
        "hotlist_entry_ids",
        "entries_unknown",
        f"Hot-list entries {', '.join(map(str, unusable[:20]))} do not exist "
        "(never entered, or destroyed) or are on a list you may not see.",
    )


def merge_errors(*errors: SharingRefused | None) -> SharingRefused | None:
    found = [e for e in errors if e is not None]
    if not found:
        return None
    merged: dict[str, list[str]] = {}
    codes: list[str] = []
    for error in found:
        for name, messages in error.errors.items():
            merged.setdefault(name, []).extend(messages)
        codes.extend(error.codes)
    return SharingRefused(merged, codes)


def captains() -> list[Officer]:
    return list(Officer.objects.filter(role=Role.CAPTAIN, is_active=True))


# --- Requests and decisions ------------------------------------------------------


def request_share(*, actor: Actor, data: ShareInput) -> SharingRequest:
    """Records a request to share; refused (and audited) if any rule is broken."""
    officer = actor.officer
    submitted = data.audit_data()
    if not permissions.may_request_share(officer):
        raise refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            submitted=submitted,
            error=refusal(
                "__all__", "not_permitted", "This account may not request shares."
            ),
        )
    checked = rule_error = data_error = None
    try:
        checked = rules.check_share(
            share_draft(data, officer), today=timezone.localdate()
        )
    except SharingRefused as exc:
        rule_error = exc
    copies: list[dict[str, Any]] = []
    try:
        copies = _check_data(data, officer)
    except SharingRefused as exc:
        data_error = exc
    error = merge_errors(rule_error, data_error)
    if error is not None:
        raise refuse(
            EventType.SHARE_REFUSED, actor=actor, submitted=submitted, error=error
        )
    assert checked is not None
    with transaction.atomic():
        sharing_request = SharingRequest(
            recipient=checked.recipient,
            ground=checked.ground,
            basis=checked.basis,
            purpose=checked.purpose,
            case_number=checked.case_number,
            proceeding_number=checked.proceeding_number,
            document_number=(checked.document.number or "").strip()[:60],
            document_court=(checked.document.court or "").strip()[:200],
            document_date=checked.document.issued_on,
            alert_text=checked.alert_text,
            justification=checked.justification,
            search=data.search if copies else None,
            read_copies=copies,
            hotlist_entry_ids=list(checked.hotlist_entry_ids),
            audit_seqs=list(checked.audit_seqs),
            requested_by=officer,
            requested_at=timezone.now(),
        )
        if data.document_file and checked.basis in rules.DOCUMENT_BASES:
            sharing_request.document_file = data.document_file
        sharing_request.save()
        record(
            EventType.SHARE_REQUESTED,
            actor=actor,
            target=sharing_request,
            summary=(
                f"asked to share {sharing_request.item_count} items with "
                f"{checked.recipient.name} on ground {checked.ground.value}"
            ),
            data={
                **submitted,
                "recipient": {
                    "id": checked.recipient.pk,
                    "name": checked.recipient.name,
                    "ori": checked.recipient.ori,
                    "jurisdiction": checked.recipient.jurisdiction,
                    "kind": checked.recipient.kind,
                },
                "read_ids": sharing_request.read_ids,
                "document_file": sharing_request.document_file.name or "",
            },
        )
        notify(
            [c for c in captains() if c.pk != officer.pk],
            subject=f"Sharing request {sharing_request.pk} awaits your decision",
            body=(
                f"{officer.display_name} asks to share data with "
                f"{checked.recipient.name} ({checked.ground.label})."
            ),
            link=reverse("sharing:request", args=[sharing_request.pk]),
        )
    logger.info("sharing request %s by officer %s", sharing_request.pk, officer.pk)
    return sharing_request


def _recheck(sharing_request: SharingRequest) -> None:
    """The rules again, against the registry as it is now and the data as it
    still exists: a recipient reclassified or a read purged since the request
    stops the share."""
    draft = ShareDraft(
        recipient=sharing_request.recipient,
        ground=sharing_request.ground,
        basis=sharing_request.basis,
        purpose=sharing_request.purpose,
        case_number=sharing_request.case_number,
        proceeding_number=sharing_request.proceeding_number,
        document=Document(
            number=sharing_request.document_number,
            court=sharing_request.document_court,
            issued_on=sharing_request.document_date,
            has_file=bool(sharing_request.document_file),
        ),
        alert_text=sharing_request.alert_text,
        justification=sharing_request.justification,
        read_ids=sharing_request.read_ids,
        hotlist_entry_ids=list(sharing_request.hotlist_entry_ids),
        audit_seqs=list(sharing_request.audit_seqs),
        may_share_audit_records=True,
    )
    errors = []
    try:
        rules.check_share(draft)
    except SharingRefused as exc:
        errors.append(exc)
    if sharing_request.read_copies:
        _, missing = copy_reads(sharing_request.read_ids)
        if missing:
            errors.append(_purged_error(missing))
    if sharing_request.hotlist_entry_ids:
        unusable = _unusable_entries(
            list(sharing_request.hotlist_entry_ids), sharing_request.requested_by
        )
        if unusable:
            errors.append(_entries_error(unusable))
    if sharing_request.audit_seqs:
        missing_seqs = _missing_audit_records(list(sharing_request.audit_seqs))
        if missing_seqs:
            errors.append(
                refusal(
                    "audit_seqs",
                    "data_purged",
                    f"Audit records {', '.join(map(str, missing_seqs[:20]))} no "
                    "longer exist.",
                )
            )
    error = merge_errors(*errors)
    if error is not None:
        raise error


def _decision_guard(
    *, actor: Actor, sharing_request: SharingRequest, event_type: EventType
) -> None:
    officer = actor.officer
    error = None
    if not permissions.may_approve_share(officer):
        error = refusal(
            "__all__",
            "not_captain",
            "Only the Captain of Police Services decides on shares.",
        )
    elif sharing_request.requested_by_id == officer.pk:
        error = refusal(
            "__all__",
            "self_approval",
            "Nobody decides on their own request (separation of duties); another "
            "Captain must decide.",
        )
    elif sharing_request.status != SharingRequest.Status.PENDING:
        error = refusal(
            "__all__",
            "not_pending",
            f"This request was already {sharing_request.get_status_display().lower()}.",
        )
    if error is not None:
        raise refuse(event_type, actor=actor, target=sharing_request, error=error)


class _StatusChanged(Exception):
    """The request left the status its act needs before its row was locked.
    Raised inside the act's transaction, so the act is undone; the refusal is
    recorded once that transaction has rolled back (``_refused_if_changed``)."""

    def __init__(self, locked: SharingRequest, error: SharingRefused) -> None:
        super().__init__(str(error))
        self.locked = locked
        self.error = error


def _lock_in_status(
    *, sharing_request: SharingRequest, status: str, code: str, message: str
) -> SharingRequest:
    """The request's row, locked; ``_StatusChanged`` if it left ``status`` after
    it was checked (another Captain or sender acted first)."""
    locked = SharingRequest.objects.select_for_update().get(pk=sharing_request.pk)
    if locked.status != status:
        raise _StatusChanged(locked, refusal("__all__", code, message))
    return locked


@contextmanager
def _refused_if_changed(actor: Actor) -> Iterator[None]:
    """Around an act's transaction: a ``_StatusChanged`` inside it becomes an
    audited ``SharingRefused``, recorded after the rollback so that it stays."""
    try:
        yield
    except _StatusChanged as changed:
        raise refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            target=changed.locked,
            error=changed.error,
        ) from None


def _decide(
    sharing_request: SharingRequest, *, actor: Actor, status: str, note: str
) -> SharingRequest:
    """The Captain's decision on a request still pending once its row is locked
    (another Captain may have decided it meanwhile); the locked row."""
    locked = _lock_in_status(
        sharing_request=sharing_request,
        status=SharingRequest.Status.PENDING,
        code="not_pending",
        message="Already decided.",
    )
    locked.status = status
    locked.decided_by = actor.officer
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()[:2000]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


def approve_share(
    *, actor: Actor, sharing_request: SharingRequest, note: str = ""
) -> SharingRequest:
    _decision_guard(
        actor=actor, sharing_request=sharing_request, event_type=EventType.SHARE_REFUSED
    )
    try:
        _recheck(sharing_request)
    except SharingRefused as exc:
        raise refuse(
            EventType.SHARE_REFUSED, actor=actor, target=sharing_request, error=exc
        ) from None
    with _refused_if_changed(actor), transaction.atomic():
        locked = _decide(
            sharing_request,
            actor=actor,
            status=SharingRequest.Status.APPROVED,
            note=note,
        )
        record(
            EventType.SHARE_APPROVED,
            actor=actor,
            target=locked,
            summary=f"approved sharing request {locked.pk}",
            data={"note": locked.decision_note, "requested_by": locked.requested_by_id},
        )
        notify(
            [locked.requested_by],
            subject=f"Sharing request {locked.pk} approved",
            link=reverse("sharing:request", args=[locked.pk]),
        )
    return locked


def decline_share(
    *, actor: Actor, sharing_request: SharingRequest, note: str
) -> SharingRequest:
    _decision_guard(
        actor=actor, sharing_request=sharing_request, event_type=EventType.SHARE_REFUSED
    )
    if len(note.strip()) < 5:
        raise refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            target=sharing_request,
            error=refusal("note", "note_missing", "Say why the share is declined."),
        )
    with _refused_if_changed(actor), transaction.atomic():
        # A decline racing an approval or a dissemination must not overwrite it.
        locked = _decide(
            sharing_request,
            actor=actor,
            status=SharingRequest.Status.REFUSED,
            note=note,
        )
        record(
            EventType.SHARE_DECLINED,
            actor=actor,
            outcome=Outcome.REFUSED,
            target=locked,
            summary=f"declined sharing request {locked.pk}",
            data={"note": locked.decision_note},
        )
        notify(
            [locked.requested_by],
            subject=f"Sharing request {locked.pk} declined",
            body=locked.decision_note,
            link=reverse("sharing:request", args=[locked.pk]),
        )
    return locked


def record_acknowledgment(
    *,
    actor: Actor,
    sharing_request: SharingRequest,
    signed_by: str,
    signed_on: date | None,
    statement: str,
    file: UploadedFile | None = None,
) -> Acknowledgment:
    """The receiving agency's written undertaking to follow §9 with the data."""
    officer = actor.officer
    problems: dict[str, list[str]] = {}
    if not permissions.may_disseminate(officer, sharing_request):
        problems["__all__"] = ["Only the requester or records staff record this."]
    if hasattr(sharing_request, "acknowledgment"):
        problems["__all__"] = ["An acknowledgment is already recorded."]
    if len((signed_by or "").strip()) < 3:
        problems["signed_by"] = ["Name the person who signed for the recipient."]
    if signed_on is None:
        problems["signed_on"] = ["Give the date it was signed."]
    elif signed_on > timezone.localdate():
        problems["signed_on"] = ["It cannot be signed in the future."]
    if len((statement or "").strip()) < 20:
        problems["statement"] = [
            "Record the written statement that the recipient will follow §9 "
            "(no sale, no federal, other-state, private or commercial database)."
        ]
    if problems:
        raise refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            target=sharing_request,
            error=SharingRefused(problems, ["acknowledgment_incomplete"]),
            submitted={"signed_by": signed_by, "signed_on": signed_on},
        )
    with transaction.atomic():
        acknowledgment = Acknowledgment(
            request=sharing_request,
            signed_by=signed_by.strip()[:200],
            signed_on=signed_on,
            statement=statement.strip(),
            recorded_by=officer,
            recorded_at=timezone.now(),
        )
        if file:
            acknowledgment.file = file
        acknowledgment.save()
        record(
            EventType.SHARE_ACKNOWLEDGED,
            actor=actor,
            target=sharing_request,
            summary=f"recorded {signed_by.strip()[:80]}'s acknowledgment",
            data={
                "signed_by": acknowledgment.signed_by,
                "signed_on": signed_on.isoformat(),
                "file": acknowledgment.file.name or "",
            },
        )
    return acknowledgment


# --- What leaves -------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    filename: str
    content_type: str
    content: bytes


def _build_package(
    sharing_request: SharingRequest, *, officer: Officer, sent_at: datetime
) -> tuple[Package, dict[str, Any]]:
    recipient = sharing_request.recipient
    watermark = files.Watermark(
        export_id=f"share-{sharing_request.pk}",
        officer=f"{officer.display_name} ({officer.username})",
        at=sent_at.isoformat(timespec="seconds"),
        lines=(
            ("recipient", f"{recipient.name} {recipient.ori}".strip()),
            ("ground", sharing_request.get_ground_display()),
            ("case_number", sharing_request.case_number),
        ),
    )
    contents: dict[str, Any] = {
        "read_ids": sharing_request.read_ids,
        "hotlist_entry_ids": list(sharing_request.hotlist_entry_ids),
        "audit_seqs": list(sharing_request.audit_seqs),
    }
    if sharing_request.ground == Ground.PUBLIC_ALERT:
        # What is published is the alert text itself; the checksum is of it.
        # TODO: an emergency alert waits for the Captain like any share; a
        # department that needs to publish first would add an after-the-fact
        # review path here, with its own audit event.
        content = sharing_request.alert_text.encode("utf-8")
        contents["published_text"] = sharing_request.alert_text
        return (
            Package(f"public-alert-{sharing_request.pk}.txt", "text/plain", content),
            contents,
        )
    rows: list[list[object]] = []
    reads = PlateRead.objects.filter(id__in=sharing_request.read_ids).select_related(
        "camera"
    )
    for read in reads.order_by("captured_at", "id"):
        rows.append(
            [
                "read",
                read.id,
                read.captured_at.isoformat(),
                read.plate,
                read.state,
                read.camera.name,
                read.latitude,
                read.longitude,
                "",
            ]
        )
    entries = entry_copies(list(sharing_request.hotlist_entry_ids))
    contents["hotlist_entries"] = entries
    for entry in entries:
        detail = f"{entry['category']}; list: {entry['list']}"
        if entry["ncic_number"]:
            detail += f"; NCIC {entry['ncic_number']}"
        rows.append(
            [
                "hotlist_entry",
                entry["id"],
                "",
                entry["plate"],
                entry["state"],
                "",
                "",
                "",
                detail,
            ]
        )
    events = AuditEvent.objects.filter(seq__in=sharing_request.audit_seqs).order_by(
        "seq"
    )
    for event in events:
        rows.append(
            [
                "audit_record",
                event.seq,
                event.occurred_at.isoformat(),
                "",
                "",
                "",
                "",
                "",
                f"{event.event_type} {event.actor_label}: {event.summary} "
                f"[hash {event.hash}]",
            ]
        )
    content, _count = files.render_csv(
        watermark,
        [
            "kind",
            "id",
            "time",
            "plate",
            "state",
            "camera",
            "latitude",
            "longitude",
            "detail",
        ],
        rows,
    )
    return Package(f"share-{sharing_request.pk}.csv", "text/csv", content), contents


def disseminate(
    *,
    actor: Actor,
    sharing_request: SharingRequest,
    method: str,
    received_by: str,
) -> tuple[Dissemination, Package]:
    """Builds what leaves, records it with its checksum, and returns both."""
    officer = actor.officer
    error = None
    if not permissions.may_disseminate(officer, sharing_request):
        error = refusal(
            "__all__",
            "not_permitted",
            "Only the requester, records staff or the Captain send approved data.",
        )
    elif sharing_request.status != SharingRequest.Status.APPROVED:
        error = refusal(
            "__all__",
            "not_approved",
            "Nothing leaves before the Captain approves the request "
            f"(it is {sharing_request.get_status_display().lower()}).",
        )
    elif rules.needs_acknowledgment(sharing_request.recipient) and not hasattr(
        sharing_request, "acknowledgment"
    ):
        error = refusal(
            "acknowledgment",
            "acknowledgment_missing",
            f"{sharing_request.recipient.name} has not acknowledged in writing that "
            "it will follow §9 with the data; record its acknowledgment first.",
        )
    elif method not in Dissemination.Method.values or method == (
        Dissemination.Method.VENDOR_ACCESS
    ):
        error = refusal("method", "method_unknown", "Choose how the data is sent.")
    elif (method == Dissemination.Method.PUBLIC) != (
        sharing_request.ground == Ground.PUBLIC_ALERT
    ):
        error = refusal(
            "method",
            "method_mismatch",
            "Only a public alert (ground 6) is published, and it is only published.",
        )
    elif len((received_by or "").strip()) < 3:
        error = refusal(
            "received_by",
            "receiver_missing",
            "Name the person (or, for an alert, the channel) that received it.",
        )
    if error is None:
        try:
            _recheck(sharing_request)
        except SharingRefused as exc:
            error = exc
    if error is not None:
        raise refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            target=sharing_request,
            error=error,
            submitted={"method": method, "received_by": received_by},
        )
    with _refused_if_changed(actor), transaction.atomic():
        locked = _lock_in_status(
            sharing_request=sharing_request,
            status=SharingRequest.Status.APPROVED,
            code="not_approved",
            message="Already disseminated.",
        )
        sent_at = timezone.now()
        package, contents = _build_package(locked, officer=officer, sent_at=sent_at)
        digest = files.checksum(package.content)
        dissemination = Dissemination.objects.create(
            request=locked,
            recipient=locked.recipient,
            ground=locked.ground,
            method=method,
            received_by=received_by.strip()[:200],
            sent_by=officer,
            sent_at=sent_at,
            contents=contents,
            description=package.filename,
            sha256=digest,
            size_bytes=len(package.content),
        )
        locked.status = SharingRequest.Status.DISSEMINATED
        locked.save(update_fields=["status"])
        record(
            EventType.SHARE_DISSEMINATED,
            actor=actor,
            target=dissemination,
            summary=(
                f"sent {locked.item_count} items to {locked.recipient.name} "
                f"({dissemination.get_method_display().lower()})"
            ),
            data={
                "request": locked.pk,
                "recipient": locked.recipient.name,
                "ground": locked.ground,
                "method": method,
                "received_by": dissemination.received_by,
                "sha256": digest,
                "size_bytes": len(package.content),
                "read_ids": contents["read_ids"],
                "audit_seqs": contents["audit_seqs"],
                "hotlist_entry_ids": contents["hotlist_entry_ids"],
            },
        )
    logger.info(
        "sharing request %s disseminated, sha256 %s", sharing_request.pk, digest
    )
    return dissemination, package


def record_vendor_access(
    *,
    actor: Actor,
    vendor: Organisation | None,
    basis: str,
    description: str,
    accessed_by: str,
) -> Dissemination:
    """§9.C.5, §10.A: the vendor looked at data for maintenance or quality
    assurance; recorded as a dissemination to the vendor."""
    officer = actor.officer
    problems: dict[str, list[str]] = {}
    codes: list[str] = []
    if not permissions.may_keep_records(officer):
        problems["__all__"] = ["Only records staff or the Captain record this."]
        codes.append("not_permitted")
    if vendor is None or vendor.kind != Organisation.Kind.VENDOR:
        problems["vendor"] = ["Choose the vendor from the registry."]
        codes.append("recipient_wrong_kind")
    if basis not in rules.GROUND_BASES[Ground.VENDOR]:
        problems["basis"] = [
            "The vendor may access data for maintenance or quality assurance only "
            "(§9.C.5, §10.A)."
        ]
        codes.append("vendor_not_maintenance")
    if len((description or "").strip()) < 10:
        problems["description"] = [
            "Describe what was accessed and why (the vendor's ticket number)."
        ]
        codes.append("description_missing")
    if len((accessed_by or "").strip()) < 3:
        problems["accessed_by"] = ["Name the vendor's engineer."]
        codes.append("receiver_missing")
    if problems:
        raise refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            error=SharingRefused(problems, codes),
            object_type="sharing.dissemination",
            submitted={"vendor": vendor, "basis": basis, "description": description},
        )
    assert vendor is not None
    with transaction.atomic():
        text = description.strip()
        dissemination = Dissemination.objects.create(
            request=None,
            recipient=vendor,
            ground=Ground.VENDOR,
            method=Dissemination.Method.VENDOR_ACCESS,
            received_by=accessed_by.strip()[:200],
            sent_by=officer,
            sent_at=timezone.now(),
            contents={"basis": basis},
            description=text,
            sha256=files.checksum(text.encode("utf-8")),
            size_bytes=len(text.encode("utf-8")),
        )
        record(
            EventType.VENDOR_ACCESS,
            actor=actor,
            target=dissemination,
            summary=f"{vendor.name} accessed data for {Basis(basis).label.lower()}",
            data={"basis": basis, "description": text, "accessed_by": accessed_by},
        )
    return dissemination


def record_foia_request(
    *, actor: Actor, requester: str, received_on: date | None, description: str
) -> FoiaRequest:
    """Records a FOIA request and its answer: refused, §9.A cited. Never fulfilled."""
    officer = actor.officer
    problems: dict[str, list[str]] = {}
    if not permissions.may_keep_records(officer):
        problems["__all__"] = ["Only records staff or the Captain answer FOIA."]
    if len((requester or "").strip()) < 2:
        problems["requester"] = ["Name the requester."]
    if received_on is None:
        problems["received_on"] = ["Give the date the request arrived."]
    elif received_on > timezone.localdate():
        problems["received_on"] = ["A request cannot arrive in the future."]
    if len((description or "").strip()) < 5:
        problems["description"] = ["Record what was asked for."]
    if problems:
        raise refuse(
            EventType.FOIA_REFUSED,
            actor=actor,
            error=SharingRefused(problems, ["foia_incomplete"]),
            object_type="sharing.foiarequest",
            submitted={"requester": requester, "received_on": received_on},
        )
    assert received_on is not None
    now = timezone.now()
    with transaction.atomic():
        foia = FoiaRequest.objects.create(
            received_on=received_on,
            requester=requester.strip()[:200],
            description=description.strip(),
            recorded_by=officer,
            recorded_at=now,
            answer=FOIA_ANSWER.format(received_on=received_on.isoformat()),
            answered_at=now,
        )
        record(
            EventType.FOIA_REFUSED,
            actor=actor,
            outcome=Outcome.REFUSED,
            target=foia,
            summary="FOIA request refused: exempt under §9.A (Code of Virginia "
            "§ 2.2-5517)",
            data={"requester": foia.requester, "received_on": received_on.isoformat()},
        )
    return foia


# --- Network query access (§9.C.1) -----------------------------------------------


def grant_network_access(
    *,
    actor: Actor,
    organisation: Organisation | None,
    expires_at: datetime | None,
    justification: str,
) -> NetworkAccessGrant:
    officer = actor.officer
    now = timezone.now()
    errors = []
    if not permissions.may_approve_share(officer):
        errors.append(
            refusal(
                "__all__",
                "not_captain",
                "Only the Captain grants network query access.",
            )
        )
    try:
        rules.check_network_grant(organisation, expires_at=expires_at, now=now)
    except SharingRefused as exc:
        errors.append(exc)
    if len((justification or "").strip()) < 10:
        errors.append(
            refusal(
                "justification",
                "justification_missing",
                "Say why this agency needs to query the department's data.",
            )
        )
    if (
        organisation is not None
        and NetworkAccessGrant.objects.filter(
            organisation=organisation, revoked_at__isnull=True
        ).exists()
    ):
        errors.append(
            refusal(
                "organisation",
                "grant_exists",
                f"{organisation.name} already has a grant; review or revoke it.",
            )
        )
    error = merge_errors(*errors)
    if error is not None:
        raise refuse(
            EventType.NETWORK_GRANT_REFUSED,
            actor=actor,
            error=error,
            object_type="sharing.networkaccessgrant",
            submitted={"organisation": organisation, "expires_at": expires_at},
        )
    assert organisation is not None and expires_at is not None
    from .settings_watch import approve_current_settings

    with transaction.atomic():
        grant = NetworkAccessGrant.objects.create(
            organisation=organisation,
            granted_by=officer,
            granted_at=now,
            expires_at=expires_at,
            justification=justification.strip(),
            reviewed_at=now,
            reviewed_by=officer,
        )
        record(
            EventType.NETWORK_GRANTED,
            actor=actor,
            target=grant,
            summary=f"granted {organisation.name} network query access",
            data={
                "organisation": organisation.name,
                "ori": organisation.ori,
                "expires_at": expires_at.isoformat(),
            },
        )
        # The Captain's grant is itself the approval of the new settings.
        approve_current_settings(actor=actor, reason=f"grant {grant.pk}")
    return grant


def review_grant(
    *, actor: Actor, grant: NetworkAccessGrant, keep: bool, note: str = ""
) -> NetworkAccessGrant:
    """The monthly review: keep the grant (until its expiry) or revoke it."""
    officer = actor.officer
    if not permissions.may_approve_share(officer):
        raise refuse(
            EventType.NETWORK_GRANT_REFUSED,
            actor=actor,
            target=grant,
            error=refusal(
                "__all__", "not_captain", "Only the Captain reviews network access."
            ),
        )
    now = timezone.now()
    if keep and not grant.is_active(now=now):
        raise refuse(
            EventType.NETWORK_GRANT_REFUSED,
            actor=actor,
            target=grant,
            error=refusal(
                "__all__",
                "grant_expired",
                "This grant has expired or was revoked; grant access anew.",
            ),
        )
    from .settings_watch import approve_current_settings

    with transaction.atomic():
        if keep:
            grant.reviewed_at = now
            grant.reviewed_by = officer
            grant.save(update_fields=["reviewed_at", "reviewed_by"])
        else:
            grant.revoked_at = now
            grant.revoked_by = officer
            grant.save(update_fields=["revoked_at", "revoked_by"])
        record(
            EventType.NETWORK_REVIEWED if keep else EventType.NETWORK_REVOKED,
            actor=actor,
            target=grant,
            summary=(
                f"{'kept' if keep else 'revoked'} {grant.organisation.name}'s "
                "network query access"
            ),
            data={"note": note.strip()[:1000], "expires_at": grant.expires_at},
        )
        if not keep:
            approve_current_settings(actor=actor, reason=f"revoked grant {grant.pk}")
    return grant


def register_organisation(*, actor: Actor, values: dict[str, Any]) -> Organisation:
    """Adds an organisation to the registry (Captain, records or administrator)."""
    if not permissions.may_keep_registry(actor.officer):
        raise refuse(
            EventType.ORGANISATION_REGISTERED,
            actor=actor,
            object_type="sharing.organisation",
            submitted=values,
            error=refusal(
                "__all__",
                "not_permitted",
                "Only the Captain, records staff or administrators keep the registry.",
            ),
        )
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=values["name"].strip(),
            ori=(values.get("ori") or "").strip().upper(),
            jurisdiction=values["jurisdiction"],
            state=(values.get("state") or "").strip().upper(),
            kind=values["kind"],
            notes=values.get("notes") or "",
        )
        record(
            EventType.ORGANISATION_REGISTERED,
            actor=actor,
            target=organisation,
            summary=f"registered {organisation.name}",
            data={
                "ori": organisation.ori,
                "jurisdiction": organisation.jurisdiction,
                "kind": organisation.kind,
            },
        )
    return organisation


def classify_organisation(
    *, actor: Actor, organisation: Organisation, jurisdiction: str, kind: str
) -> Organisation:
    """The Captain confirms (or corrects) where an organisation's authority comes
    from and what it is; until then no share may name it."""
    problems: dict[str, list[str]] = {}
    if not permissions.may_approve_share(actor.officer):
        problems["__all__"] = ["Only the Captain classifies organisations."]
    if jurisdiction not in Organisation.Jurisdiction.values:
        problems["jurisdiction"] = [f"{jurisdiction!r} is not a jurisdiction."]
    if kind not in Organisation.Kind.values:
        problems["kind"] = [f"{kind!r} is not a kind of organisation."]
    if problems:
        raise refuse(
            EventType.CONFIG_CHANGED,
            actor=actor,
            target=organisation,
            error=SharingRefused(problems, ["classification_refused"]),
            submitted={"jurisdiction": jurisdiction, "kind": kind},
        )
    before = {"jurisdiction": organisation.jurisdiction, "kind": organisation.kind}
    with transaction.atomic():
        organisation.jurisdiction = jurisdiction
        organisation.kind = kind
        organisation.needs_classification = False
        organisation.save(
            update_fields=["jurisdiction", "kind", "needs_classification"]
        )
        record(
            EventType.CONFIG_CHANGED,
            actor=actor,
            target=organisation,
            summary=f"classified {organisation.name}",
            data={
                "before": before,
                "after": {"jurisdiction": jurisdiction, "kind": kind},
            },
        )
    return organisation
