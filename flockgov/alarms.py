"""Alarms that must reach administrators even when the database is the problem.

An alarm is kept in Redis (not PostgreSQL: one of them is "the audit trail cannot
be written"), shown on the health page and in every page's header, and turned into
notices and e-mail to administrators by the ``deliver_alarms`` task.
"""

import logging
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

AUDIT_WRITE_FAILED = "audit_write_failed"
PURGE_OVERDUE = "purge_overdue"
NCIC_STALE = "ncic_stale"
SHARED_ACCOUNT = "shared_account"
SHARING_SETTINGS_CHANGED = "sharing_settings_changed"

_KEY = "alarm:{}"
_INDEX = "alarm:index"


def raise_alarm(name: str, message: str) -> None:
    """Records (or refreshes) an active alarm. Never raises: it is the last resort."""
    try:
        now = timezone.now().isoformat()
        existing = cache.get(_KEY.format(name))
        cache.set(
            _KEY.format(name),
            {
                "name": name,
                "message": message,
                "first_raised_at": existing["first_raised_at"] if existing else now,
                "last_raised_at": now,
            },
            timeout=None,
        )
        names = set(cache.get(_INDEX) or [])
        names.add(name)
        cache.set(_INDEX, sorted(names), timeout=None)
    except Exception:
        logger.critical("could not store alarm %s: %s", name, message, exc_info=True)


def clear_alarm(name: str) -> None:
    cache.delete(_KEY.format(name))
    names = set(cache.get(_INDEX) or [])
    names.discard(name)
    cache.set(_INDEX, sorted(names), timeout=None)


def active_alarms() -> list[dict[str, str]]:
    try:
        names = cache.get(_INDEX) or []
        found = [cache.get(_KEY.format(name)) for name in names]
    except Exception:
        logger.exception("could not read alarms")
        return [
            {
                "name": "alarm_store_unreachable",
                "message": "The alarm store (Redis) cannot be reached.",
                "first_raised_at": timezone.now().isoformat(),
                "last_raised_at": timezone.now().isoformat(),
            }
        ]
    return [alarm for alarm in found if alarm]


def raised_at(alarm: dict[str, str]) -> datetime:
    return datetime.fromisoformat(alarm["first_raised_at"])
