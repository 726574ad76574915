"""Retention rules: the periods, the cutoffs and who may manage legal holds.

The read period lives in settings (``FLOCKGOV_READ_RETENTION_DAYS``) and settings
refuse a value above the statute at start-up; the checks here refuse it again
wherever the value is used, so an override at run time (a test, a shell, a
settings module of a locality) cannot lengthen retention either.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.roles import Role

HOLD_MANAGING_ROLES = frozenset({Role.CAPTAIN, Role.RECORDS})

# DESIGN.md: verify_retention tolerates this much lateness; the alarm fires
# when no purge has succeeded for longer than PURGE_ALARM_AFTER.
LATENESS_ALLOWED = timedelta(hours=2)
PURGE_ALARM_AFTER = timedelta(hours=3)


class RetentionSettingError(ImproperlyConfigured):
    """A retention period outside what the statute allows."""


def read_period_days() -> int:
    days = settings.FLOCKGOV_READ_RETENTION_DAYS
    ceiling = settings.STATUTORY_READ_RETENTION_DAYS
    if not isinstance(days, int) or not 1 <= days <= ceiling:
        raise RetentionSettingError(
            f"FLOCKGOV_READ_RETENTION_DAYS is {days!r}: it must be between 1 and "
            f"{ceiling} days (the statute allows a shorter period, never a longer one)."
        )
    return days


def audit_period_years() -> int:
    years = settings.FLOCKGOV_AUDIT_RETENTION_YEARS
    if years != settings.STATUTORY_AUDIT_RETENTION_YEARS:
        raise RetentionSettingError(
            f"FLOCKGOV_AUDIT_RETENTION_YEARS is {years!r}: audit-trail data is kept "
            f"exactly {settings.STATUTORY_AUDIT_RETENTION_YEARS} years (policy §8.B)."
        )
    return years


def read_cutoff(now: datetime | None = None) -> datetime:
    """Reads captured at or before this instant are due (``queries.models``'s
    rule, after checking the period)."""
    from queries.models import read_cutoff as queries_read_cutoff

    read_period_days()
    return queries_read_cutoff(now)


def audit_cutoff(now: datetime | None = None) -> datetime:
    """Audit records made at or before this instant are due.

    Two years is the same UTC instant two calendar years earlier, so a record made
    at ``t`` is due at ``t + 2 years`` whatever the daylight-saving changes in
    between. Records of 29 February fall due at the start of 1 March two years
    later (there is no 29 February to count back from).
    """
    years = audit_period_years()
    moment = (now or timezone.now()).astimezone(UTC)
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February, and the earlier year is not a leap year
        return moment.replace(year=moment.year - years, day=28)


def may_manage_holds(officer) -> bool:
    return bool(officer and officer.is_active and officer.role in HOLD_MANAGING_ROLES)
