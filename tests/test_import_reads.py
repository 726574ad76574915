"""``manage.py import_reads``: both layouts, every quirk and hostile file, the
retention cut-off at its boundary, time zones, the audit record, exit codes."""

import hashlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from flockgov.csvfiles import UnusableFile
from flockgov.db import partitions
from queries.importers import import_file
from queries.models import Camera, PlateRead
from queries.signals import reads_ingested
from tests.retention.faults import database_url

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reads"
# The fixtures' times lie shortly before this moment.
FROZEN = datetime(2026, 3, 21, 12, 0, tzinfo=UTC)
GENERIC_HEADER = "plate,state,captured_at,camera,lat,lon"
PUBLIC_HEADER = "dt,location,address,device,plate_hash,lon,lat"


@dataclass
class Result:
    code: int
    stdout: str
    rejected: dict[int, str]
    error: str = ""

    @property
    def summary(self) -> str:
        return self.stdout.strip().splitlines()[-1] if self.stdout.strip() else ""


def run(path: Path | str, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code, error = 0, ""
    try:
        call_command("import_reads", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    except CommandError as exc:
        code, error = exc.returncode, str(exc)
    rejected = {}
    for line in err.getvalue().splitlines():
        match = re.fullmatch(r"line (\d+): (.+)", line)
        assert match, f"unexpected standard error line {line!r}"
        rejected[int(match[1])] = match[2]
    return Result(code, out.getvalue(), rejected, error)


def write(tmp_path: Path, text: str, name: str = "reads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (synthetic hashes)


@pytest.fixture
def frozen(db):
    with time_machine.travel(FROZEN, tick=False):
        yield FROZEN


def plates() -> list[str]:
    return sorted(PlateRead.objects.values_list("plate", flat=True))


# -- the two layouts -------------------------------------------------------------------


def test_it_imports_the_public_records_layout(frozen):
    result = run(FIXTURES / "public-records-synthetic.csv")
    assert result.code == 0, result
    assert result.summary == "imported=4 rejected=0 cameras_created=2"
    assert result.rejected == {}
    reads = list(PlateRead.objects.order_by("captured_at"))
    assert all(read.plate_hashed for read in reads)
    assert all(read.state == "" for read in reads)
    # Hashes are stored in lower case whatever the file's case.
    assert [read.plate for read in reads].count(sha1("SYNTHETIC-1")) == 2
    # 16:30:51 on 20 March in the department's zone (EDT, UTC-4).
    assert reads[-1].captured_at == datetime(2026, 3, 20, 20, 30, 51, tzinfo=UTC)
    assert reads[-1].latitude == 36.6915
    assert reads[-1].longitude == -79.8725


def test_it_creates_cameras_it_has_not_seen_and_audits_them(frozen):
    Camera.objects.create(device_id="MPD-FIXED-07", name="Known camera")
    result = run(FIXTURES / "public-records-synthetic.csv")
    assert result.summary == "imported=4 rejected=0 cameras_created=1"
    car = Camera.objects.get(device_id="MPD2026001MDC")
    assert car.kind == Camera.Kind.VEHICLE  # "Plain car"
    assert car.location == "Commonwealth Blvd Martinsville VA 24112 United States"
    assert car.latitude is None  # a vehicle's place is each read's
    assert Camera.objects.get(device_id="MPD-FIXED-07").name == "Known camera"
    created = AuditEvent.objects.filter(
        event_type=EventType.CONFIG_CHANGED,
        object_type="queries.camera",
        object_id=str(car.pk),
    ).get()
    assert created.data["action"] == 0  # django-auditlog's "create"
    assert created.actor_label == "system:import_reads"
    assert PlateRead.objects.filter(camera=car).count() == 2


def test_it_imports_the_generic_layout_with_optional_columns(frozen):
    result = run(FIXTURES / "generic-sample.csv")
    assert result.code == 0, result
    assert result.summary == "imported=4 rejected=0 cameras_created=2"
    by_plate = {read.plate: read for read in PlateRead.objects.all()}
    assert sorted(by_plate) == ["ABC123", "ABC1234", "JKL5678", "XYZ9876"]
    first = by_plate["ABC1234"]
    assert (first.state, first.make, first.color) == ("VA", "Ford", "Blue")
    assert first.confidence == 0.97
    assert first.captured_at == datetime(2026, 3, 20, 14, 5, tzinfo=UTC)
    assert by_plate["XYZ9876"].state == "NC"
    assert by_plate["XYZ9876"].confidence == 0.88  # a percentage
    assert by_plate["XYZ9876"].captured_at == datetime(2026, 3, 20, 14, 5, tzinfo=UTC)
    # NCIC's 0H (zero) is Ohio; a naive time is in the department's zone.
    assert by_plate["JKL5678"].state == "OH"
    assert by_plate["JKL5678"].captured_at == datetime(2026, 3, 20, 13, tzinfo=UTC)
    assert by_plate["ABC123"].latitude is None
    assert not any(read.plate_hashed for read in by_plate.values())


def test_it_imports_the_minimal_generic_layout(frozen):
    result = run(FIXTURES / "generic-minimal.csv")
    assert result.code == 0
    assert plates() == ["ABC1234", "ABD1234"]
    assert PlateRead.objects.get(plate="ABD1234").state == ""


# -- quirks that are not errors --------------------------------------------------------


def test_it_reads_a_bom_and_crlf_line_ends(frozen):
    assert (FIXTURES / "quirk-bom-crlf.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    result = run(FIXTURES / "quirk-bom-crlf.csv")
    assert result.code == 0, result
    assert plates() == ["ABC1234", "ABD1234"]


def test_it_reads_a_header_with_spaces_and_capitals(frozen):
    result = run(FIXTURES / "quirk-header-spaces.csv")
    assert result.code == 0, result
    assert plates() == ["ABC1234"]


def test_it_counts_lines_across_a_quoted_multi_line_cell(frozen):
    result = run(FIXTURES / "quirk-multiline-cell.csv")
    assert result.summary == "imported=2 rejected=1 cameras_created=1"
    # The record on lines 4-5 holds a plate with a line break in it.
    assert result.rejected == {4: "the plate holds characters no plate has: \\n"}
    assert PlateRead.objects.get(plate="ABC1234").make == "Ford F-150"
    assert plates() == ["ABC1234", "ABE1234"]


# -- hostile files: good rows kept, each bad row named ---------------------------------


def test_it_names_short_rows_and_extra_cells(frozen):
    result = run(FIXTURES / "hostile-short-rows.csv")
    assert result.code == 1
    assert result.rejected == {
        3: "short row: 4 of 6 cells",
        4: "short row: 1 of 6 cells (the cells seem separated by ';', not commas)",
        5: "extra cells: 8 cells where the header has 6",
    }
    assert plates() == ["ABC1234", "ABG1234"]
    assert result.summary == "imported=2 rejected=3 cameras_created=1"


def test_it_names_impossible_and_future_dates(frozen):
    result = run(FIXTURES / "hostile-impossible-dates.csv")
    assert result.code == 1
    assert sorted(result.rejected) == [3, 4, 5, 6, 7, 8]
    assert "impossible date" in result.rejected[3]
    assert "day is out of range" in result.rejected[3]
    assert "impossible date" in result.rejected[4]
    assert result.rejected[5].startswith("captured_at 'yesterday' is not an ISO-8601")
    assert "is not an ISO-8601 date and time" in result.rejected[6]  # date only
    assert result.rejected[7] == "captured_at is empty"
    assert result.rejected[8] == "captured 2099-01-01 00:00:00 UTC, in the future"
    assert plates() == ["ABC1234", "ABK1234"]


def test_it_names_coordinates_off_the_globe(frozen):
    result = run(FIXTURES / "hostile-coordinates.csv")
    assert result.rejected == {
        3: "latitude '999' is outside -90..90",
        4: "longitude '-200' is outside -180..180",
        5: "latitude 'nan' is outside -90..90",
        6: "latitude and longitude come together or not at all",
    }
    assert plates() == ["ABC1234", "ABH1234"]  # -90, 180 is on the globe


def test_it_refuses_injection_strings_instead_of_stripping_them(frozen):
    result = run(FIXTURES / "hostile-injection.csv")
    assert result.code == 1
    assert result.rejected[3] == ("the plate holds characters no plate has: = | ' / !")
    assert result.rejected[4] == "the plate holds characters no plate has: ' ; _"
    assert result.rejected[5] == "the plate holds characters no plate has: < > ( ) /"
    assert result.rejected[6] == "the plate holds characters no plate has: @ ( + )"
    assert result.rejected[7].startswith("camera '=HYPERLINK(1)' is not a camera id")
    assert sorted(result.rejected) == [3, 4, 5, 6, 7]
    # Nothing that was left after stripping symbols (CMDCCALCA1, DROPTABLE...).
    assert plates() == ["ABC1234", "ABE1234"]
    assert not Camera.objects.filter(device_id__startswith="=").exists()


def test_it_rejects_empty_plates_and_unknown_states(frozen):
    result = run(FIXTURES / "hostile-empty-plates.csv")
    assert result.rejected == {
        3: "the plate is empty",
        4: "the plate is empty",
        5: "UNKNOWN is not a plate",
        6: "unknown plate state 'ZZ'",
    }
    assert plates() == ["ABC1234", "ABE1234"]


def test_it_names_every_problem_of_a_record_at_once(frozen, tmp_path):
    path = write(
        tmp_path,
        f"{GENERIC_HEADER}\n<b>,XX,2026-02-30T10:00:00Z,MPD-1,999,-79.8\n",
    )
    result = run(path)
    assert result.rejected[2] == (
        "the plate holds characters no plate has: < >; unknown plate state 'XX'; "
        "captured_at '2026-02-30T10:00:00Z' is an impossible date or time (day is "
        "out of range for month); latitude '999' is outside -90..90"
    )
    assert result.summary == "imported=0 rejected=1 cameras_created=0"
    assert result.code == 1


def test_it_names_bad_records_of_the_public_records_layout(frozen):
    result = run(FIXTURES / "public-records-hostile.csv")
    assert result.code == 1
    assert sorted(result.rejected) == [3, 4, 5, 6, 7]
    assert "impossible date" in result.rejected[3]
    assert result.rejected[4].startswith("plate_hash is not a SHA-1")
    assert result.rejected[5] == "the plate is empty"
    assert result.rejected[6].startswith("dt '2026-03-20 10:00:00' is not a time")
    assert result.rejected[7] == "latitude '999' is outside -90..90"
    # The record on lines 8-9 has an address spanning two lines: kept, and the
    # record after it is still line 10.
    assert PlateRead.objects.count() == 3
    assert (
        Camera.objects.get(device_id="MPD2026002MDC").location
        == "Commonwealth Blvd Martinsville VA"
    )


# -- whole files that cannot be used: exit 2, nothing changed --------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\r\n  \n", "the file is empty"),
        ("binary.csv", b"PK\x03\x04\x00\x00binary", "not a text file"),
        ("header-only.csv", GENERIC_HEADER.encode() + b"\n", "header but no reads"),
    ],
)
def test_it_refuses_unusable_files(frozen, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run(path)
    assert result.code == 2
    assert message in result.error
    assert PlateRead.objects.count() == 0
    assert Camera.objects.count() == 0
    refused = AuditEvent.objects.get(event_type=EventType.READS_IMPORTED)
    assert refused.outcome == Outcome.REFUSED
    assert refused.data["imported"] == 0


def test_it_refuses_an_unknown_layout_naming_the_expected_headers(frozen):
    result = run(FIXTURES / "unknown-layout.csv")
    assert result.code == 2
    assert "unknown layout: the header is 'tag,when,where'" in result.error
    assert "dt,location,address,device,plate_hash,lon,lat" in result.error
    assert "plate,state,captured_at,camera,lat,lon[,make,color,confidence]" in (
        result.error
    )
    assert PlateRead.objects.count() == 0


def test_it_points_at_a_wrong_delimiter(frozen):
    result = run(FIXTURES / "hostile-wrong-delimiter.csv")
    assert result.code == 2
    assert "seems to separate cells with ';' instead of commas" in result.error
    assert PlateRead.objects.count() == 0


def test_it_refuses_an_unknown_time_zone_and_actor(frozen):
    path = FIXTURES / "generic-minimal.csv"
    assert run(path, "--tz", "Mars/Olympus").code == 2
    result = run(path, "--actor", "nobody")
    assert result.code == 2
    assert "no account named 'nobody'" in result.error
    assert PlateRead.objects.count() == 0


# -- the retention cut-off -------------------------------------------------------------


def test_it_rejects_reads_exactly_as_old_as_the_retention_period(frozen, tmp_path):
    days = settings.FLOCKGOV_READ_RETENTION_DAYS
    cutoff = FROZEN - timedelta(days=days)
    rows = [
        ("AAA111", cutoff),  # exactly 21 days old: due, rejected
        ("BBB222", cutoff + timedelta(seconds=1)),  # a second younger: kept
        ("CCC333", cutoff - timedelta(seconds=1)),  # a second older: rejected
        ("DDD444", FROZEN + timedelta(minutes=5)),  # clock drift: kept
        ("EEE555", FROZEN + timedelta(minutes=5, seconds=1)),  # future: rejected
    ]
    body = "".join(
        f"{plate},VA,{at.isoformat()},MPD-1,36.7,-79.8\n" for plate, at in rows
    )
    result = run(write(tmp_path, f"{GENERIC_HEADER}\n{body}"))
    assert result.rejected == {
        2: "captured 2026-02-28 12:00:00 UTC, already due for destruction under "
        "the 21-day rule",
        4: "captured 2026-02-28 11:59:59 UTC, already due for destruction under "
        "the 21-day rule",
        6: "captured 2026-03-21 12:05:01 UTC, in the future",
    }
    assert plates() == ["BBB222", "DDD444"]
    assert result.code == 1


@pytest.mark.parametrize("layout", ["public", "generic"])
def test_it_applies_the_cut_off_in_utc_across_the_change_to_summer_time(
    db, tmp_path, layout
):
    # Clocks in New York went forward on 8 March 2026. 12:00 EST on 7 March is
    # 17:00 UTC; exactly 21 days later is 17:00 UTC on 28 March, 13:00 EDT. A
    # wall-clock reckoning (12:00 on 28 March) would be an hour out.
    now = datetime(2026, 3, 28, 17, 0, tzinfo=UTC)
    times = ["12:00:00", "12:00:01", "11:59:59"]
    if layout == "public":
        body = "".join(
            f"03/07/2026 - {t},Plain car,Main St,MPD-1,{sha1(t)},-79.8,36.7\n"
            for t in times
        )
        path = write(tmp_path, f"{PUBLIC_HEADER}\n{body}")
    else:
        body = "".join(
            f"A{i}B123,VA,2026-03-07 {t},MPD-1,36.7,-79.8\n"
            for i, t in enumerate(times)
        )
        path = write(tmp_path, f"{GENERIC_HEADER}\n{body}")
    with time_machine.travel(now, tick=False):
        result = run(path, "--tz", "America/New_York")
    assert sorted(result.rejected) == [2, 4]
    assert "2026-03-07 17:00:00 UTC, already due" in result.rejected[2]
    kept = PlateRead.objects.get()
    assert kept.captured_at == datetime(2026, 3, 7, 17, 0, 1, tzinfo=UTC)


def test_it_refuses_a_local_time_that_did_not_exist(frozen, tmp_path):
    body = (
        "03/08/2026 - 02:30:00,Plain car,Main St,MPD-1,"
        f"{sha1('gap')},-79.8,36.7\n"
        "03/08/2026 - 03:30:00,Plain car,Main St,MPD-1,"
        f"{sha1('after')},-79.8,36.7\n"
    )
    result = run(write(tmp_path, f"{PUBLIC_HEADER}\n{body}"))
    assert result.rejected == {
        2: "'03/08/2026 - 02:30:00' does not exist in America/New_York (the clocks "
        "went forward)"
    }
    assert PlateRead.objects.get().captured_at == datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )


def test_it_reads_a_repeated_local_hour_as_its_first_occurrence(db, tmp_path):
    # 01:30 happened twice in New York on 1 November 2026 (EDT, then EST).
    body = f"11/01/2026 - 01:30:00,Plain car,Main St,MPD-1,{sha1('x')},-79.8,36.7\n"
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC), tick=False):
        result = run(write(tmp_path, f"{PUBLIC_HEADER}\n{body}"))
    assert result.code == 0
    assert PlateRead.objects.get().captured_at == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


# -- time zones and --shift-to-now -----------------------------------------------------


def test_it_reads_local_times_in_the_zone_given(frozen, tmp_path):
    path = write(
        tmp_path,
        f"{GENERIC_HEADER}\n"
        "ABC1234,VA,2026-03-20 09:00:00,MPD-1,36.7,-79.8\n"
        "ABD1234,VA,2026-03-20T09:00:00+01:00,MPD-1,36.7,-79.8\n",
    )
    run(path, "--tz", "America/Los_Angeles")
    times = dict(PlateRead.objects.values_list("plate", "captured_at"))
    assert times["ABC1234"] == datetime(2026, 3, 20, 16, tzinfo=UTC)
    # A time with its own offset ignores --tz.
    assert times["ABD1234"] == datetime(2026, 3, 20, 8, tzinfo=UTC)


def test_it_shifts_a_historical_file_so_its_newest_read_is_now(frozen, tmp_path):
    body = (
        "".join(
            f"10/07/2021 - {t},Plain car,Main St,MPD-1,{sha1(t)},-79.8,36.7\n"
            for t in ["16:30:51", "16:30:48", "10:30:51"]
        )
        + f"09/10/2021 - 16:30:51,Plain car,Main St,MPD-1,{sha1('old')},-79.8,36.7\n"
    )
    path = write(tmp_path, f"{PUBLIC_HEADER}\n{body}")

    unshifted = run(path)
    assert unshifted.summary == "imported=0 rejected=4 cameras_created=0"
    assert all("already due for destruction" in r for r in unshifted.rejected.values())

    shifted = run(path, "--shift-to-now")
    assert shifted.code == 1
    # The read four weeks older than the newest is still past the cut-off.
    assert list(shifted.rejected) == [5]
    times = sorted(PlateRead.objects.values_list("captured_at", flat=True))
    assert times == [
        FROZEN - timedelta(hours=6),
        FROZEN - timedelta(seconds=3),
        FROZEN,
    ]
    event = AuditEvent.objects.filter(
        event_type=EventType.READS_IMPORTED, data__imported=3
    ).get()
    assert (
        event.data["shifted_by_seconds"]
        == (FROZEN - datetime(2021, 10, 7, 20, 30, 51, tzinfo=UTC)).total_seconds()
    )


# -- the audit record, partitions and atomicity ----------------------------------------


def test_it_records_one_audit_event_for_the_import(frozen, carol):
    path = FIXTURES / "hostile-short-rows.csv"
    result = run(path, "--actor", "carol")
    assert result.code == 1
    event = AuditEvent.objects.get(event_type=EventType.READS_IMPORTED)
    assert event.outcome == Outcome.SUCCESS
    assert event.actor == carol
    assert event.os_user
    assert event.data["file"] == "hostile-short-rows.csv"
    assert event.data["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert event.data["shape"] == "generic"
    assert event.data["time_zone"] == "America/New_York"
    assert (event.data["imported"], event.data["rejected"]) == (2, 3)
    assert event.data["rejections_by_kind"] == {"layout": 3}
    assert event.data["first_rejected_lines"] == [3, 4, 5]
    assert event.data["first_captured_at"] == "2026-03-20T14:05:00+00:00"
    assert event.data["last_captured_at"] == "2026-03-20T14:09:00+00:00"
    assert event.data["cameras_created"] == ["MPD-FIXED-01"]
    assert event.data["shifted_by_seconds"] is None
    # Every stored read names the import it came from.
    sources = set(PlateRead.objects.values_list("source", flat=True))
    assert sources == {f"import {event.data['sha256'][:12]} hostile-short-rows.csv"}


def test_it_creates_the_day_partitions_the_reads_need(frozen, tmp_path):
    day = FROZEN - timedelta(days=3)
    name = partitions.READS.name_for(day)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")  # noqa: S608 (our own name)
    partitions.forget(name)
    assert name not in partitions.existing(partitions.READS)
    path = write(
        tmp_path, f"{GENERIC_HEADER}\nABC1234,VA,{day.isoformat()},MPD-1,36.7,-79.8\n"
    )
    assert run(path).code == 0
    assert name in partitions.existing(partitions.READS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT plate FROM {name}")  # noqa: S608
        assert cursor.fetchall() == [("ABC1234",)]


def test_it_stores_nothing_when_a_later_batch_fails(frozen, tmp_path):
    body = "".join(
        f"ABC{i:04d},VA,2026-03-20T14:{i:02d}:00Z,MPD-NEW-1,36.7,-79.8\n"
        for i in range(5)
    )
    path = write(tmp_path, f"{GENERIC_HEADER}\n{body}")
    batches = []

    def fail_on_third_batch(sender, reads, **kwargs):
        batches.append(len(reads))
        if len(batches) == 3:
            raise RuntimeError("the database went away")

    reads_ingested.connect(fail_on_third_batch)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            import_file(path, actor=Actor.system("test"), batch_size=2)
    finally:
        reads_ingested.disconnect(fail_on_third_batch)
    assert batches == [2, 2, 1]
    # Two batches had been stored: they went with the failure, audited or not.
    assert PlateRead.objects.count() == 0
    assert not Camera.objects.filter(device_id="MPD-NEW-1").exists()
    assert not AuditEvent.objects.filter(event_type=EventType.READS_IMPORTED).exists()


def test_it_stores_in_batches_and_reports_rejections_in_line_order(frozen, tmp_path):
    rows = []
    for i in range(25):
        plate = "" if i % 10 == 3 else f"ABC{i:04d}"
        rows.append(f"{plate},VA,2026-03-20T14:{i:02d}:00Z,MPD-1,36.7,-79.8\n")
    path = write(tmp_path, GENERIC_HEADER + "\n" + "".join(rows))
    batches, heard = [], []

    def listen(sender, reads, **kwargs):
        batches.append(len(reads))

    reads_ingested.connect(listen)
    try:
        report = import_file(
            path,
            actor=Actor.system("test"),
            batch_size=10,
            on_reject=lambda line, reason: heard.append(line),
        )
    finally:
        reads_ingested.disconnect(listen)
    assert batches == [10, 10, 2]
    assert heard == [5, 15, 25]
    assert (report.imported, report.rejected) == (22, 3)


def test_a_file_of_many_new_cameras_ends_batches_early_to_reserve_their_ids(
    frozen, tmp_path
):
    # No query may run while a batch streams into COPY, so camera ids are reserved
    # between batches; 30 new cameras outrun the first reservations.
    rows = [
        f"ABC{i:04d},VA,2026-03-20T14:{i % 60:02d}:00Z,MPD-CAM-{i % 30:02d},"
        "36.7,-79.8\n"
        for i in range(90)
    ]
    path = write(tmp_path, GENERIC_HEADER + "\n" + "".join(rows))
    batches = []

    def listen(sender, reads, **kwargs):
        batches.append(len(reads))

    reads_ingested.connect(listen)
    try:
        report = import_file(path, actor=Actor.system("test"), batch_size=50)
    finally:
        reads_ingested.disconnect(listen)
    assert (report.imported, report.rejected) == (90, 0)
    assert sum(batches) == 90
    assert len(batches) > 2  # two batches would do without the early ends
    assert max(batches) <= 50
    assert len(report.cameras_created) == 30
    # Every read points at the camera its record named.
    for read in PlateRead.objects.select_related("camera"):
        number = int(read.plate[3:])
        assert read.camera.device_id == f"MPD-CAM-{number % 30:02d}"


def test_it_raises_unusable_file_for_services_that_call_it(frozen, tmp_path):
    with pytest.raises(UnusableFile, match="unknown layout"):
        import_file(write(tmp_path, "a,b\n1,2\n"), actor=Actor.system("test"))


# -- exit status of the real process ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "status", "summary"),
    [
        ("generic-minimal.csv", 0, "imported=2 rejected=0 cameras_created=2"),
        ("hostile-short-rows.csv", 1, "imported=2 rejected=3 cameras_created=1"),
        ("unknown-layout.csv", 2, None),
        ("no-such-file.csv", 2, None),
    ],
)
def test_it_exits_with_the_documented_status(name, status, summary):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "flockgov.settings_test",
        "DATABASE_URL": database_url(),
        "FLOCKGOV_LOG_LEVEL": "WARNING",
    }
    # The fixtures are from March 2026: --shift-to-now brings them inside the
    # retention period whatever today's date.
    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "import_reads",
            str(FIXTURES / name),
            "--shift-to-now",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == status, completed.stderr
    if summary is None:
        assert completed.stdout == ""
        assert PlateRead.objects.count() == 0
    else:
        assert completed.stdout.splitlines()[-1] == summary
        assert PlateRead.objects.count() == 2


def test_it_stores_nothing_when_a_new_camera_appears_meanwhile(frozen, tmp_path):
    path = write(
        tmp_path,
        f"{GENERIC_HEADER}\nABC1234,VA,2026-03-20T14:05:00Z,MPD-RACE,36.7,-79.8\n",
    )

    def someone_else_creates_it(sender, reads, **kwargs):
        Camera.objects.create(device_id="MPD-RACE", name="Created meanwhile")

    reads_ingested.connect(someone_else_creates_it)
    try:
        result = run(path)
    finally:
        reads_ingested.disconnect(someone_else_creates_it)
    assert result.code == 2
    assert "created by someone else during the import" in result.error
    assert PlateRead.objects.count() == 0
    assert not Camera.objects.filter(device_id="MPD-RACE").exists()
    refused = AuditEvent.objects.get(event_type=EventType.READS_IMPORTED)
    assert refused.outcome == Outcome.REFUSED
