"""Importing plate reads from CSV files: the two layouts, their rules, and storage.

``import_file`` is the service behind ``manage.py import_reads`` (and anything
else that loads a file of reads). It recognises the layout from the header, checks
every record, reports each bad one with the physical line it starts on, stores the
good ones through ``queries.ingest.store_stream`` (COPY, in batches) and writes one
``reads.imported`` audit record. ``docs/import-formats.md`` describes the layouts
and every rejection reason for people who prepare the files.

One transaction, audited at its end
-----------------------------------
Every batch is stored inside one transaction that ends with the ``reads.imported``
audit record. A crash or a failed audit write part-way through therefore leaves
nothing stored (and so nothing stored unaudited), and running the same file again
after a failure cannot store a read twice. Committing batch by batch with the
record at the end would leave the committed batches unaudited after a crash;
writing the record first would audit reads that were never stored.

A long transaction must not hold what others wait for. The day partitions the
reads may need (the retention window is all there can be) are created before it
opens; cameras the file introduces get ids reserved from their sequence and are
created, with their audit records, at the end, so the audit chain's lock is only
taken in the last moments. ``--shift-to-now`` reads the file once more beforehand
to find the newest read.

Records are checked while COPY streams the batch before them into the table, so no
query can run in the middle of a batch: camera ids are reserved between batches,
and a batch ends early at a new camera when the reserved ones have run out.
"""

import hashlib
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audits import statistics
from audits.context import Actor, acting_as
from audits.events import EventType, Outcome
from audits.trail import record
from flockgov.csvfiles import Record, UnusableFile, normalise_header, read_records
from flockgov.db import partitions

from .ingest import NewRead, store_stream
from .models import Camera, read_cutoff
from .plates import PlateError, is_hashed_plate, normalise_state, strict_plate
from .sql import RESERVE_IDS

logger = logging.getLogger(__name__)

PUBLIC_RECORDS = "public-records"
GENERIC = "generic"

PUBLIC_RECORDS_COLUMNS = (
    "dt",
    "location",
    "address",
    "device",
    "plate_hash",
    "lon",
    "lat",
)
GENERIC_COLUMNS = ("plate", "state", "captured_at", "camera", "lat", "lon")
GENERIC_OPTIONAL_COLUMNS = ("make", "color", "confidence")

# Batches between 5,000 and 20,000 reads keep each COPY large enough to be fast and
# each hand-over to the ``reads_ingested`` listeners small enough to hold in memory.
DEFAULT_BATCH_SIZE = 10_000
# Camera clocks drift; a read a few minutes "in the future" is a clock, not a forgery.
FUTURE_TOLERANCE = timedelta(minutes=5)
# How many rejected line numbers the audit record lists (the counts are complete).
AUDITED_REJECTED_LINES = 50

_SEPARATORS = (";", "\t", "|")
_PUBLIC_TIME = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*-\s*(\d{1,2}):(\d{2}):(\d{2})\s*$"
)
_DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/#-]{0,63}$")
_VEHICLE_WORDS = re.compile(r"\b(?:car|vehicle|mobile|patrol|unit)\b", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"^[\w .,/&'()-]*$")


class RowError(ValueError):
    """One record breaks a rule; ``kind`` groups reasons for the audit record."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Layout:
    shape: str
    columns: tuple[str, ...]  # normalised header names, in the file's order


# Not frozen: a frozen dataclass's __init__ costs ten times a plain one's, and one
# is built for every record of a file of millions.
@dataclass(slots=True)
class CheckedRead:
    """A record that passed every rule; its camera is still named by device id."""

    captured_at: datetime
    plate: str
    plate_hashed: bool
    state: str
    device_id: str
    latitude: float | None
    longitude: float | None
    make: str = ""
    color: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class CameraSeen:
    """What the file says about a camera the first time it appears."""

    device_id: str
    kind: str
    location: str
    latitude: float | None
    longitude: float | None


@dataclass
class ImportReport:
    path: str
    sha256: str
    shape: str
    time_zone: str
    shifted_by: timedelta | None
    imported: int = 0
    rejected: int = 0
    cameras_created: list[str] = field(default_factory=list)
    first_captured_at: datetime | None = None
    last_captured_at: datetime | None = None
    rejections_by_kind: Counter[str] = field(default_factory=Counter)
    rejected_lines: list[int] = field(default_factory=list)
    audit_event_id: int | None = None


def expected_headers() -> str:
    return (
        f"either {','.join(PUBLIC_RECORDS_COLUMNS)} (public-records layout) or "
        f"{','.join(GENERIC_COLUMNS)}[,{','.join(GENERIC_OPTIONAL_COLUMNS)}] "
        "(generic layout)"
    )


def detect_layout(header: list[str], raw_first_line: str = "") -> Layout:
    """The layout named by a normalised header, or ``UnusableFile`` saying why not."""
    names = tuple(header)
    public = tuple(normalise_header(c) for c in PUBLIC_RECORDS_COLUMNS)
    generic = tuple(normalise_header(c) for c in GENERIC_COLUMNS)
    optional = {normalise_header(c) for c in GENERIC_OPTIONAL_COLUMNS}
    if len(set(names)) == len(names):
        if set(names) == set(public):
            return Layout(PUBLIC_RECORDS, names)
        extra = set(names) - set(generic)
        if set(generic) <= set(names) and extra <= optional:
            return Layout(GENERIC, names)
    shown = ",".join(names)
    if len(shown) > 200:
        shown = shown[:200] + "…"
    message = f"unknown layout: the header is {shown!r}; expected {expected_headers()}"
    sample = raw_first_line or shown
    if len(names) == 1:
        used = [sep for sep in _SEPARATORS if sep in sample]
        if used:
            message += (
                f". The header is a single cell holding {used[0]!r}: the file seems "
                f"to separate cells with {used[0]!r} instead of commas"
            )
    raise UnusableFile(message)


def department_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def zone_named(name: str | None) -> ZoneInfo:
    if not name:
        return department_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnusableFile(
            f"unknown time zone {name!r} (use an IANA name such as America/New_York)"
        ) from None


def localise(naive: datetime, zone: tzinfo, text: str) -> datetime:
    """A wall-clock time in ``zone`` as UTC.

    A time skipped when clocks go forward does not exist and is refused. A time
    repeated when they go back is read as its first (earlier) occurrence: the
    earlier reading makes a read older, never younger, than it may be, so the
    retention rule errs towards destruction.
    """
    aware = naive.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != naive:
        raise RowError(
            "time",
            f"{text.strip()!r} does not exist in {zone} (the clocks went forward)",
        )
    return utc


def _shown(text: str, limit: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_iso_time(text: str, zone: tzinfo) -> datetime:
    value = text.strip()
    if not value:
        raise RowError("time", "captured_at is empty")
    if len(value) < 16 or value[10] not in "T ":
        raise RowError(
            "time",
            f"captured_at {_shown(value)} is not an ISO-8601 date and time "
            "(e.g. 2026-03-08T14:05:00Z)",
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RowError(
            "time", f"captured_at {_shown(value)} is an impossible date or time ({exc})"
        ) from None
    if moment.tzinfo is None:
        return localise(moment, zone, value)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def parse_public_time(text: str, zone: tzinfo) -> datetime:
    match = _PUBLIC_TIME.match(text)
    if not match:
        raise RowError(
            "time",
            f"dt {_shown(text)} is not a time like 10/07/2021 - 16:30:51",
        )
    month, day, year, hour, minute, second = (int(part) for part in match.groups())
    try:
        naive = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError as exc:
        raise RowError(
            "time", f"dt {_shown(text)} is an impossible date or time ({exc})"
        ) from None
    return localise(naive, zone, text)


def parse_coordinates(
    lat_text: str, lon_text: str
) -> tuple[float | None, float | None]:
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        raise RowError("location", "latitude and longitude come together or not at all")
    values = []
    for name, text, limit in (("latitude", lat_text, 90), ("longitude", lon_text, 180)):
        try:
            number = float(text)
        except ValueError:
            raise RowError(
                "location", f"{name} {_shown(text)} is not a number"
            ) from None
        if not math.isfinite(number) or not -limit <= number <= limit:
            raise RowError(
                "location", f"{name} {_shown(text)} is outside -{limit}..{limit}"
            )
        values.append(number)
    return values[0], values[1]


def clean_device_id(raw: str, column: str) -> str:
    device = raw.strip()
    if not device:
        raise RowError("camera", f"{column} is empty")
    if not _DEVICE_ID.match(device):
        raise RowError(
            "camera",
            f"{column} {_shown(device)} is not a camera id (up to 64 letters, digits, "
            "spaces and . _ : / # -, starting with a letter or digit)",
        )
    return device


def clean_attribute(raw: str, column: str) -> str:
    value = " ".join(raw.split())
    if len(value) > 32:
        raise RowError("attribute", f"{column} is longer than 32 characters")
    # A leading = + - @ makes a spreadsheet run the cell as a formula when the
    # reads are exported again.
    if not _ATTRIBUTE.match(value) or value.startswith(("=", "+", "-", "@")):
        raise RowError(
            "attribute", f"{column} {_shown(value)} holds unexpected symbols"
        )
    return value


def parse_confidence(raw: str) -> float | None:
    text = raw.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(
            "attribute", f"confidence {_shown(text)} is not a number"
        ) from None
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise RowError(
            "attribute", f"confidence {_shown(text)} is outside 0..1 (or 0..100 %)"
        )
    # Vendors write a fraction or a percentage; anything above 1 is a percentage.
    return value / 100 if value > 1 else value


def _plate(raw: str) -> str:
    try:
        return strict_plate(raw)
    except PlateError as exc:
        raise RowError("plate", str(exc)) from None


def check_generic(values: dict[str, str], zone: tzinfo) -> CheckedRead:
    """A generic-layout record as a read, or ``RowError`` naming every problem.

    Written out field by field rather than through a loop of callables: it runs
    once per record and twice per import.
    """
    errors: list[RowError] = []
    plate = state = device = make = color = ""
    moment = None
    latitude = longitude = confidence = None
    try:
        plate = _plate(values["plate"])
    except RowError as exc:
        errors.append(exc)
    try:
        state = _state(values["state"])
    except RowError as exc:
        errors.append(exc)
    try:
        moment = parse_iso_time(values["captured at"], zone)
    except RowError as exc:
        errors.append(exc)
    try:
        device = clean_device_id(values["camera"], "camera")
    except RowError as exc:
        errors.append(exc)
    try:
        latitude, longitude = parse_coordinates(values["lat"], values["lon"])
    except RowError as exc:
        errors.append(exc)
    if "make" in values or "color" in values or "confidence" in values:
        try:
            make = clean_attribute(values.get("make", ""), "make")
            color = clean_attribute(values.get("color", ""), "color")
            confidence = parse_confidence(values.get("confidence", ""))
        except RowError as exc:
            errors.append(exc)
    if errors:
        raise _combined(errors)
    return CheckedRead(
        captured_at=moment,
        plate=plate,
        plate_hashed=False,
        state=state,
        device_id=device,
        latitude=latitude,
        longitude=longitude,
        make=make,
        color=color,
        confidence=confidence,
    )


def _state(raw: str) -> str:
    try:
        return normalise_state(raw)
    except PlateError as exc:
        raise RowError("state", str(exc)) from None


def _hashed_plate(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise RowError("plate", "the plate is empty")
    if not is_hashed_plate(value):
        raise RowError(
            "plate",
            "plate_hash is not a SHA-1 or SHA-256 digest (40 or 64 hexadecimal digits)",
        )
    return value.lower()


def check_public_records(values: dict[str, str], zone: tzinfo) -> CheckedRead:
    """A public-records record as a read, or ``RowError`` naming every problem."""
    errors: list[RowError] = []
    plate = device = ""
    moment = None
    latitude = longitude = None
    try:
        plate = _hashed_plate(values["plate hash"])
    except RowError as exc:
        errors.append(exc)
    try:
        moment = parse_public_time(values["dt"], zone)
    except RowError as exc:
        errors.append(exc)
    try:
        device = clean_device_id(values["device"], "device")
    except RowError as exc:
        errors.append(exc)
    try:
        latitude, longitude = parse_coordinates(values["lat"], values["lon"])
    except RowError as exc:
        errors.append(exc)
    if errors:
        raise _combined(errors)
    return CheckedRead(
        captured_at=moment,
        plate=plate,
        plate_hashed=True,
        state="",
        device_id=device,
        latitude=latitude,
        longitude=longitude,
    )


def _combined(errors: list[RowError]) -> RowError:
    if len(errors) == 1:
        return errors[0]
    return RowError(errors[0].kind, "; ".join(error.reason for error in errors))


def camera_seen(
    layout: Layout, values: dict[str, str], read: CheckedRead
) -> CameraSeen:
    if layout.shape == PUBLIC_RECORDS:
        where = " ".join(values.get("location", "").split())
        vehicle = bool(_VEHICLE_WORDS.search(where))
        return CameraSeen(
            device_id=read.device_id,
            kind=Camera.Kind.VEHICLE if vehicle else Camera.Kind.FIXED,
            location=" ".join(values.get("address", "").split())[:200],
            # A vehicle-mounted camera has no place of its own; each read has one.
            latitude=None if vehicle else read.latitude,
            longitude=None if vehicle else read.longitude,
        )
    return CameraSeen(
        device_id=read.device_id,
        kind=Camera.Kind.FIXED,
        location="",
        latitude=read.latitude,
        longitude=read.longitude,
    )


def _width_error(record: Record, layout: Layout) -> RowError | None:
    expected = len(layout.columns)
    if record.width == -1:
        return RowError("layout", record.extra[0])
    if record.width < expected:
        reason = f"short row: {record.width} of {expected} cells"
        joined = ",".join(record.values.values())
        used = [sep for sep in _SEPARATORS if sep in joined]
        if record.width == 1 and used:
            reason += f" (the cells seem separated by {used[0]!r}, not commas)"
        return RowError("layout", reason)
    if record.width > expected:
        return RowError(
            "layout",
            f"extra cells: {record.width} cells where the header has {expected}",
        )
    return None


class ReadImporter:
    """One import of one file; ``run`` does the work (see the module docstring)."""

    def __init__(
        self,
        path: str | Path,
        *,
        actor: Actor,
        time_zone: str | None = None,
        shift_to_now: bool = False,
        now: datetime | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_reject: Callable[[int, str], None] | None = None,
    ):
        self.path = Path(path)
        self.actor = actor
        self.time_zone_name = time_zone
        self.shift_to_now = shift_to_now
        self.now = now or timezone.now()
        # Reads captured at or before the cut-off are already due for destruction.
        self.cutoff = read_cutoff(self.now)
        self.latest = self.now + FUTURE_TOLERANCE
        self.batch_size = batch_size
        self.on_reject = on_reject or (lambda line, reason: None)
        self.content = b""
        self.layout: Layout | None = None
        self.zone: ZoneInfo = department_zone()
        self.offset = timedelta(0)
        self.camera_ids: dict[str, int] = {}
        self.new_cameras: dict[str, tuple[int, CameraSeen]] = {}
        # Camera ids reserved for cameras not yet seen, and whether a batch ended
        # early for want of one.
        self.spare_camera_ids: list[int] = []
        self.short_of_camera_ids = False
        # The checked records still to store, and one held back when its batch
        # ended before it.
        self.outcomes: Iterator[tuple[Record, CheckedRead | RowError]] = iter(())
        self.held: tuple[Record, CheckedRead | RowError] | None = None
        self.finished = False

    # -- reading --------------------------------------------------------------

    def _records(self) -> Iterator[Record]:
        _, records = read_records(self.path, content=self.content)
        return records

    def _open(self) -> None:
        try:
            self.content = self.path.read_bytes()
        except FileNotFoundError:
            raise UnusableFile(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise UnusableFile(f"{self.path}: is a directory") from None
        except PermissionError:
            raise UnusableFile(f"{self.path}: not readable") from None
        self.zone = zone_named(self.time_zone_name)
        header, records = read_records(self.path, content=self.content)
        first_line = self.content.split(b"\n", 1)[0].decode("utf-8", "replace")
        self.layout = detect_layout(header, first_line)
        if next(iter(records), None) is None:
            raise UnusableFile(f"{self.path}: the file holds a header but no reads")

    def _checked(self) -> Iterator[tuple[Record, CheckedRead | RowError]]:
        """Every record with its read, or the reason it is refused (time window
        not yet applied)."""
        assert self.layout is not None
        if self.layout.shape == PUBLIC_RECORDS:
            check = check_public_records
        else:
            check = check_generic
        zone = self.zone
        for rec in self._records():
            problem = _width_error(rec, self.layout)
            if problem is not None:
                yield rec, problem
                continue
            try:
                yield rec, check(rec.values, zone)
            except RowError as exc:
                yield rec, exc

    def _in_window(self, read: CheckedRead) -> CheckedRead | RowError:
        moment = read.captured_at + self.offset if self.offset else read.captured_at
        if moment <= self.cutoff:
            return RowError(
                "retention",
                f"captured {moment:%Y-%m-%d %H:%M:%S} UTC, already due for destruction "
                f"under the {settings.FLOCKGOV_READ_RETENTION_DAYS}-day rule",
            )
        if moment > self.latest:
            return RowError(
                "future", f"captured {moment:%Y-%m-%d %H:%M:%S} UTC, in the future"
            )
        read.captured_at = moment
        return read

    def _valid(self) -> Iterator[tuple[Record, CheckedRead | RowError]]:
        for rec, outcome in self._checked():
            if isinstance(outcome, CheckedRead):
                outcome = self._in_window(outcome)
            yield rec, outcome

    def _find_offset(self) -> timedelta:
        newest = max(
            (r.captured_at for _, r in self._checked() if isinstance(r, CheckedRead)),
            default=None,
        )
        return self.now - newest if newest is not None else timedelta(0)

    # -- cameras ----------------------------------------------------------------

    def _camera_id(self, rec: Record, read: CheckedRead) -> int:
        """The id of the read's camera; a camera not seen before takes one of the
        reserved ids, and is created at the end."""
        device = read.device_id
        camera_id = self.camera_ids.get(device)
        if camera_id is None:
            assert self.layout is not None
            camera_id = self.spare_camera_ids.pop()
            self.camera_ids[device] = camera_id
            self.new_cameras[device] = (
                camera_id,
                camera_seen(self.layout, rec.values, read),
            )
        return camera_id

    def _reserve_camera_ids(self) -> None:
        # As many again as the file has introduced so far: a file of many new
        # cameras ends few batches early, and few ids go unused.
        wanted = max(8, len(self.new_cameras))
        with connection.cursor() as cursor:
            cursor.execute(RESERVE_IDS, {"table": "queries_camera", "count": wanted})
            self.spare_camera_ids = [row[0] for row in cursor.fetchall()]
        self.short_of_camera_ids = False

    def _create_cameras(self) -> None:
        # Created last, under the ids their reads already carry, in the same
        # transaction (a failure here takes the reads with it): each gets its
        # field history and audit record
        # (django-auditlog, linked into the trail by audits/receivers.py), and the
        # audit chain's lock is taken only at the end of the transaction, so the
        # import does not hold up every search while it stores reads.
        try:
            with acting_as(self.actor), transaction.atomic():
                for camera_id, seen in self.new_cameras.values():
                    Camera.objects.create(
                        id=camera_id,
                        device_id=seen.device_id,
                        name=seen.device_id,
                        kind=seen.kind,
                        location=seen.location,
                        latitude=seen.latitude,
                        longitude=seen.longitude,
                    )
        except IntegrityError:
            # Someone created one of these cameras while the file was being read
            # (another import, the admin). The whole import rolls back.
            raise UnusableFile(
                "a camera this file introduces was created by someone else during "
                "the import; nothing was stored, run the import again"
            ) from None

    # -- the import ---------------------------------------------------------------

    def _reject(self, report: ImportReport, line: int, error: RowError) -> None:
        report.rejected += 1
        report.rejections_by_kind[error.kind] += 1
        if len(report.rejected_lines) < AUDITED_REJECTED_LINES:
            report.rejected_lines.append(line)
        self.on_reject(line, error.reason)

    def _store(self, report: ImportReport) -> None:
        source = f"import {report.sha256[:12]} {self.path.name}"[:100]
        with transaction.atomic():
            with statistics.collected():
                self._store_all(report, source)
            self._create_cameras()
            report.cameras_created = list(self.new_cameras)
            event = record(
                EventType.READS_IMPORTED,
                actor=self.actor,
                object_type="queries.plateread",
                object_repr=self.path.name[:200],
                summary=(
                    f"imported {report.imported} reads from {self.path.name} "
                    f"({report.rejected} rejected)"
                ),
                data=_audit_data(report),
            )
        report.audit_event_id = event.id

    def _store_all(self, report: ImportReport, source: str) -> None:
        self.outcomes = self._valid()
        while not self.finished:
            if self.short_of_camera_ids:
                self._reserve_camera_ids()
            stored = store_stream(
                self._batch(report, source), actor=self.actor, limit=self.batch_size
            )
            report.imported += len(stored)

    def _batch(self, report: ImportReport, source: str) -> Iterator[NewRead]:
        """The next reads to store, up to ``batch_size``, read while COPY streams
        them (so it runs no query): it ends early at a camera not seen before
        when no reserved camera id is left."""
        taken = 0
        while taken < self.batch_size:
            item = self.held or next(self.outcomes, None)
            self.held = None
            if item is None:
                self.finished = True
                return
            rec, outcome = item
            if isinstance(outcome, RowError):
                self._reject(report, rec.line, outcome)
                continue
            if outcome.device_id not in self.camera_ids and not self.spare_camera_ids:
                self.held = item
                self.short_of_camera_ids = True
                return
            moment = outcome.captured_at
            first, last = report.first_captured_at, report.last_captured_at
            if first is None or moment < first:
                report.first_captured_at = moment
            if last is None or moment > last:
                report.last_captured_at = moment
            taken += 1
            yield NewRead(
                captured_at=moment,
                plate=outcome.plate,
                state=outcome.state,
                camera_id=self._camera_id(rec, outcome),
                latitude=outcome.latitude,
                longitude=outcome.longitude,
                plate_hashed=outcome.plate_hashed,
                make=outcome.make,
                color=outcome.color,
                confidence=outcome.confidence,
                source=source,
            )

    def run(self) -> ImportReport:
        try:
            self._open()
        except UnusableFile as exc:
            self._audit_refusal(str(exc))
            raise
        assert self.layout is not None
        report = ImportReport(
            path=str(self.path),
            sha256=hashlib.sha256(self.content).hexdigest(),
            shape=self.layout.shape,
            time_zone=str(self.zone),
            shifted_by=None,
        )
        if self.shift_to_now:
            self.offset = self._find_offset()
            report.shifted_by = self.offset
        # Every read kept lies between the cut-off and the future tolerance, so the
        # day partitions of that span are all it can need. They are created (and
        # committed) before the storing transaction opens: creating a partition
        # inside it would lock the whole table against searches until it commits.
        partitions.ensure_range(partitions.READS, self.cutoff, self.latest)
        self.camera_ids = dict(Camera.objects.values_list("device_id", "id"))
        try:
            self._store(report)
        except UnusableFile as exc:
            self._audit_refusal(str(exc))
            raise
        logger.info(
            "imported %s reads (%s rejected) from a %s file, sha256 %s",
            report.imported,
            report.rejected,
            report.shape,
            report.sha256,
        )
        return report

    def _audit_refusal(self, reason: str) -> None:
        record(
            EventType.READS_IMPORTED,
            actor=self.actor,
            outcome=Outcome.REFUSED,
            object_type="queries.plateread",
            object_repr=self.path.name[:200],
            summary=f"import of {self.path.name} refused: {reason}"[:300],
            data={
                "file": self.path.name,
                "path": str(self.path),
                "sha256": hashlib.sha256(self.content).hexdigest()
                if self.content
                else "",
                "reason": reason[:1000],
                "imported": 0,
            },
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _audit_data(report: ImportReport) -> dict[str, object]:
    return {
        "file": Path(report.path).name,
        "path": report.path,
        "sha256": report.sha256,
        "shape": report.shape,
        "time_zone": report.time_zone,
        "shifted_by_seconds": report.shifted_by.total_seconds()
        if report.shifted_by is not None
        else None,
        "imported": report.imported,
        "rejected": report.rejected,
        "rejections_by_kind": dict(sorted(report.rejections_by_kind.items())),
        "first_rejected_lines": report.rejected_lines,
        "cameras_created": report.cameras_created[:100],
        "cameras_created_count": len(report.cameras_created),
        "first_captured_at": _iso(report.first_captured_at),
        "last_captured_at": _iso(report.last_captured_at),
    }


def import_file(
    path: str | Path,
    *,
    actor: Actor,
    time_zone: str | None = None,
    shift_to_now: bool = False,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_reject: Callable[[int, str], None] | None = None,
) -> ImportReport:
    """Imports one file of reads; raises ``UnusableFile`` when nothing can be used.

    ``on_reject(line, reason)`` hears each refused record, in file order.
    """
    return ReadImporter(
        path,
        actor=actor,
        time_zone=time_zone,
        shift_to_now=shift_to_now,
        now=now,
        batch_size=batch_size,
        on_reject=on_reject,
    ).run()
