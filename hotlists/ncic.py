"""Reading the NCIC LPR extract (``VEHEXTRT.txt``) as Virginia State Police
delivers it: fixed width, one header line, CRLF line ends, trailing spaces.

Only records whose list code is one of §3.C's notifications are loaded; the other
known codes are excluded and counted per code; anything else is rejected.
Field positions: ``/work/shared/data/hotlists/FORMATS.md`` (0-based, end-exclusive).
"""

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from queries.plates import PlateError, clean_plate, normalise_state

from .models import Category

# The list codes §3.C allows, and what each is about.
LOADED_CODES = {
    "A": Category.AMBER,
    "M": Category.MISSING,
    "W": Category.WARRANT,
    "V": Category.STOLEN_VEHICLE,
    "P": Category.STOLEN_PLATE,
    "R": Category.STOLEN_CANADIAN,
}
# Known NCIC codes that are not §3.C notifications: never loaded.
EXCLUDED_CODES = {
    "F": "felony vehicle",
    "C": "supervised release",
    "H": "protection order",
    "K": "protective interest",
    "L": "violent person",
    "T": "gang or terrorist",
    "X": "sex offender",
    "N": "immigration violator",
    "B": "stolen boat",
}

# Everything through the style field (56:58) must be present.
MIN_RECORD_LENGTH = 58
_NIC = re.compile(r"^[A-Z][0-9]{9}$")
_DATE = re.compile(r"^[0-9]{8}$")


class NotNcicLayout(ValueError):
    """The file is not the NCIC fixed-width layout at all."""


@dataclass(slots=True)
class NcicRecord:
    line: int
    category: str
    ncic_number: str
    ori: str
    entered_on: date
    plate: str
    state: str
    plate_type: str
    vehicle_year: str
    vehicle_make: str
    vehicle_model: str
    vehicle_style: str
    vehicle_color: str
    vehicle_description: str


@dataclass
class NcicFile:
    records: list[NcicRecord] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    excluded: Counter = field(default_factory=Counter)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def _looks_like_record(text: str) -> bool:
    return bool(_NIC.match(text[0:10])) and bool(_DATE.match(text[19:27]))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotNcicLayout(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NotNcicLayout(f"{path}: is a directory") from None
    if not raw.strip():
        raise NotNcicLayout(f"{path}: the file is empty")
    if b"\x00" in raw[:4096]:
        raise NotNcicLayout(f"{path}: not a text file")
    # The extract is ASCII; Latin-1 never fails and keeps column positions.
    text = raw.decode("latin-1")
    # Split on LF only (CRLF's CR is stripped): other control characters that
    # ``splitlines`` would break on must not shift line numbers or columns.
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.rstrip("\r")


@functools.lru_cache(maxsize=65536)
def _entry_date(raw: str) -> date:
    """An extract holds few distinct dates: parsing each once keeps 1 M records
    inside the time budget."""
    if not _DATE.match(raw):
        raise ValueError(f"entry date {raw!r} is not a date (YYYYMMDD)")
    try:
        return date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise ValueError(f"entry date {raw!r} is not a date (YYYYMMDD)") from None


@functools.lru_cache(maxsize=256)
def _state(raw: str) -> str:
    try:
        return normalise_state(raw)
    except PlateError as exc:
        raise ValueError(str(exc)) from None


def parse_record(number: int, line: str) -> NcicRecord:
    """One data line, or ``ValueError`` saying what is wrong with it."""
    text = line.rstrip("\r\n")
    if len(text.rstrip()) < MIN_RECORD_LENGTH:
        raise ValueError(
            f"record is {len(text.rstrip())} characters long; the NCIC layout needs "
            f"at least {MIN_RECORD_LENGTH} (through the vehicle style field)"
        )
    text = text.ljust(100)
    nic = text[0:10].strip()
    if not _NIC.match(nic):
        raise ValueError(f"NCIC number {nic!r} is not a letter and nine digits")
    entered_on = _entry_date(text[19:27])
    try:
        plate = clean_plate(text[27:37])
    except PlateError as exc:
        raise ValueError(str(exc)) from None
    state = _state(text[37:39])
    return NcicRecord(
        line=number,
        category=LOADED_CODES[nic[0]],
        ncic_number=nic,
        ori=text[10:19].strip(),
        entered_on=entered_on,
        plate=plate,
        state=state,
        plate_type=text[43:45].strip(),
        vehicle_year=text[45:49].strip(),
        # Make codes are letters; a zero inside one (``D0DG``) is an O.
        vehicle_make=text[49:53].strip().replace("0", "O"),
        vehicle_model=text[53:56].strip(),
        vehicle_style=text[56:58].strip(),
        vehicle_color=text[58:65].strip(),
        vehicle_description=text[65:100].strip(),
    )


def read_ncic(path: str | Path) -> NcicFile:
    """Parses the whole file; raises ``NotNcicLayout`` when it cannot be this
    layout (empty, no header, CSV, or no line shaped like an NCIC record)."""
    path = Path(path)
    result = NcicFile()
    lines = _lines(path)
    try:
        _, header = next(lines)
    except StopIteration:
        raise NotNcicLayout(f"{path}: the file is empty") from None
    if _looks_like_record(header):
        raise NotNcicLayout(
            f"{path}: line 1 is a record; the NCIC extract starts with a header line"
        )
    shaped = 0
    for number, line in lines:
        if not line.strip():
            continue
        if "," in line[:40] and line.count(",") >= 3 and not _looks_like_record(line):
            raise NotNcicLayout(
                f"{path}: line {number} is comma-separated; this is a CSV file, not "
                "the NCIC fixed-width extract (use --format csv)"
            )
        code = line[0:1]
        if _looks_like_record(line):
            shaped += 1
        if code in EXCLUDED_CODES:
            result.excluded[code] += 1
            continue
        if code not in LOADED_CODES:
            result.rejected.append(
                (number, f"unknown list code {code!r} (NCIC number {line[0:10]!r})")
            )
            continue
        try:
            result.records.append(parse_record(number, line))
        except ValueError as exc:
            result.rejected.append((number, str(exc)))
    if shaped == 0:
        raise NotNcicLayout(
            f"{path}: no line is an NCIC record (NCIC number, ORI and entry date in "
            "the fixed positions); not the NCIC extract layout"
        )
    return result
