"""The importer's read-ahead thread: order kept, errors passed on, stops early."""

import threading

import pytest

from queries import importers


def test_it_yields_every_item_in_order_across_chunks():
    items = list(range(importers.READ_AHEAD_CHUNK * 3 + 7))
    assert list(importers._read_ahead(iter(items))) == items


def test_it_raises_the_readers_error_after_the_items_before_it():
    def items():
        yield from range(5)
        raise ValueError("unreadable")

    seen = []
    with pytest.raises(ValueError, match="unreadable"):
        for item in importers._read_ahead(items()):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_it_stops_its_thread_when_the_consumer_stops_early():
    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    before = {t.ident for t in threading.enumerate()}
    reader = importers._read_ahead(endless())
    assert next(reader) == 0
    reader.close()
    assert all(
        t.ident in before for t in threading.enumerate() if t.name == "read-ahead"
    )
    # Bounded: it read no more than the chunks it may hold ahead, plus one.
    limit = importers.READ_AHEAD_CHUNK * (importers.READ_AHEAD_CHUNKS + 2)
    assert len(produced) <= limit
