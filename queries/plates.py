"""Plate and state normalisation, and the plate patterns officers may search.

A plate is kept the way NCIC enters it: upper-case letters and digits only, no
spaces, hyphens or symbols. Every importer and every search goes through
``normalise_plate`` so that the same vehicle always compares equal.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_PLATE_LENGTH = 10
MIN_LITERALS_IN_PATTERN = 3

_NOT_PLATE_CHARACTER = re.compile(r"[^A-Z0-9]")
_HASHED = re.compile(r"^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")

# Two-letter codes NCIC uses for plate states: US states, DC and territories,
# Canadian provinces and territories, Mexico, and US government plates.
STATE_CODES = frozenset(
    """
    AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT
    NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
    AS GU MP PR VI
    AB BC MB NB NL NT NS NU ON PE QC SK YT
    MX US
    """.split()  # noqa: SIM905  (a table reads better than 66 quoted items)
)


class PlateError(ValueError):
    """A plate, state or pattern that breaks the strict rules; the message says why."""


def normalise_plate(raw: str) -> str:
    """Upper case, letters and digits only. Full-width and accented forms fold to
    their ASCII base (``ＡＢ-1２`` becomes ``AB12``)."""
    if raw.isascii():
        # NFKD leaves ASCII unchanged; skipping it keeps bulk imports fast.
        return _NOT_PLATE_CHARACTER.sub("", raw.upper())
    folded = unicodedata.normalize("NFKD", raw)
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _NOT_PLATE_CHARACTER.sub("", ascii_only.upper())


def is_hashed_plate(raw: str) -> bool:
    return bool(_HASHED.match(raw.strip()))


def normalise_state(raw: str) -> str:
    """Two-letter code, upper case; NCIC's ``0H`` (zero) is Ohio. Empty stays empty."""
    code = raw.strip().upper()
    if len(code) == 2 and code[0] == "0":
        code = "O" + code[1]
    if code and code not in STATE_CODES:
        raise PlateError(f"unknown plate state {raw.strip()!r}")
    return code


def clean_plate(raw: str) -> str:
    """A complete plate from an import or a hot list, or ``PlateError``."""
    return _complete(normalise_plate(raw))


def _complete(plate: str) -> str:
    if not plate:
        raise PlateError("the plate is empty")
    if len(plate) > MAX_PLATE_LENGTH:
        raise PlateError(f"the plate is longer than {MAX_PLATE_LENGTH} characters")
    if plate in {"NONE", "UNK", "UNKNOWN", "NOPLATE"}:
        raise PlateError(f"{plate} is not a plate")
    return plate


@dataclass(frozen=True)
class PlateQuery:
    """What an officer asked for: an exact plate, a hash, or a wildcard pattern."""

    kind: str  # "exact", "hashed" or "pattern"
    value: str  # normalised plate, lower-case hex digest, or the pattern with * and ?

    @property
    def like_pattern(self) -> str:
        return self.value.replace("*", "%").replace("?", "_")


def parse_plate_query(raw: str) -> PlateQuery:
    """Turns the officer's input into a query, or raises ``PlateError``.

    ``*`` stands for any run of characters and ``?`` for one; a pattern needs at
    least three literal characters so that it cannot sweep up every read. Spaces
    and hyphens are ignored as on the plate itself; any other symbol is refused
    rather than silently dropped, because the officer would not get what they typed.
    """
    text = raw.strip()
    if not text:
        raise PlateError("Enter a plate or a pattern.")
    if is_hashed_plate(text):
        return PlateQuery("hashed", text.lower())
    compact = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text)).upper()
    bad = sorted(set(re.sub(r"[A-Z0-9*?]", "", compact)))
    if bad:
        raise PlateError(
            "A plate may hold letters and digits, with * (any run) and ? (one "
            f"character) as wildcards; remove {' '.join(bad)}."
        )
    collapsed = re.sub(r"\*+", "*", compact)
    literals = len(re.sub(r"[*?]", "", collapsed))
    if "*" in collapsed or "?" in collapsed:
        if literals < MIN_LITERALS_IN_PATTERN:
            raise PlateError(
                f"A pattern needs at least {MIN_LITERALS_IN_PATTERN} letters or digits "
                f"besides wildcards; this one has {literals}."
            )
        if len(collapsed) > MAX_PLATE_LENGTH + 2:
            raise PlateError("That pattern is longer than any plate.")
        return PlateQuery("pattern", collapsed)
    if len(collapsed) < 2:
        raise PlateError("A plate has at least two characters.")
    if len(collapsed) > MAX_PLATE_LENGTH:
        raise PlateError(f"A plate has at most {MAX_PLATE_LENGTH} characters.")
    return PlateQuery("exact", collapsed)


# What a plate cell may hold besides letters and digits: the spaces and hyphens
# printed on plates, which NCIC entry drops.
_PLATE_SEPARATORS = frozenset(" -")
_PLAIN_PLATE_CELL = re.compile(r"^[A-Za-z0-9 -]*$")


def foreign_characters(raw: str) -> list[str]:
    """Characters in ``raw`` that no plate has, each once, in order of appearance.

    Accents and full-width forms fold to their ASCII letter first (``É`` is an
    ``E``, ``Ａ`` an ``A``); anything else outside letters, digits, spaces and
    hyphens (``=``, ``|``, quotes, ``;``, ``<``, control characters, other scripts)
    is foreign.
    """
    if _PLAIN_PLATE_CELL.match(raw):
        return []  # the usual case, answered without looking at each character
    seen: dict[str, None] = {}
    for char in raw.strip():
        folded = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in folded if not unicodedata.combining(c))
        if base and all(
            c.isascii() and (c.isalnum() or c in _PLATE_SEPARATORS) for c in base
        ):
            continue
        seen.setdefault(char, None)
    return list(seen)


def strict_plate(raw: str) -> str:
    """A plate from a file, or ``PlateError``.

    Unlike ``normalise_plate`` this refuses a cell holding characters no plate has
    instead of stripping them: ``=cmd|' /c calc'!A1`` or ``<script>`` is not a
    misprinted plate, and what would be left once the symbols were dropped is not a
    plate anyone read.
    """
    foreign = foreign_characters(raw)
    if foreign:
        shown = " ".join(
            c if c.isprintable() and not c.isspace() else repr(c)[1:-1]
            for c in foreign[:10]
        )
        raise PlateError(f"the plate holds characters no plate has: {shown}")
    if _PLAIN_PLATE_CELL.match(raw):
        # Plain ASCII (the usual case): what normalise_plate would return, without
        # Unicode folding; imports call this once per read.
        return _complete(raw.replace(" ", "").replace("-", "").upper())
    return clean_plate(raw)
