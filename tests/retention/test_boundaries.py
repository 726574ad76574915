"""Exact retention timing (DESIGN.md): a read captured at t is due at t + 21 days,
an audit record at t + 2 years, both counted in UTC, whatever the clocks on the
wall did in between (the DST changes of 2026-03-08 and 2026-11-01 in New York)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audits.models import AuditEvent
from queries.models import PlateRead
from retention import rules
from retention.purge import run_purge

from .conftest import put_audit, put_read

pytestmark = pytest.mark.django_db(transaction=True)

NEW_YORK = ZoneInfo("America/New_York")
SECOND = timedelta(seconds=1)
PERIOD = timedelta(days=21)

# Captures just before, during and after the wall-clock jumps.
READ_CAPTURES = {
    "ordinary": datetime(2026, 2, 10, 15, 0, tzinfo=UTC),
    # 01:30 EST, half an hour before clocks spring forward; due 02:30 EDT.
    "spring-forward": datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK),
    # Captured 21 days before the jump: its due instant falls on the DST day.
    "due-on-spring-forward": datetime(2026, 2, 15, 6, 30, tzinfo=UTC),
    # The first 01:30 of 2026-11-01 (EDT) and the second (EST), an hour apart.
    "fall-back-first": datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0),
    "fall-back-second": datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1),
}


@pytest.mark.parametrize("case", sorted(READ_CAPTURES))
def test_it_purges_a_read_exactly_21_days_old_and_not_a_second_younger(
    case, camera, system
):
    t = READ_CAPTURES[case].astimezone(UTC)
    older = put_read(camera, t - SECOND, plate="OLD1")
    exact = put_read(camera, t, plate="EXACT1")
    younger = put_read(camera, t + SECOND, plate="YOUNG1")
    due = t + PERIOD

    report = run_purge(actor=system, now=due - SECOND)
    assert report.reads_purged == 1
    assert set(PlateRead.objects.values_list("plate", flat=True)) == {
        "EXACT1",
        "YOUNG1",
    }

    report = run_purge(actor=system, now=due)
    assert report.reads_purged == 1
    assert list(PlateRead.objects.values_list("plate", flat=True)) == ["YOUNG1"]

    report = run_purge(actor=system, now=due + SECOND)
    assert report.reads_purged == 1
    assert not PlateRead.objects.exists()
    assert {older.id, exact.id, younger.id}  # three distinct reads went


def test_it_counts_21_days_in_utc_not_in_wall_clock_days():
    # 2026-03-08 01:30 EST + 21 days is 02:30 EDT on the wall, 06:30 UTC both ways.
    t = READ_CAPTURES["spring-forward"]
    assert rules.read_cutoff(t.astimezone(UTC) + PERIOD) == t
    wall_clock_days_later = datetime(2026, 3, 29, 1, 30, tzinfo=NEW_YORK)
    assert rules.read_cutoff(wall_clock_days_later) < t  # not yet due on the wall


@pytest.mark.parametrize(
    "made",
    [
        datetime(2024, 3, 8, 6, 30, tzinfo=UTC),  # due 2026-03-08 01:30 EST
        datetime(2024, 3, 8, 7, 30, tzinfo=UTC),  # due 2026-03-08 03:30 EDT
        datetime(2024, 11, 1, 5, 30, tzinfo=UTC),  # due 2026-11-01 01:30 EDT
        datetime(2024, 11, 1, 6, 30, tzinfo=UTC),  # due 2026-11-01 01:30 EST
    ],
)
def test_it_purges_an_audit_record_exactly_two_years_old_and_not_younger(made, system):
    older = put_audit(made - SECOND, "older")
    exact = put_audit(made, "exact")
    younger = put_audit(made + SECOND, "younger")
    due = made.replace(year=made.year + 2)

    def alive() -> set[str]:
        return set(
            AuditEvent.objects.filter(seq__lte=younger.seq).values_list(
                "summary", flat=True
            )
        )

    run_purge(actor=system, now=due - SECOND)
    assert alive() == {"exact", "younger"}
    run_purge(actor=system, now=due)
    assert alive() == {"younger"}
    run_purge(actor=system, now=due + SECOND)
    assert alive() == set()
    assert older.seq < exact.seq < younger.seq


def test_it_dates_a_29_february_record_due_on_1_march():
    made = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
    assert rules.audit_cutoff(datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)) < made
    assert rules.audit_cutoff(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) > made


def test_it_treats_the_frozen_clock_as_now_when_none_is_given(camera, system):
    t = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    put_read(camera, t)
    with time_machine.travel(t + PERIOD - SECOND, tick=False):
        assert run_purge(actor=system).reads_purged == 0
    with time_machine.travel(t + PERIOD, tick=False):
        assert run_purge(actor=system).reads_purged == 1
