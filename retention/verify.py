"""Proof that retention holds: nothing unheld older than its period (beyond the
lateness allowed), and the purge alarm when purges stop succeeding."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Notice
from accounts.notices import administrators, notify
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record
from flockgov import alarms
from flockgov.db import partitions

from . import rules
from .models import HeldRead, PurgeRun
from .purge import partition_bounds
from .sql import TRAIL_LATE

logger = logging.getLogger(__name__)


@dataclass
class Verification:
    verified: int = 0
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, problem: str) -> None:  # noqa: FBT001
        if ok:
            self.verified += 1
        else:
            self.problems.append(problem)


def _scalar(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def verify(*, now: datetime | None = None) -> Verification:
    now = now or timezone.now()
    result = Verification()
    read_limit = rules.read_cutoff(now) - rules.LATENESS_ALLOWED
    audit_limit = rules.audit_cutoff(now) - rules.LATENESS_ALLOWED

    # Held reads live in the vault, so every live read older than the limit is late.
    late = _scalar(
        "SELECT count(*) FROM queries_plateread WHERE captured_at <= %s", [read_limit]
    )
    result.check(late == 0, f"{late} reads are older than the retention period")
    late = HeldRead.objects.due_for_purge(read_limit).count()
    result.check(late == 0, f"{late} released held reads are past the period")
    for table, column, label in (
        ("audits_auditevent", "occurred_at", "audit records"),
        ("queries_search", "created_at", "searches"),
        ("auditlog_logentry", "timestamp", "configuration history entries"),
    ):
        late = _scalar(
            f"SELECT count(*) FROM {table} WHERE {column} <= %s",  # noqa: S608
            [audit_limit],
        )
        result.check(late == 0, f"{late} {label} are older than two years")
    for table, where, label in TRAIL_LATE:
        late = _scalar(
            f"SELECT count(*) FROM {table} WHERE {where}",  # noqa: S608
            [audit_limit],
        )
        result.check(late == 0, f"{late} {label} are older than two years")
    late = _scalar(
        "SELECT count(*) FROM retention_heldauditrecord r "
        "JOIN retention_legalhold h ON h.id = r.hold_id "
        "WHERE h.released_at IS NOT NULL AND r.recorded_at <= %s",
        [audit_limit],
    )
    result.check(late == 0, f"{late} released held audit records are past two years")

    # Tables of partitions detached but never dropped still hold their rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
            "AND NOT c.relispartition AND (c.relname LIKE %s OR c.relname LIKE %s)",
            [
                f"{partitions.READS.table}\\_p%",
                f"{partitions.AUDIT.table}\\_p%",
            ],
        )
        stray = [name for (name,) in cursor.fetchall() if partition_bounds(name)]
    result.check(
        not stray, f"detached partitions not dropped: {', '.join(sorted(stray))}"
    )

    last = PurgeRun.objects.last_success_at()
    result.check(
        last is not None and now - last <= rules.PURGE_ALARM_AFTER,
        "no purge has succeeded in the last "
        f"{int(rules.PURGE_ALARM_AFTER.total_seconds() // 3600)} hours"
        + (f" (last: {last.isoformat()})" if last else " (none ever)"),
    )
    return result


def check_purge_overdue(*, now: datetime | None = None) -> bool:
    """Raises the alarm (with a notice to administrators and an audit record, once
    per outage) when no purge has succeeded for too long; clears it otherwise.
    Returns whether purges are overdue."""
    now = now or timezone.now()
    last = PurgeRun.objects.last_success_at()
    overdue = last is None or now - last > rules.PURGE_ALARM_AFTER
    already = any(a["name"] == alarms.PURGE_OVERDUE for a in alarms.active_alarms())
    if not overdue:
        if already:
            alarms.clear_alarm(alarms.PURGE_OVERDUE)
        return False
    since = f"since {last:%Y-%m-%d %H:%M} UTC" if last else "ever"
    message = (
        f"No purge has succeeded {since}: reads past 21 days may still exist "
        "(policy §8.A). Check the worker, beat and `manage.py purge_expired`."
    )
    alarms.raise_alarm(alarms.PURGE_OVERDUE, message)
    if not already:
        logger.error("purge overdue: last success %s", last)
        with transaction.atomic():
            record(
                EventType.PURGE_OVERDUE,
                actor=Actor.system("check_purge_overdue"),
                outcome=Outcome.FAILED,
                summary=message[:300],
                data={"last_success": last.isoformat() if last else None},
            )
            notify(
                administrators(),
                subject="Purge overdue: reads may be kept past the retention period",
                body=message,
                level=Notice.Level.ALARM,
                link="/health/",
            )
    return True
