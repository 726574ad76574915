"""What a search returns: never a read already due for destruction, hashed
plates by exact value only, wildcards as documented."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audits.context import Actor
from flockgov.db import partitions
from queries.criteria import validate
from queries.models import PlateRead
from queries.services import perform_search

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
HASH = "3f" * 32


def _read(camera, plate, at, *, hashed=False):
    partitions.ensure(partitions.READS, at)
    return PlateRead.objects.bulk_create(
        [PlateRead(plate=plate, captured_at=at, camera=camera, plate_hashed=hashed)]
    )[0]


def _search(alice, valid_search, **overrides):
    criteria = validate(
        **{**valid_search, "window_start": None, "window_end": None, **overrides}
    )
    return perform_search(actor=Actor.for_officer(alice), criteria=criteria)


def test_it_never_returns_a_read_already_due_for_destruction(
    alice, camera, valid_search
):
    """The purge may run up to two hours late; searches do not wait for it."""
    due = _read(camera, "ABC1234", NOW - timedelta(days=21))
    kept = _read(camera, "ABC1234", NOW - timedelta(days=21) + timedelta(seconds=1))
    with time_machine.travel(NOW, tick=False):
        outcome = _search(alice, valid_search)
    assert [r.id for r in outcome.reads] == [kept.id]
    assert outcome.search.read_ids == [kept.id]
    assert due.id not in outcome.search.read_ids


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ABC1234", {"ABC1234"}),
        ("abc-1234", {"ABC1234"}),
        ("ABC*", {"ABC1234", "ABC99"}),
        ("*234", {"ABC1234", "XBC1234"}),
        ("?BC1234", {"ABC1234", "XBC1234"}),
        ("AB?99", {"ABC99"}),
        (HASH, {HASH}),
        (HASH.upper(), {HASH}),
    ],
)
def test_it_matches_exact_plates_patterns_and_hashes(
    alice, camera, valid_search, query, found
):
    at = NOW - timedelta(hours=1)
    for plate in ("ABC1234", "XBC1234", "ABC99", "ZZZ000"):
        _read(camera, plate, at)
    _read(camera, HASH, at, hashed=True)
    with time_machine.travel(NOW, tick=False):
        outcome = _search(alice, valid_search, plate=query)
    assert {r.plate for r in outcome.reads} == found


def test_it_never_matches_a_hashed_plate_with_a_pattern(alice, camera, valid_search):
    digits_only = "1234" * 16  # a digest a pattern's letters could not rule out
    _read(camera, digits_only, NOW - timedelta(hours=1), hashed=True)
    with time_machine.travel(NOW, tick=False):
        outcome = _search(alice, valid_search, plate="1234*")
    assert outcome.reads == []
    assert outcome.search.result_count == 0
