"""The trail's date filter counts days in the department's zone
(America/New_York), across midnight and across the changes to and from daylight
saving time."""

from datetime import UTC, datetime

import pytest
import time_machine

from audits.context import Actor
from audits.events import EventType
from audits.trail import record
from tests.conftest import verified_client


def _record_at(moment: datetime, label: str) -> int:
    with time_machine.travel(moment, tick=False):
        event = record(
            EventType.CONFIG_CHANGED, actor=Actor.system("test"), summary=label
        )
    return event.seq


def _shown(client, day: str) -> set[str]:
    response = client.get(
        "/audit/",
        {"date_from": day, "date_to": day, "event_type": EventType.CONFIG_CHANGED},
    )
    assert response.status_code == 200
    text = response.content.decode()
    return {label for label in LABELS if label in text}


LABELS = ("before-midnight", "at-midnight", "last-edt-second", "first-est-day")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 2026-03-08: clocks go forward at 02:00 EST; the day starts 05:00 UTC and
        # ends 04:00 UTC the next morning (a 23-hour day).
        ("2026-03-07", {"before-midnight"}),
        ("2026-03-08", {"at-midnight", "last-edt-second"}),
        ("2026-03-09", {"first-est-day"}),
    ],
)
def test_it_filters_by_department_days_across_spring_forward(carol, day, expected):
    _record_at(datetime(2026, 3, 8, 4, 59, 59, 999000, tzinfo=UTC), "before-midnight")
    _record_at(datetime(2026, 3, 8, 5, 0, tzinfo=UTC), "at-midnight")
    _record_at(datetime(2026, 3, 9, 3, 59, 59, 999000, tzinfo=UTC), "last-edt-second")
    _record_at(datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "first-est-day")
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), tick=False):
        client = verified_client(carol)
        assert _shown(client, day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 2026-11-01: clocks go back at 02:00 EDT; the day runs from 04:00 UTC to
        # 05:00 UTC the next morning (a 25-hour day).
        ("2026-10-31", {"before-midnight"}),
        ("2026-11-01", {"at-midnight", "last-edt-second"}),
        ("2026-11-02", {"first-est-day"}),
    ],
)
def test_it_filters_by_department_days_across_fall_back(carol, day, expected):
    _record_at(datetime(2026, 11, 1, 3, 59, 59, 999000, tzinfo=UTC), "before-midnight")
    _record_at(datetime(2026, 11, 1, 4, 0, tzinfo=UTC), "at-midnight")
    # 23:59:59 EST on 1 November, 25 hours after the day began.
    _record_at(datetime(2026, 11, 2, 4, 59, 59, 999000, tzinfo=UTC), "last-edt-second")
    _record_at(datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "first-est-day")
    with time_machine.travel(datetime(2026, 11, 3, 15, 0, tzinfo=UTC), tick=False):
        client = verified_client(carol)
        assert _shown(client, day) == expected


def test_it_refuses_a_reversed_date_range_and_shows_nothing(carol):
    _record_at(datetime(2026, 3, 8, 12, 0, tzinfo=UTC), "at-midnight")
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), tick=False):
        client = verified_client(carol)
        response = client.get(
            "/audit/", {"date_from": "2026-03-09", "date_to": "2026-03-01"}
        )
    text = response.content.decode()
    assert response.status_code == 200
    assert "The end date is before the start date." in text
    assert "No records match." in text


def test_it_finds_refused_attempts_under_the_purpose_they_named(
    alice_client, carol_client, valid_search
):
    alice_client.post("/search/", {**valid_search, "purpose": "B", "case_number": ""})
    shown_b = carol_client.get("/audit/", {"purpose": "B"}).content.decode()
    shown_a = carol_client.get("/audit/", {"purpose": "A"}).content.decode()
    assert "Purpose B needs a case or incident number" in shown_b
    assert "Purpose B needs a case or incident number" not in shown_a
