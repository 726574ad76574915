"""Downloads (§6.A): search results for a §3 purpose and case, and audit-trail
extracts for the Captain's audit reports. Each is watermarked, checksummed and
recorded (``Export``) in the same transaction as its audit record."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent
from audits.trail import record
from queries.models import PlateRead, Search

from . import files, permissions, rules
from .models import Export
from .rules import SharingRefused
from .services import merge_errors, refusal, refuse

logger = logging.getLogger(__name__)

# An audit-trail extract covers at most this many records; a larger report is
# made of several extracts.
MAX_AUDIT_ROWS = 100_000


@dataclass(frozen=True)
class Download:
    export: Export
    filename: str
    content_type: str
    content: bytes


def _watermark(officer, export_id: str, at: datetime, lines) -> files.Watermark:
    badge = f", badge {officer.badge_number}" if officer.badge_number else ""
    return files.Watermark(
        export_id=export_id,
        officer=f"{officer.display_name} ({officer.username}{badge})",
        at=at.isoformat(timespec="seconds"),
        lines=tuple(lines),
    )


def export_search(
    *, actor: Actor, search: Search, fmt: str, purpose: str, case_number: str
) -> Download:
    """The reads a search returned that still exist, as CSV or PDF."""
    officer = actor.officer
    submitted = {
        "search": search.pk,
        "format": fmt,
        "purpose": purpose,
        "case_number": case_number,
    }
    errors = []
    if officer is None or not officer.may_search() or search.officer_id != officer.pk:
        errors.append(
            refusal(
                "__all__", "not_permitted", "Only the officer who searched exports."
            )
        )
    if fmt not in ("csv", "pdf"):
        errors.append(refusal("format", "format_unknown", "Choose CSV or PDF."))
    try:
        purpose, case = rules.check_export(purpose=purpose, case_number=case_number)
    except SharingRefused as exc:
        errors.append(exc)
    reads = []
    if not errors:
        reads = list(
            PlateRead.objects.filter(id__in=search.read_ids)
            .select_related("camera")
            .order_by("-captured_at", "-id")
        )
        if search.read_ids and not reads:
            errors.append(
                refusal(
                    "__all__",
                    "data_purged",
                    "Every read this search returned has been destroyed at the end "
                    "of the retention period (§8.A); there is nothing to export.",
                )
            )
    if errors:
        raise refuse(
            EventType.EXPORT_REFUSED,
            actor=actor,
            error=merge_errors(*errors),
            object_type="sharing.export",
            submitted=submitted,
        )
    now = timezone.now()
    export_id = str(uuid.uuid4())
    watermark = _watermark(
        officer,
        export_id,
        now,
        [
            ("search", str(search.pk)),
            ("purpose", purpose),
            ("case_number", case),
        ],
    )
    header = ["read_id", "captured_at", "plate", "state", "camera", "lat", "lon"]
    rows = [
        [
            read.id,
            read.captured_at.isoformat(),
            read.plate,
            read.state,
            read.camera.name,
            read.latitude,
            read.longitude,
        ]
        for read in reads
    ]
    if fmt == "csv":
        content, count = files.render_csv(watermark, header, rows)
        kind, content_type = Export.Kind.SEARCH_CSV, "text/csv"
    else:
        content, count = files.render_pdf(
            watermark, f"Search {search.pk}: plate reads", header, rows
        )
        kind, content_type = Export.Kind.SEARCH_PDF, "application/pdf"
    digest = files.checksum(content)
    with transaction.atomic():
        export = Export.objects.create(
            public_id=export_id,
            kind=kind,
            officer=officer,
            created_at=now,
            search=search,
            purpose=purpose,
            case_number=case,
            row_count=count,
            read_ids=[read.id for read in reads],
            sha256=digest,
            size_bytes=len(content),
        )
        record(
            EventType.EXPORT,
            actor=actor,
            target=export,
            summary=f"exported {count} reads of search {search.pk} as {fmt.upper()}",
            data={
                "export_id": export_id,
                "search": search.pk,
                "format": fmt,
                "purpose": purpose,
                "case_number": case,
                "row_count": count,
                "read_ids": export.read_ids,
                "sha256": digest,
                "size_bytes": len(content),
            },
        )
    logger.info("export %s of search %s, sha256 %s", export_id, search.pk, digest)
    return Download(
        export, f"search-{search.pk}-{export_id[:8]}.{fmt}", content_type, content
    )


def export_audit_trail(
    *, actor: Actor, start: datetime | None, end: datetime | None, report: str
) -> Download:
    """An audit-trail extract for an audit report (§6.A's exception): Captain only."""
    officer = actor.officer
    submitted = {"start": start, "end": end, "report": report}
    problems: dict[str, list[str]] = {}
    if not permissions.may_download_audit_trail(officer):
        problems["__all__"] = [
            "Only the Captain downloads the audit trail, for audit reports (§6.A)."
        ]
    if len((report or "").strip()) < 5:
        problems["report"] = ["Name the audit report this download serves."]
    if start is None or end is None:
        problems["period"] = ["Give the start and end of the period."]
    elif end <= start:
        problems["period"] = ["The period must end after it starts."]
    events = []
    if not problems:
        events = list(
            AuditEvent.objects.between(start, end).order_by("seq")[: MAX_AUDIT_ROWS + 1]
        )
        if len(events) > MAX_AUDIT_ROWS:
            problems["period"] = [
                f"The period holds more than {MAX_AUDIT_ROWS} records; shorten it."
            ]
    if problems:
        raise refuse(
            EventType.EXPORT_REFUSED,
            actor=actor,
            error=SharingRefused(problems, ["audit_download_refused"]),
            object_type="sharing.export",
            submitted=submitted,
        )
    now = timezone.now()
    export_id = str(uuid.uuid4())
    watermark = _watermark(
        officer,
        export_id,
        now,
        [
            ("report", report.strip()),
            ("period", f"{start.isoformat()} to {end.isoformat()}"),
        ],
    )
    header = [
        "seq",
        "occurred_at",
        "event_type",
        "outcome",
        "actor",
        "role",
        "ip",
        "object",
        "summary",
        "prev_hash",
        "hash",
    ]
    rows = [
        [
            e.seq,
            e.occurred_at.isoformat(),
            e.event_type,
            e.outcome,
            e.actor_label,
            e.actor_role,
            e.ip or "",
            f"{e.object_type}:{e.object_id}",
            e.summary,
            e.prev_hash,
            e.hash,
        ]
        for e in events
    ]
    content, count = files.render_csv(watermark, header, rows)
    digest = files.checksum(content)
    with transaction.atomic():
        export = Export.objects.create(
            public_id=export_id,
            kind=Export.Kind.AUDIT_CSV,
            officer=officer,
            created_at=now,
            report=report.strip()[:200],
            period_start=start,
            period_end=end,
            row_count=count,
            sha256=digest,
            size_bytes=len(content),
        )
        record(
            EventType.EXPORT,
            actor=actor,
            target=export,
            summary=f"downloaded {count} audit records for {report.strip()[:80]}",
            data={
                "export_id": export_id,
                "report": report.strip(),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "row_count": count,
                "seq_range": [rows[0][0], rows[-1][0]] if rows else [],
                "sha256": digest,
            },
        )
    return Download(export, f"audit-trail-{export_id[:8]}.csv", "text/csv", content)
