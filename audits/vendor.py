"""Reading the vendor's audit exports (see shared VENDOR-EXPORTS notes).

Three layouts, recognised from the header: Flock's Organization Audit (our own
officers searching), its Network Audit (other organisations searching our cameras)
and the transparency portal's Public Search Audit (two vintages). Every quirk real
files have is absorbed here: time frames in one two-line cell, in one
"<start> to <end>" cell or in two columns; header names with leading spaces or
underscores; masked cells; "——" counts; optional case-number and offense-type
columns. Rows are normalised to ``ParsedRow``; ``row_hash`` identifies a row so a
re-import is recognised.
"""

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from flockgov.csvfiles import Record

from .models import VendorSearch

MASKS = {"***", "redacted", "[redacted]", "###", "* * *", "**", "*****"}
EMPTY_COUNTS = {"", "——", "—", "--", "-", "n/a"}

# Each field and the header names that carry it (after ``normalise_header``).
FLOCK_COLUMNS = {
    "vendor_id": ("id", "search id"),
    "user": ("name", "user", "user name", "username"),
    "org": ("org name", "organization", "organization name", "org", "agency"),
    "networks": ("total networks searched", "networks searched"),
    "devices": ("total devices searched", "devices searched"),
    "time_frame": ("time frame", "timeframe"),
    "window_start": (
        "time frame start",
        "start time frame",
        "time frame from",
        "time frame (start)",
        "start time",
        "start",
    ),
    "window_end": (
        "time frame end",
        "end time frame",
        "time frame to",
        "time frame (end)",
        "end time",
        "end",
    ),
    "plate": ("license plate", "plate", "license plate number"),
    "reason": ("reason", "search reason"),
    "case_number": ("case #", "case", "case number", "case no", "case no."),
    "offense_type": ("offense type", "offense"),
    "filters": ("filters",),
    "searched_at": ("search time", "search date", "searched at"),
    "search_type": ("search type",),
    "text_prompt": ("text prompt", "prompt"),
    "moderation": ("moderation",),
}
PORTAL_COLUMNS = {
    "vendor_id": ("id",),
    "user": ("userid", "user id"),
    "searched_at": ("searchdate", "search date"),
    "devices": ("cameracount", "camera count"),
    "networks": ("networkcount", "network count"),
    "reason": ("reason",),
    "case_number": ("casenumber", "case number"),
    "offense_type": ("offensetype", "offense type"),
}


class LayoutError(ValueError):
    """The header matches no known vendor export."""


class RowError(ValueError):
    """One row cannot be imported; the message says why."""


@dataclass
class Layout:
    kind: str  # "flock" (org or network, decided by the rows) or "portal"
    columns: dict[str, str]  # field -> header name present in the file

    def has(self, name: str) -> bool:
        return name in self.columns


def _pick(header: list[str], names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    present = set(header)
    found = {}
    for field_name, candidates in names.items():
        for candidate in candidates:
            if candidate in present:
                found[field_name] = candidate
                break
    return found


def detect(header: list[str], forced: str | None = None) -> Layout:
    """Which export this header belongs to; raises ``LayoutError`` if none."""
    portal = _pick(header, PORTAL_COLUMNS)
    flock = _pick(header, FLOCK_COLUMNS)
    looks_portal = {"searchdate", "reason"} <= set(header) or (
        "searched_at" in portal and "user" in portal and "reason" in portal
    )
    looks_flock = "searched_at" in flock and "reason" in flock
    if forced == "portal" or (forced is None and looks_portal and not looks_flock):
        if not {"searched_at", "reason"} <= portal.keys():
            raise LayoutError(
                "not a portal search audit: it needs searchDate and reason columns "
                f"(found: {', '.join(header)})"
            )
        return Layout("portal", portal)
    if forced in ("org", "network") or (forced is None and looks_flock):
        if not {"searched_at", "reason"} <= flock.keys():
            raise LayoutError(
                "not a Flock search audit: it needs Search Time and Reason columns "
                f"(found: {', '.join(header)})"
            )
        return Layout("flock", flock)
    raise LayoutError(
        "unknown layout: expected Flock's Organization or Network Audit (Search "
        "Time, Reason, ...) or a portal search audit (id, userId, searchDate, "
        f"reason); found columns: {', '.join(header) or 'none'}"
    )


_US_TIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$"
)


def parse_time(text: str) -> datetime:
    """Vendor time text as an aware UTC datetime; raises ``RowError``."""
    raw = " ".join(text.split())
    value = re.sub(r"\s*(UTC|GMT)$", "", raw, flags=re.IGNORECASE)
    match = _US_TIME.match(value)
    try:
        if match:
            month, day, year, hour, minute = (int(match[i]) for i in range(1, 6))
            second = int(match[6] or 0)
            if match[7]:
                if not 1 <= hour <= 12:
                    raise ValueError("hour out of range for AM/PM")
                hour = hour % 12 + (12 if match[7].lower() == "pm" else 0)
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise RowError(f"unparseable time {raw!r}") from None
    if parsed.tzinfo is None:
        # The portal's 2025 vintage writes UTC without saying so.
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def split_time_frame(text: str) -> tuple[str, str]:
    parts = [p.strip() for p in re.split(r"\r?\n|\s+to\s+", text.strip()) if p.strip()]
    if len(parts) != 2:
        raise RowError(f"time frame {text.strip()!r} is not '<start> to <end>'")
    return parts[0], parts[1]


def parse_count(text: str, column: str) -> int | None:
    value = text.strip().replace(",", "")
    if value.lower() in EMPTY_COUNTS:
        return None
    if not value.isdigit():
        raise RowError(f"{column}: {text.strip()!r} is not a count")
    return int(value)


@dataclass
class ParsedRow:
    line: int
    vendor_id: str = ""
    user: str = ""
    org: str = ""
    searched_at: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    networks: int | None = None
    devices: int | None = None
    plate: str = ""
    reason: str = ""
    case_number: str = ""
    offense_type: str = ""
    filters: str = ""
    search_type: str = ""
    text_prompt: str = ""
    moderation: str = ""
    masked: list[str] = field(default_factory=list)

    def row_hash(self, kind: str) -> str:
        values = asdict(self)
        values.pop("line")
        values["kind"] = kind
        text = "\x1f".join(
            f"{key}={value.isoformat() if isinstance(value, datetime) else value}"
            for key, value in sorted(values.items())
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


TEXT_FIELDS = (
    "vendor_id",
    "user",
    "org",
    "plate",
    "reason",
    "case_number",
    "offense_type",
    "filters",
    "search_type",
    "text_prompt",
    "moderation",
)


def parse_row(record: Record, layout: Layout, width: int) -> ParsedRow:
    """One record as a ``ParsedRow``; raises ``RowError`` naming the problem."""
    if record.width == -1:
        raise RowError(record.extra[0] if record.extra else "unreadable row")
    if record.width < width:
        raise RowError(f"truncated row: {record.width} of {width} columns")
    if any(cell.strip() for cell in record.extra):
        raise RowError(f"{record.width} cells where the header has {width}")
    row = ParsedRow(line=record.line)

    def cell(name: str) -> str:
        column = layout.columns.get(name)
        if column is None:
            return ""
        value = record.values.get(column, "").strip()
        if value.lower() in MASKS:
            row.masked.append(name.replace("_", " "))
            return ""
        return value

    for name in TEXT_FIELDS:
        value = cell(name)
        # Multi-line cells keep their words, not their line breaks.
        setattr(row, name, " ".join(value.split()) if name != "reason" else value)
    row.reason = " ".join(row.reason.split())
    searched = cell("searched_at")
    if not searched:
        raise RowError("no search time")
    row.searched_at = parse_time(searched)
    if layout.has("time_frame"):
        frame = cell("time_frame")
        if frame:
            start, end = split_time_frame(frame)
            row.window_start, row.window_end = parse_time(start), parse_time(end)
    elif layout.has("window_start") or layout.has("window_end"):
        start, end = cell("window_start"), cell("window_end")
        row.window_start = parse_time(start) if start else None
        row.window_end = parse_time(end) if end else None
    if row.window_start and row.window_end and row.window_end < row.window_start:
        raise RowError("time frame ends before it starts")
    row.networks = parse_count(cell("networks"), "networks searched")
    row.devices = parse_count(cell("devices"), "devices searched")
    if not layout.has("case_number"):
        row.masked.append("case number")  # absent column: nothing to judge
    return row


def to_model(row: ParsedRow, *, kind: str, source: str, now: datetime) -> VendorSearch:
    return VendorSearch(
        kind=kind,
        row_hash=row.row_hash(kind),
        source_file=source[:200],
        source_line=row.line,
        vendor_id=row.vendor_id[:100],
        user_label=row.user[:200],
        org_name=row.org[:200],
        searched_at=row.searched_at,
        window_start=row.window_start,
        window_end=row.window_end,
        networks_searched=row.networks,
        devices_searched=row.devices,
        plate=row.plate[:100],
        reason=row.reason,
        case_number=row.case_number[:100],
        offense_type=row.offense_type[:300],
        filters=row.filters,
        search_type=row.search_type[:60],
        text_prompt=row.text_prompt,
        moderation=row.moderation[:20],
        masked=row.masked,
        imported_at=now,
    )
