"""Audit periods as the department counts them: months and ISO weeks in its zone.

A month starts at local midnight of its first day, whatever the UTC offset (a
month that spans a DST change is still exactly that month's days).
"""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import AuditPeriod

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be audited (malformed, or not yet begun)."""


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def week_bounds(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=7)


def parse_month(text: str, *, now: datetime | None = None) -> tuple[date, date]:
    """``"2026-03"`` -> (2026-03-01, 2026-04-01); refuses malformed and future
    months."""
    match = MONTH_PATTERN.match(text.strip())
    if not match:
        raise PeriodError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-03")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise PeriodError(f"{text!r}: there is no month {month}")
    start, end = month_bounds(date(year, month, 1))
    today = timezone.localdate(now or timezone.now())
    if start > today:
        raise PeriodError(f"{text} is in the future: there is nothing to audit yet")
    return start, end


def bounds(period: AuditPeriod) -> tuple[datetime, datetime]:
    """The period as an aware [start, end) pair of instants."""
    return local_midnight(period.start), local_midnight(period.end)


def has_ended(period: AuditPeriod, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= bounds(period)[1]


def previous_month(now: datetime) -> tuple[date, date]:
    this_start, _ = month_bounds(timezone.localdate(now))
    return month_bounds(this_start - timedelta(days=1))


def previous_week(now: datetime) -> tuple[date, date]:
    this_start, _ = week_bounds(timezone.localdate(now))
    return week_bounds(this_start - timedelta(days=1))
