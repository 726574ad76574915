"""Fixtures for the Captain's audit: searches made at chosen times, periods."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from queries.models import Search
from queries.vocabulary import load_defaults

FIXTURES = Path(__file__).parent / "fixtures"

# Noon on a Wednesday in the middle of March 2026, in UTC (08:00 in Virginia).
MID_MARCH = datetime(2026, 3, 11, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _vocabulary(db):
    load_defaults()


def make_search(officer, at: datetime, **fields) -> Search:
    values = {
        "purpose": "A",
        "case_number": "26-004512",
        "offense_type": "Robbery",
        "justification": "Vehicle seen leaving the robbery on Church St",
        "plate_query": "ABC1234",
        "kind": "exact",
        "window_start": at - timedelta(days=2),
        "window_end": at,
        "result_count": 1,
    }
    values.update(fields)
    return Search.objects.create(officer=officer, created_at=at, **values)


@pytest.fixture
def search_at():
    return make_search
