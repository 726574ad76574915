"""The purge: destroys reads past their retention period and audit-trail data
past two years, leaving receipts (and, for the chain, tombstones) in the trail.

How it stays correct when things go wrong:

* One run at a time: a session-level PostgreSQL advisory lock, taken with
  ``pg_try_advisory_lock``. A second run (another beat process, a command while
  the task runs) returns "busy" at once, audited. A killed worker or a restarted
  database ends the session and so releases the lock.
* Idempotent: every step reads the current state of the catalog and the tables
  and does what is left: a partition whose ``DETACH ... CONCURRENTLY`` was
  interrupted is finalised, a detached but undropped one is dropped, batches
  resume where the last committed one ended. Running twice destroys nothing
  twice and raises nothing.
* Holds never race it: a legal hold copies what it covers into the vault in its
  own transaction, so the purge removes expired rows without asking which are
  held. A hold whose transaction saw a read has its copy, whatever the purge does
  next; one that did not see it reports it as already destroyed.
* The chain: audit records go in seq order, as a contiguous run from the start of
  the surviving chain; the ``AUDIT_PURGED`` tombstone naming the last destroyed
  record (``purged_through_seq``, ``anchor_hash``) is written in the same
  transaction as a batch deletion, and before a whole partition is detached (a
  crash in between leaves a tombstone for records still present, never a gap
  without one).

Whole partitions are detached (``CONCURRENTLY``, under a lock timeout, so
searches keep running) and dropped: their files are unlinked rather than left
for VACUUM. The detach needs the table owner's privileges (see
docs/operations.md); boundary rows of the audit trail are deleted only through
the SECURITY DEFINER functions in ``retention/sql.py``.
"""

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record
from flockgov import alarms
from flockgov.db import partitions

from . import rules
from .models import HeldAuditRecord, HeldRead, PurgeRun
from .sql import TRAIL_LATE

logger = logging.getLogger(__name__)

PURGE_LOCK_KEY = 0x466C6F636B5052  # "FlockPR"

_NAMES = {
    partitions.READS.table: re.compile(r"^queries_plateread_p(\d{8})$"),
    partitions.AUDIT.table: re.compile(r"^audits_auditevent_p(\d{6})$"),
}


class PurgeRefused(RuntimeError):
    """The purge will not run as configured (a period above the statute)."""


@dataclass
class PurgeReport:
    dry_run: bool = False
    busy: bool = False
    reads_purged: int = 0
    audit_purged: int = 0
    held: int = 0
    held_audit: int = 0
    read_partitions: list[str] = field(default_factory=list)
    audit_partitions: list[str] = field(default_factory=list)
    boundary_reads: int = 0
    vault_reads: int = 0
    reads_from: str | None = None
    reads_to: str | None = None
    audit_from_seq: int | None = None
    audit_through_seq: int | None = None
    searches_purged: int = 0
    log_entries_purged: int = 0
    vault_audit_purged: int = 0
    # Other apps' audit-trail records destroyed, by table (alerts, shares ...).
    trail_purged: dict[str, int] = field(default_factory=dict)
    images_removed: int = 0
    read_cutoff: str = ""
    audit_cutoff: str = ""
    problems: list[str] = field(default_factory=list)

    def receipt(self) -> dict:
        """What was destroyed: counts, ranges and partition names, never data."""
        return asdict(self)

    def note_reads(self, count: int, lo: datetime | None, hi: datetime | None) -> None:
        self.reads_purged += count
        if lo is not None:
            lo_s = lo.astimezone(UTC).isoformat()
            self.reads_from = min(filter(None, [self.reads_from, lo_s]))
        if hi is not None:
            hi_s = hi.astimezone(UTC).isoformat()
            self.reads_to = max(filter(None, [self.reads_to, hi_s]))


def partition_bounds(name: str) -> tuple[datetime, datetime] | None:
    """The range a flockgov partition covers, from its name (None if not ours)."""
    for pattern in _NAMES.values():
        match = pattern.match(name)
        if not match:
            continue
        digits = match.group(1)
        if len(digits) == 8:
            moment = datetime.strptime(digits, "%Y%m%d").replace(tzinfo=UTC)
            return partitions.READS.bounds(moment)
        moment = datetime.strptime(digits + "01", "%Y%m%d").replace(tzinfo=UTC)
        return partitions.AUDIT.bounds(moment)
    return None


# Table names in this module's SQL are partition names read from the catalog,
# matched against ``_NAMES`` and quoted: never input (hence the S608 waivers).


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _partitions_of(table: str) -> list[tuple[str, bool]]:
    """(name, detach pending) of every partition of ``table`` still in the catalog,
    attached or detached by an earlier run that did not get to drop it."""
    rows = _fetch(
        """
        SELECT child.relname, inh.inhdetachpending
        FROM pg_inherits inh
        JOIN pg_class parent ON parent.oid = inh.inhparent
        JOIN pg_class child ON child.oid = inh.inhrelid
        WHERE parent.relname = %s
        """,
        [table],
    )
    found = {name: pending for name, pending in rows}
    # Detached leftovers: our naming pattern, an ordinary table, no parent.
    leftovers = _fetch(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r'
          AND NOT c.relispartition AND c.relname LIKE %s
        """,
        [f"{table}\\_p%"],
    )
    for (name,) in leftovers:
        if _NAMES[table].match(name):
            found.setdefault(name, False)
    return sorted(found.items())


def _is_attached(table: str, name: str) -> bool:
    return bool(
        _fetch(
            """
            SELECT 1 FROM pg_inherits inh
            JOIN pg_class parent ON parent.oid = inh.inhparent
            JOIN pg_class child ON child.oid = inh.inhrelid
            WHERE parent.relname = %s AND child.relname = %s
            """,
            [table, name],
        )
    )


def _detach_and_drop(table: str, name: str, *, pending: bool) -> None:
    """DETACH ... CONCURRENTLY (two transactions of its own, so never inside an
    atomic block) under a lock timeout, then DROP. Safe to repeat."""
    qtable = connection.ops.quote_name(table)
    qname = connection.ops.quote_name(name)
    _execute("SELECT set_config('lock_timeout', %s, false)", [_lock_timeout()])
    try:
        if pending:
            _execute(f"ALTER TABLE {qtable} DETACH PARTITION {qname} FINALIZE")
        elif _is_attached(table, name):
            _execute(f"ALTER TABLE {qtable} DETACH PARTITION {qname} CONCURRENTLY")
        _execute(f"DROP TABLE IF EXISTS {qname}")
    finally:
        _execute("SELECT set_config('lock_timeout', '0', false)")
    partitions.forget(name)


def _lock_timeout() -> str:
    return getattr(settings, "FLOCKGOV_PURGE_LOCK_TIMEOUT", "5s")


def _batch_size() -> int:
    return int(getattr(settings, "FLOCKGOV_PURGE_BATCH_SIZE", 5000))


def _remove_images(refs: set[str], report: PurgeReport) -> None:
    """Deletes the stored image files of destroyed reads, unless a vault copy of
    a read still points at the same file."""
    refs = {ref for ref in refs if ref}
    if not refs:
        return
    kept = set(
        HeldRead.objects.filter(image_ref__in=refs).values_list("image_ref", flat=True)
    )
    root = Path(settings.MEDIA_ROOT).resolve()
    for ref in sorted(refs - kept):
        path = (root / ref).resolve()
        if not path.is_relative_to(root):
            logger.warning("image reference outside MEDIA_ROOT ignored")
            continue
        try:
            path.unlink()
            report.images_removed += 1
        except FileNotFoundError:
            pass  # Already gone (an earlier, interrupted run removed it).


# --- reads -----------------------------------------------------------------------


def _purge_read_partitions(report: PurgeReport, cutoff: datetime, *, dry_run: bool):
    table = partitions.READS.table
    for name, pending in _partitions_of(table):
        bounds = partition_bounds(name)
        if bounds is None or bounds[1] > cutoff:
            continue
        qname = connection.ops.quote_name(name)
        count, lo, hi = _fetch(
            f"SELECT count(*), min(captured_at), max(captured_at) FROM {qname}"  # noqa: S608
        )[0]
        images = {
            ref
            for (ref,) in _fetch(
                f"SELECT image_ref FROM {qname} WHERE image_ref <> ''"  # noqa: S608
            )
        }
        if not dry_run:
            try:
                _detach_and_drop(table, name, pending=pending)
            except DatabaseError as exc:
                # Usually the lock timeout: a long search held the table. The
                # next hourly run tries again; verify_retention reports lateness.
                logger.warning("read partition %s not dropped: %s", name, exc)
                report.problems.append(f"{name}: {exc.__class__.__name__}")
                continue
            _remove_images(images, report)
        report.read_partitions.append(name)
        report.note_reads(count, lo, hi)


def _purge_boundary_reads(report: PurgeReport, cutoff: datetime, *, dry_run: bool):
    """Expired rows of partitions not wholly expired (the boundary day), in
    batches of their own transactions."""
    table = partitions.READS.table
    for name, pending in _partitions_of(table):
        bounds = partition_bounds(name)
        if bounds is None or pending or not bounds[0] <= cutoff < bounds[1]:
            continue
        qname = connection.ops.quote_name(name)
        if dry_run:
            count, lo, hi = _fetch(
                f"SELECT count(*), min(captured_at), max(captured_at) FROM {qname} "  # noqa: S608
                "WHERE captured_at <= %s",
                [cutoff],
            )[0]
            report.boundary_reads += count
            report.note_reads(count, lo, hi)
            continue
        while True:
            with transaction.atomic():
                rows = _fetch(
                    f"DELETE FROM {qname} WHERE (id, captured_at) IN ("  # noqa: S608
                    f"  SELECT id, captured_at FROM {qname} WHERE captured_at <= %s"
                    "   LIMIT %s"
                    ") RETURNING captured_at, image_ref",
                    [cutoff, _batch_size()],
                )
            if not rows:
                break
            report.boundary_reads += len(rows)
            report.note_reads(
                len(rows), min(r[0] for r in rows), max(r[0] for r in rows)
            )
            _remove_images({r[1] for r in rows}, report)


def _purge_vault_reads(report: PurgeReport, cutoff: datetime, *, dry_run: bool):
    """Vault copies of released holds that are past retention."""
    due = HeldRead.objects.due_for_purge(cutoff)
    if dry_run:
        report.vault_reads = due.count()
        report.reads_purged += report.vault_reads
        return
    while True:
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True).values_list(
                    "pk", "captured_at", "image_ref"
                )[: _batch_size()]
            )
            if not batch:
                break
            HeldRead.objects.filter(pk__in=[row[0] for row in batch]).delete()
        report.vault_reads += len(batch)
        report.note_reads(
            len(batch), min(r[1] for r in batch), max(r[1] for r in batch)
        )
        _remove_images({r[2] for r in batch}, report)


# --- the audit trail -------------------------------------------------------------


def _tombstone(
    actor: Actor, *, through_seq: int, anchor_hash: str, records: int, **extra
) -> None:
    record(
        EventType.AUDIT_PURGED,
        actor=actor,
        object_type="audits.auditevent",
        summary=f"audit records up to #{through_seq} destroyed ({records} records)",
        data={
            "purged_through_seq": through_seq,
            "anchor_hash": anchor_hash,
            "records": records,
            **extra,
        },
    )


def _purge_audit(
    report: PurgeReport, cutoff: datetime, actor: Actor, *, dry_run: bool
) -> None:
    table = partitions.AUDIT.table
    first_survivor = _fetch(
        "SELECT min(seq) FROM audits_auditevent WHERE occurred_at > %s", [cutoff]
    )[0][0]
    if first_survivor is None:
        # Every record is expired; the receipt this run writes will survive.
        first_survivor = (
            _fetch("SELECT max(seq) FROM audits_auditevent")[0][0] or 0
        ) + 1
    through = first_survivor - 1
    blocked = False

    for name, pending in _partitions_of(table):
        bounds = partition_bounds(name)
        if bounds is None or bounds[1] > cutoff:
            continue
        qname = connection.ops.quote_name(name)
        count, lo_seq, hi_seq = _fetch(
            f"SELECT count(*), min(seq), max(seq) FROM {qname}"  # noqa: S608
        )[0]
        if count and hi_seq > through:
            # A record with a later seq than a surviving one (clock skew): keep
            # the chain contiguous and leave it to the batches.
            break
        if dry_run:
            report.audit_partitions.append(name)
            report.audit_purged += count
            continue
        # TODO: the tombstone goes first so no gap is ever without one; if the
        # detach then fails, it names records that still exist until the next
        # run drops them. A "pending" flag settled after the drop would be exact.
        if count:
            anchor = _fetch(
                f"SELECT hash FROM {qname} WHERE seq = %s",  # noqa: S608
                [hi_seq],
            )[0][0]
            with transaction.atomic():
                _tombstone(
                    actor,
                    through_seq=hi_seq,
                    anchor_hash=anchor,
                    records=count,
                    from_seq=lo_seq,
                    partition=name,
                )
        try:
            _detach_and_drop(table, name, pending=pending)
        except DatabaseError as exc:
            logger.warning("audit partition %s not dropped: %s", name, exc)
            report.problems.append(f"{name}: {exc.__class__.__name__}")
            blocked = True
            break  # Later records must not go while earlier ones stay.
        report.audit_partitions.append(name)
        report.audit_purged += count
        if count:
            report.audit_from_seq = report.audit_from_seq or lo_seq
            report.audit_through_seq = hi_seq

    if dry_run:
        report.audit_purged += _fetch(
            "SELECT count(*) FROM audits_auditevent "
            "WHERE seq <= %s AND occurred_at <= %s",
            [through, cutoff],
        )[0][0]
        report.searches_purged = _fetch(
            "SELECT count(*) FROM queries_search WHERE created_at <= %s", [cutoff]
        )[0][0]
        report.log_entries_purged = _fetch(
            "SELECT count(*) FROM auditlog_logentry WHERE timestamp <= %s", [cutoff]
        )[0][0]
        for table, where, _label in TRAIL_LATE:
            due = _fetch(
                f"SELECT count(*) FROM {table} WHERE {where}",  # noqa: S608
                [cutoff],
            )[0][0]
            if due:
                report.trail_purged[table] = due
        return

    while not blocked:
        with transaction.atomic():
            deleted, last_seq, last_hash = _fetch(
                "SELECT * FROM flockgov_purge_audit_batch(%s, %s, %s)",
                [cutoff, through, _batch_size()],
            )[0]
            if not deleted:
                break
            _tombstone(
                actor,
                through_seq=last_seq,
                anchor_hash=last_hash,
                records=deleted,
                from_seq=last_seq - deleted + 1,
            )
        report.audit_purged += deleted
        report.audit_from_seq = report.audit_from_seq or last_seq - deleted + 1
        report.audit_through_seq = last_seq

    # Alerts, shares and the rest first: a search goes only once nothing that
    # names it is left.
    while True:
        with transaction.atomic():
            rows = _fetch(
                "SELECT * FROM flockgov_purge_trail_records(%s, %s)",
                [cutoff, _batch_size()],
            )
        for table, deleted in rows:
            if deleted:
                report.trail_purged[table] = report.trail_purged.get(table, 0) + deleted
        if not any(deleted for _, deleted in rows):
            break
    while True:
        with transaction.atomic():
            searches, entries = _fetch(
                "SELECT * FROM flockgov_purge_audit_side_tables(%s, %s)",
                [cutoff, _batch_size()],
            )[0]
        report.searches_purged += searches
        report.log_entries_purged += entries
        if not searches and not entries:
            break
    with transaction.atomic():
        report.vault_audit_purged = _fetch(
            "SELECT flockgov_purge_held_audit(%s)", [cutoff]
        )[0][0]


# --- the run ---------------------------------------------------------------------


def _try_lock() -> bool:
    return bool(_fetch("SELECT pg_try_advisory_lock(%s)", [PURGE_LOCK_KEY])[0][0])


def _unlock() -> None:
    try:
        _execute("SELECT pg_advisory_unlock(%s)", [PURGE_LOCK_KEY])
    except DatabaseError:
        # The session is gone (database restarted): so is its lock.
        connection.close()


def run_purge(
    *, actor: Actor, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Destroys everything due at ``now`` (or says what would go, ``dry_run``).

    Runs in autocommit mode: it opens its own short transactions and needs to run
    statements (``DETACH ... CONCURRENTLY``) that cannot run inside one.
    """
    if connection.in_atomic_block:
        raise RuntimeError("run_purge manages its own transactions")
    # A run "as of" a given instant is recorded as finishing then, too.
    as_of = now
    now = now or timezone.now()
    try:
        read_cutoff = rules.read_cutoff(now)
        audit_cutoff = rules.audit_cutoff(now)
    except rules.RetentionSettingError as exc:
        record(
            EventType.PURGE_REFUSED,
            actor=actor,
            outcome=Outcome.REFUSED,
            summary=str(exc)[:300],
            data={"reason": str(exc)},
        )
        raise PurgeRefused(str(exc)) from exc

    if not _try_lock():
        logger.info("purge not started: another purge holds the lock")
        record(
            EventType.PURGE_BUSY,
            actor=actor,
            outcome=Outcome.REFUSED,
            summary="purge not started: another purge is running",
            data={"dry_run": dry_run},
        )
        return PurgeReport(dry_run=dry_run, busy=True)

    report = PurgeReport(
        dry_run=dry_run,
        read_cutoff=read_cutoff.isoformat(),
        audit_cutoff=audit_cutoff.isoformat(),
    )
    try:
        # Holding the lock, any run still marked running was cut off.
        PurgeRun.objects.filter(status=PurgeRun.Status.RUNNING).update(
            status=PurgeRun.Status.INTERRUPTED, finished_at=now
        )
        run = PurgeRun.objects.create(
            started_at=now,
            status=PurgeRun.Status.RUNNING,
            dry_run=dry_run,
            actor_label=actor.label[:150],
        )
        try:
            _purge_read_partitions(report, read_cutoff, dry_run=dry_run)
            _purge_boundary_reads(report, read_cutoff, dry_run=dry_run)
            _purge_vault_reads(report, read_cutoff, dry_run=dry_run)
            _purge_audit(report, audit_cutoff, actor, dry_run=dry_run)
        except Exception as exc:
            _record_failure(run, report, actor, exc)
            raise
        report.held = (
            HeldRead.objects.under_active_hold()
            .filter(captured_at__lte=read_cutoff)
            .values("read_id")
            .distinct()
            .count()
        )
        report.held_audit = (
            HeldAuditRecord.objects.filter(
                hold__released_at__isnull=True, recorded_at__lte=audit_cutoff
            )
            .values("source", "record_id")
            .distinct()
            .count()
        )
        status = (
            PurgeRun.Status.FAILED if report.problems else PurgeRun.Status.SUCCEEDED
        )
        with transaction.atomic():
            run.finish(status, now=as_of or timezone.now())
            run.reads_purged = report.reads_purged
            run.audit_purged = report.audit_purged
            run.held = report.held
            run.partitions_dropped = report.read_partitions + report.audit_partitions
            run.detail = "; ".join(report.problems)[:300]
            run.save()
            record(
                EventType.PURGE_PREVIEWED if dry_run else EventType.READS_PURGED,
                actor=actor,
                outcome=Outcome.FAILED if report.problems else Outcome.SUCCESS,
                target=run,
                summary=(
                    f"{'would destroy' if dry_run else 'destroyed'} "
                    f"{report.reads_purged} reads and {report.audit_purged} audit "
                    f"records; {report.held} reads kept under legal hold"
                ),
                data=report.receipt(),
            )
    finally:
        _unlock()
    if not dry_run and not report.problems:
        try:
            alarms.clear_alarm(alarms.PURGE_OVERDUE)
        except Exception:
            # Redis down: the overdue check clears it on its next run.
            logger.warning("purge alarm could not be cleared", exc_info=True)
    return report


def _record_failure(run: PurgeRun, report: PurgeReport, actor: Actor, exc) -> None:
    """Best effort: the database may be the thing that failed."""
    logger.exception("purge failed")
    try:
        with transaction.atomic():
            run.finish(PurgeRun.Status.FAILED)
            run.reads_purged = report.reads_purged
            run.audit_purged = report.audit_purged
            run.detail = f"{exc.__class__.__name__}"[:300]
            run.save()
            record(
                EventType.PURGE_FAILED,
                actor=actor,
                outcome=Outcome.FAILED,
                target=run,
                summary=f"purge failed: {exc.__class__.__name__}",
                data={**report.receipt(), "error": exc.__class__.__name__},
            )
    except Exception:
        logger.exception("the purge failure could not be recorded")
        connection.close()
