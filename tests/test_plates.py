"""Plate normalisation and plate patterns, property-tested with hypothesis."""

import fnmatch
import re
import string

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from queries.plates import (
    PlateError,
    foreign_characters,
    normalise_plate,
    normalise_state,
    parse_plate_query,
    strict_plate,
)

PLATE_ALPHABET = string.ascii_uppercase + string.digits
plates = st.text(PLATE_ALPHABET, min_size=2, max_size=10)
pattern_text = st.text(PLATE_ALPHABET + "*?", min_size=1, max_size=12)


@given(st.text())
@example("ＡＢ-1２")
@example("Été 12")
def test_it_normalises_idempotently_to_letters_and_digits(raw):
    once = normalise_plate(raw)
    assert re.fullmatch(r"[A-Z0-9]*", once)
    assert normalise_plate(once) == once


@given(
    plate=st.text(string.ascii_letters + string.digits, min_size=1, max_size=10),
    separators=st.lists(st.sampled_from([" ", "-", "  ", " - "]), max_size=5),
    data=st.data(),
)
def test_it_ignores_case_spaces_and_hyphens(plate, separators, data):
    decorated = plate
    for separator in separators:
        at = data.draw(st.integers(0, len(decorated)))
        decorated = decorated[:at] + separator + decorated[at:]
    decorated = "".join(
        c.swapcase() if data.draw(st.booleans()) else c for c in decorated
    )
    assert normalise_plate(decorated) == normalise_plate(plate) == plate.upper()


@pytest.mark.parametrize(
    ("raw", "foreign"),
    [
        ("=cmd|' /c calc'!A1", ["=", "|", "'", "/", "!"]),
        ("'; DROP TABLE x;--", ["'", ";"]),
        ("<script>", ["<", ">"]),
        ("@SUM(1+1)", ["@", "(", "+", ")"]),
        ("AB\n12", ["\n"]),
        ("АBC123", ["А"]),  # the first letter is Cyrillic
    ],
)
def test_it_refuses_plates_holding_characters_no_plate_has(raw, foreign):
    assert foreign_characters(raw) == foreign
    with pytest.raises(PlateError, match="characters no plate has"):
        strict_plate(raw)


@pytest.mark.parametrize(
    ("raw", "plate"),
    [("abc-1234", "ABC1234"), (" xyz 98 ", "XYZ98"), ("ＡＢＣ１２３", "ABC123")],
)
def test_it_accepts_plates_as_printed(raw, plate):
    assert strict_plate(raw) == plate


@given(st.text(string.ascii_letters + string.digits + " -", max_size=14))
def test_it_accepts_exactly_what_normalises_to_a_plate(raw):
    plate = normalise_plate(raw)
    if not plate or len(plate) > 10 or plate in {"NONE", "UNK", "UNKNOWN", "NOPLATE"}:
        with pytest.raises(PlateError):
            strict_plate(raw)
    else:
        assert strict_plate(raw) == plate


@pytest.mark.parametrize(("raw", "state"), [("0H", "OH"), (" va ", "VA"), ("", "")])
def test_it_normalises_states(raw, state):
    assert normalise_state(raw) == state


@pytest.mark.parametrize("raw", ["ZZ", "Virginia", "0X"])
def test_it_refuses_unknown_states(raw):
    with pytest.raises(PlateError, match="unknown plate state"):
        normalise_state(raw)


@pytest.mark.parametrize("raw", ["*", "**", "?*?", "A*", "AB?", "*A*B*", "??????"])
def test_it_refuses_patterns_with_fewer_than_three_literals(raw):
    with pytest.raises(PlateError, match="at least 3"):
        parse_plate_query(raw)


@given(pattern_text)
def test_it_accepts_only_patterns_with_three_literals(raw):
    try:
        query = parse_plate_query(raw)
    except PlateError:
        return
    literals = len(re.sub(r"[*?]", "", query.value))
    if query.kind == "pattern":
        assert literals >= 3
        assert "**" not in query.value
    else:
        assert query.kind == "exact"
        assert query.value == raw


def _plate_for(pattern: str, data) -> str:
    """A plate the pattern matches, drawn at random."""
    out = []
    for char in pattern:
        if char == "*":
            out.append(data.draw(st.text(PLATE_ALPHABET, max_size=3)))
        elif char == "?":
            out.append(data.draw(st.sampled_from(PLATE_ALPHABET)))
        else:
            out.append(char)
    return "".join(out)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=pattern_text, other=plates, data=st.data())
def test_it_translates_wildcards_to_like_as_fnmatch_reads_them(db, raw, other, data):
    try:
        query = parse_plate_query(raw)
    except PlateError:
        return
    if query.kind != "pattern":
        return
    matching = _plate_for(query.value, data)
    with connection.cursor() as cursor:
        for plate in (matching, other):
            cursor.execute("SELECT %s LIKE %s", [plate, query.like_pattern])
            (like,) = cursor.fetchone()
            assert like == fnmatch.fnmatchcase(plate, query.value), (plate, query)
    assert fnmatch.fnmatchcase(matching, query.value)
