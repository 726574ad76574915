"""Range partitions of the two large tables, created ahead of need and on demand.

Plate reads are partitioned by UTC day and audit events by UTC month, so retention
can drop a whole expired partition instead of deleting rows one by one (a dropped
partition's files are unlinked; deleted rows would linger on disk until VACUUM).

Partitions are created by ``flockgov_ensure_partition``, a SECURITY DEFINER function
owned by the schema owner, so the application's own database role never owns, and
so can never drop, a partition of the audit trail.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartitionScheme:
    table: str
    step: str  # "day" or "month"

    def bounds(self, moment: datetime) -> tuple[datetime, datetime]:
        moment = moment.astimezone(UTC)
        if self.step == "day":
            lo = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            return lo, lo + timedelta(days=1)
        lo = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        hi = (lo + timedelta(days=32)).replace(day=1)
        return lo, hi

    def name_for(self, moment: datetime) -> str:
        lo, _ = self.bounds(moment)
        suffix = lo.strftime("%Y%m%d" if self.step == "day" else "%Y%m")
        return f"{self.table}_p{suffix}"


READS = PartitionScheme("queries_plateread", "day")
AUDIT = PartitionScheme("audits_auditevent", "month")

# Partition names known to exist in committed state. Only filled after commit, so a
# partition created in a transaction that rolls back is never assumed to exist.
_known: set[str] = set()


def ensure(scheme: PartitionScheme, moment: datetime) -> str:
    """Makes sure the partition holding ``moment`` exists; returns its name."""
    name = scheme.name_for(moment)
    if name in _known:
        return name
    lo, hi = scheme.bounds(moment)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT flockgov_ensure_partition(%s, %s, %s, %s)",
            [scheme.table, name, lo, hi],
        )
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _known.add(name))
    else:
        _known.add(name)
    return name


def ensure_range(scheme: PartitionScheme, start: datetime, end: datetime) -> list[str]:
    """Every partition from the one holding ``start`` to the one holding ``end``."""
    names = []
    moment = start
    while True:
        names.append(ensure(scheme, moment))
        _, hi = scheme.bounds(moment)
        if hi > end:
            return names
        moment = hi


def forget(name: str) -> None:
    """Called by whoever drops a partition, so this process stops assuming it."""
    _known.discard(name)


def existing(scheme: PartitionScheme) -> list[str]:
    """Names of the attached partitions of ``scheme``'s table, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname
            FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = %s
            ORDER BY child.relname
            """,
            [scheme.table],
        )
        return [row[0] for row in cursor.fetchall()]
