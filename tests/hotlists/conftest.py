"""Fixtures for hot lists: synthetic NCIC lines (no real records exist), lists,
entries, and a helper that stores reads through the one ingest path."""

from datetime import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from audits.context import Actor
from hotlists import services
from hotlists.models import HotList
from queries.ingest import NewRead, store_reads
from tests.conftest import make_account

NCIC_HEADER = "VEHEXTRT NCIC LPR EXTRACT 20261204 0600 VSP"


def ncic_line(
    code: str = "V",
    number: int = 1,
    plate: str = "ABC1234",
    state: str = "VA",
    *,
    ori: str = "VA0000000",
    entered: str = "20261101",
    plate_type: str = "PC",
    make: str = "CHEV",
    model: str = "MAL",
    style: str = "4D",
    color: str = "BLK",
    description: str = "",
) -> str:
    """One fixed-width record laid out as FORMATS.md describes (synthetic)."""
    return (
        f"{code}{number:09d}"
        f"{ori:<9.9}"
        f"{entered:<8.8}"
        f"{plate:<10.10}"
        f"{state:<2.2}"
        f"2026"
        f"{plate_type:<2.2}"
        f"2019"
        f"{make:<4.4}"
        f"{model:<3.3}"
        f"{style:<2.2}"
        f"{color:<7.7}"
        f"{description}"
    )


def write_ncic(path, lines, *, header=NCIC_HEADER, newline="\r\n"):
    path.write_bytes(newline.join([header, *lines, ""]).encode("latin-1"))
    return path


def run_import(*args, **options):
    """Runs import_hotlist; returns (exit code, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_hotlist", *args, stdout=out, stderr=err, **options)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sergeant(db):
    return make_account("sam", Role.SUPERVISOR, badge_number="3001")


@pytest.fixture
def frank(db, sergeant):
    """An officer whom the sergeant supervises."""
    return make_account("frank", Role.OFFICER, badge_number="1003", supervisor=sergeant)


@pytest.fixture
def custom_list(frank):
    return services.create_hotlist(
        actor=Actor.for_officer(frank),
        name="Frank's burglary follow-ups",
        audience=HotList.Audience.DEPARTMENT,
        owner=frank,
    )


def entry_data(**overrides):
    data = {
        "plate": "KLM4821",
        "state": "VA",
        "category": "stolen_vehicle",
        "purpose": "C",
        "case_number": "26-004512",
        "reason": "Reported stolen from Church St lot",
    }
    data.update(overrides)
    return data


def ingest(camera, *rows: tuple[str, str], at: datetime | None = None, hashed=False):
    at = at or timezone.now()
    return store_reads(
        [
            NewRead(
                captured_at=at,
                plate=plate,
                state=state,
                camera_id=camera.pk,
                plate_hashed=hashed,
            )
            for plate, state in rows
        ],
        actor=Actor.system("test"),
    )


@pytest.fixture
def ncic_file(tmp_path):
    def build(lines, **kwargs):
        return write_ncic(tmp_path / "VEHEXTRT.txt", lines, **kwargs)

    return build


@pytest.fixture
def imported_ncic(db, ncic_file):
    """An NCIC list of three records, imported now."""
    path = ncic_file(
        [
            ncic_line("V", 1, "ABC1234", "VA"),
            ncic_line("P", 2, "XYZ9876", "NC"),
            ncic_line("W", 3, "QRS5080", ""),
        ]
    )
    code, out, err = run_import(str(path), format="ncic")
    assert code == 0, err
    return HotList.objects.get(source=HotList.Source.NCIC)
