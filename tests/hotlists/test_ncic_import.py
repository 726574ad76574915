from datetime import timedelta

import pytest
from django.core.management.base import CommandError

from audits.events import EventType, Outcome
from audits.models import AuditEvent
from hotlists.models import Category, HotList, HotListEntry
from hotlists.ncic import EXCLUDED_CODES, LOADED_CODES
from tests.hotlists.conftest import ncic_line, run_import


def live(hotlist=None):
    entries = HotListEntry.objects.filter(
        hotlist__source=HotList.Source.NCIC, removed_at__isnull=True
    )
    return entries


def test_it_loads_the_fixed_width_layout_with_every_quirk(db, ncic_file):
    path = ncic_file(
        [
            # Ohio as 0H (zero), a zero inside the make code, trailing spaces.
            ncic_line("V", 11, "OHX1234", "0H", make="D0DG") + "     ",
            # Plates with spaces and hyphens as entered.
            ncic_line("P", 12, "AB 12-34", "VA"),
            ncic_line("A", 13, "AMB-ER1", "MD", description="2010 TOYT CAMRY"),
            ncic_line("M", 14, "MIS 001", "NC"),
            ncic_line("W", 15, "WAR8", "VA"),
            ncic_line("R", 16, "CAN123", "ON"),
        ]
    )
    assert path.read_bytes().count(b"\r\n") == 7
    code, out, err = run_import(str(path), format="ncic")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "imported=6 rejected=0 excluded=0"
    ohio = live().get(ncic_number="V000000011")
    assert (ohio.plate, ohio.state, ohio.vehicle_make) == ("OHX1234", "OH", "DODG")
    assert ohio.ori == "VA0000000"
    assert str(ohio.entered_on) == "2026-11-01"
    assert ohio.lookalike_key == "0HX1234"
    assert live().get(ncic_number="P000000012").plate == "AB1234"
    amber = live().get(ncic_number="A000000013")
    assert (amber.plate, amber.category) == ("AMBER1", Category.AMBER)
    assert amber.vehicle_description == "2010 TOYT CAMRY"
    assert {e.category for e in live()} == set(LOADED_CODES.values())
    event = AuditEvent.objects.get(event_type=EventType.HOTLIST_IMPORTED)
    assert event.data["imported"] == 6


@pytest.mark.parametrize("code", sorted(EXCLUDED_CODES))
def test_it_excludes_each_code_that_is_not_a_section_3c_notification(
    db, ncic_file, code
):
    path = ncic_file([ncic_line("V", 1, "KEEP001"), ncic_line(code, 2, "DROP001")])
    exit_code, out, err = run_import(str(path), format="ncic")
    assert exit_code == 0  # exclusions do not change the exit status
    assert f"excluded code={code} ({EXCLUDED_CODES[code]}) n=1" in out
    assert out.strip().splitlines()[-1] == "imported=1 rejected=0 excluded=1"
    assert list(live().values_list("plate", flat=True)) == ["KEEP001"]
    assert err == ""


def test_it_rejects_unknown_codes_truncated_lines_bad_dates_and_empty_plates(
    db, ncic_file
):
    path = ncic_file(
        [
            ncic_line("V", 1, "GOOD001"),
            ncic_line("Q", 2, "UNKN001"),
            ncic_line("V", 3, "SHORT01")[:50],
            ncic_line("V", 4, "BADDATE", entered="20261345"),
            ncic_line("P", 5, "          "),
            ncic_line("V", 6, "BADSTAT", "ZZ"),
        ]
    )
    code, out, err = run_import(str(path), format="ncic")
    assert code == 1
    assert out.strip().splitlines()[-1] == "imported=1 rejected=5 excluded=0"
    lines = err.strip().splitlines()
    assert lines[0] == "line 3: unknown list code 'Q' (NCIC number 'Q000000002')"
    assert lines[1].startswith("line 4: record is 50 characters long")
    assert lines[2] == "line 5: entry date '20261345' is not a date (YYYYMMDD)"
    assert lines[3] == "line 6: the plate is empty"
    assert lines[4] == "line 7: unknown plate state 'ZZ'"
    assert list(live().values_list("plate", flat=True)) == ["GOOD001"]


def test_it_replaces_the_list_and_keeps_entries_that_alerts_point_at(
    imported_ncic, ncic_file, camera
):
    import time_machine
    from django.utils import timezone

    from tests.hotlists.conftest import ingest

    ingest(camera, ("ABC1234", "VA"))
    alerted = HotListEntry.objects.get(plate="ABC1234")
    path = ncic_file([ncic_line("V", 20 + n, f"NEW000{n}") for n in (1, 2, 3)])
    code, out, err = run_import(str(path), format="ncic")
    assert code == 0, err
    assert sorted(live().values_list("plate", flat=True)) == [
        "NEW0001",
        "NEW0002",
        "NEW0003",
    ]
    alerted.refresh_from_db()
    assert alerted.removed_at is not None
    # Retired now, deleted by an import more than a day later unless an alert
    # points at the entry.
    assert HotListEntry.objects.count() == 6
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1), tick=False):
        code, out, err = run_import(str(path), format="ncic")
    assert code == 0, err
    assert sorted(HotListEntry.objects.values_list("plate", flat=True)) == [
        "ABC1234",
        "NEW0001",
        "NEW0002",
        "NEW0003",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (
            b"plate,state,category,purpose,case number,reason\r\n"
            b"ABC1234,VA,stolen_vehicle,C,26-004512,Reported stolen lot\r\n",
            "this is a CSV file, not the NCIC fixed-width extract",
        ),
        (b"HEADER\r\nhello world\r\n", "no line is an NCIC record"),
    ],
    ids=["empty", "csv-as-ncic", "not-the-layout"],
)
def test_it_refuses_a_file_that_is_not_the_layout_and_keeps_the_list(
    imported_ncic, tmp_path, content, message
):
    before = sorted(live().values_list("pk", flat=True))
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        run_import(str(path), format="ncic")
    assert raised.value.returncode == 2
    assert message in str(raised.value)
    assert sorted(live().values_list("pk", flat=True)) == before
    refusal = AuditEvent.objects.get(event_type=EventType.HOTLIST_IMPORT_REFUSED)
    assert refusal.outcome == Outcome.REFUSED
    assert message in refusal.data["reason"]


def test_it_refuses_a_file_whose_valid_records_fall_below_half_the_list(
    imported_ncic, ncic_file
):
    # Three entries now; one valid record is below half of three.
    path = ncic_file([ncic_line("V", 31, "ONLY001"), ncic_line("V", 32, "X")[:30]])
    before = sorted(live().values_list("plate", flat=True))
    with pytest.raises(CommandError) as raised:
        run_import(str(path), format="ncic")
    assert raised.value.returncode == 2
    assert "fewer than 50% of the current list (3)" in str(raised.value)
    assert sorted(live().values_list("plate", flat=True)) == before
    imported_ncic.refresh_from_db()
    assert imported_ncic.last_import_file == "VEHEXTRT.txt"


def test_it_refuses_a_header_that_is_a_record(db, tmp_path):
    path = tmp_path / "noheader.txt"
    path.write_text(ncic_line("V", 1, "ABC1234") + "\r\n")
    with pytest.raises(CommandError, match="starts with a header line"):
        run_import(str(path), format="ncic")
    assert not HotListEntry.objects.exists()


def test_it_keeps_unchanged_records_and_replaces_changed_ones(imported_ncic, ncic_file):
    kept = HotListEntry.objects.get(plate="ABC1234")
    path = ncic_file(
        [
            ncic_line("V", 1, "ABC1234", "VA"),  # unchanged
            ncic_line("P", 2, "XYZ9876", "NC", color="RED"),  # colour changed
            ncic_line("W", 3, "QRS5080", ""),
        ]
    )
    code, out, err = run_import(str(path), format="ncic")
    assert code == 0, err
    assert live().get(plate="ABC1234").pk == kept.pk
    assert live().get(plate="XYZ9876").vehicle_color == "RED"
    assert live().count() == 3
