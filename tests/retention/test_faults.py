"""The faults the purge must survive (issue 5), with real processes and servers:
a worker SIGKILLed mid-purge, two deliveries of the scheduled job at once (two
beat processes), Redis down at the scheduled time, PostgreSQL restarting mid-run,
and a hold placed while a purge runs. In each, the end state is correct, nothing
held is lost, nothing is purged twice into an error, and the next run completes.

These run against the real clock (a worker in another process cannot share a
frozen one), with data placed relative to it.
"""

import os
import signal
import uuid
from datetime import timedelta

import psycopg2
import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerDown

from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent
from queries.models import PlateRead
from retention.models import HeldRead, HoldCoverage, LegalHold, PurgeRun
from retention.purge import PURGE_LOCK_KEY, run_purge
from retention.services import extend_hold, open_hold
from retention.tasks import purge_expired
from retention.verify import check_purge_overdue

from . import faults

pytestmark = pytest.mark.django_db(transaction=True)

# Small batches make a purge of a few thousand rows last seconds: long enough to
# be interrupted in the middle.
SLOW = {"FLOCKGOV_PURGE_BATCH_SIZE": "4"}


def lock_is_free() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [PURGE_LOCK_KEY])
        free = cursor.fetchone()[0]
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [PURGE_LOCK_KEY])
    return free


def runs(status: str) -> int:
    return PurgeRun.objects.filter(status=status).count()


def test_it_finishes_after_a_worker_is_killed_mid_purge(camera, tmp_path):
    expired = faults.expired_reads(camera, 3000)
    queue = f"purge-{uuid.uuid4().hex[:8]}"
    worker = faults.celery_worker(
        queue, env=faults.child_env(**SLOW), log=tmp_path / "worker.log"
    )
    try:
        purge_expired.apply_async(queue=queue)
        faults.wait_for(
            lambda: 0 < faults.expired_left() < len(expired) - 100,
            what="the purge to be under way",
        )
        (child,) = faults.children_of(worker.pid)
        os.kill(child, signal.SIGKILL)  # the pool process running the task
        # acks_late + reject_on_worker_lost: the message goes back to the queue
        # and a new pool process runs the purge again, to the end.
        faults.wait_for(
            lambda: runs(PurgeRun.Status.SUCCEEDED) == 1,
            timeout=120,
            what="the redelivered purge to succeed",
        )
    finally:
        faults.stop(worker)
    log = (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in log or "SIGKILL" in log or "signal 9" in log
    assert faults.expired_left() == 0
    assert PlateRead.objects.filter(plate="YOUNG01").count() == 5
    assert runs(PurgeRun.Status.INTERRUPTED) == 1
    assert lock_is_free()
    receipt = AuditEvent.objects.get(event_type=EventType.READS_PURGED)
    assert 0 < receipt.data["reads_purged"] < len(expired)  # the rest of the job


def test_it_runs_once_when_two_beat_processes_send_the_job(camera, tmp_path):
    faults.expired_reads(camera, 1500)
    queue = f"purge-{uuid.uuid4().hex[:8]}"
    env = faults.child_env(**SLOW)
    workers = [
        faults.celery_worker(f"{queue}", env=env, log=tmp_path / f"worker{n}.log")
        for n in range(2)
    ]
    try:
        faults.wait_for(
            lambda: all(faults.children_of(w.pid) for w in workers),
            what="both workers to start",
        )
        # What two beat processes do at the same scheduled minute.
        results = [purge_expired.apply_async(queue=queue) for _ in range(2)]
        faults.wait_for(
            lambda: all(r.ready() for r in results), timeout=120, what="both runs"
        )
    finally:
        for worker in workers:
            faults.stop(worker)
    outcomes = sorted(r.get(timeout=1)["busy"] for r in results)
    assert outcomes == [False, True]
    assert runs(PurgeRun.Status.SUCCEEDED) == 1
    assert AuditEvent.objects.filter(event_type=EventType.PURGE_BUSY).count() == 1
    assert faults.expired_left() == 0
    assert lock_is_free()


def test_it_destroys_once_with_two_real_beat_processes(camera, tmp_path):
    expired = faults.expired_reads(camera, 1500)
    queue = f"purge-{uuid.uuid4().hex[:8]}"
    env = faults.child_env(**SLOW)
    workers = [
        faults.celery_worker(queue, env=env, log=tmp_path / f"worker{n}.log")
        for n in range(2)
    ]
    beats = []
    try:
        faults.wait_for(
            lambda: all(faults.children_of(w.pid) for w in workers),
            what="both workers to start",
        )
        beats = [faults.celery_beat(queue, env=env, folder=tmp_path) for _ in range(2)]
        faults.wait_for(
            lambda: (
                runs(PurgeRun.Status.SUCCEEDED) >= 3
                and AuditEvent.objects.filter(event_type=EventType.PURGE_BUSY).exists()
            ),
            timeout=120,
            what="several scheduled runs, one of them refused as busy",
        )
    finally:
        for process in beats + workers:
            faults.stop(process)
    assert faults.expired_left() == 0
    assert runs(PurgeRun.Status.FAILED) == 0
    destroyed = [
        event.data["reads_purged"]
        for event in AuditEvent.objects.filter(event_type=EventType.READS_PURGED)
    ]
    # One run destroyed everything; the others found nothing left to do.
    assert sorted(destroyed)[-1] == len(expired) and sum(destroyed) == len(expired)
    assert lock_is_free()


def test_it_survives_redis_down_at_the_scheduled_time(camera, dave, tmp_path):
    faults.expired_reads(camera, 20)
    redis = faults.ThrowawayRedis(tmp_path)
    redis.start()
    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
        }
    }
    try:
        with override_settings(CACHES=cache):
            redis.stop()
            # Beat cannot deliver the job while the broker is down...
            with (
                pytest.raises(BrokerDown),
                Connection(redis.url, connect_timeout=1) as broker,
            ):
                purge_expired.apply_async(connection=broker, retry=False)
            assert faults.expired_left() == 20
            # ...the overdue check still reaches administrators (notice, audit)...
            assert check_purge_overdue()
            assert dave.notices.count() == 1
            # ...and the purge itself needs only PostgreSQL (the command is the
            # fallback an operator or cron runs): it completes.
            report = run_purge(actor=Actor.system("purge_expired"))
            assert report.reads_purged == 20 and not report.problems
            redis.start()
            # Back up: the next scheduled run completes and clears the alarm.
            assert purge_expired.apply().get()["reads_purged"] == 0
            assert not check_purge_overdue()
    finally:
        redis.stop()
    assert runs(PurgeRun.Status.SUCCEEDED) == 2
    assert faults.expired_left() == 0


def test_it_completes_after_postgresql_restarts_mid_run(tmp_path):
    postgres = faults.ThrowawayPostgres()
    try:
        postgres.start()
        admin = psycopg2.connect(postgres.url("postgres"))
        admin.autocommit = True
        admin.cursor().execute("CREATE DATABASE flockgov_fault")
        admin.close()
        env = faults.child_env(
            DATABASE_URL=postgres.url("flockgov_fault"), FLOCKGOV_PURGE_BATCH_SIZE="2"
        )
        migrate = faults.manage("migrate", env=env, log=tmp_path / "migrate.log")
        assert migrate.wait(timeout=300) == 0, (tmp_path / "migrate.log").read_text()

        db = psycopg2.connect(postgres.url("flockgov_fault"))
        db.autocommit = True
        cur = db.cursor()
        now = timezone.now()
        cutoff = now - timedelta(days=21)
        cur.execute(
            "INSERT INTO queries_camera (device_id, name, kind, location) "
            "VALUES ('CAM-1', 'Fault camera', 'fixed', '') RETURNING id"
        )
        camera_id = cur.fetchone()[0]
        for day in range(-1, 1):
            moment = cutoff + timedelta(days=day)
            lo = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            cur.execute(
                "SELECT flockgov_ensure_partition('queries_plateread', %s, %s, %s)",
                [f"queries_plateread_p{lo:%Y%m%d}", lo, lo + timedelta(days=1)],
            )
        cur.execute(
            "INSERT INTO queries_plateread (captured_at, plate, camera_id) "
            "SELECT %s - g * interval '1 second', 'EXP' || (g %% 50), %s "
            "FROM generate_series(1, 12000) g",
            [cutoff, camera_id],
        )

        def left() -> int:
            cur.execute(
                "SELECT count(*) FROM queries_plateread WHERE captured_at <= %s",
                [cutoff],
            )
            return cur.fetchone()[0]

        first = faults.manage("purge_expired", env=env, log=tmp_path / "first.log")
        faults.wait_for(lambda: 0 < left() < 11000, what="the purge to be under way")
        postgres.restart()
        assert first.wait(timeout=60) != 0  # its connection died with the server

        db = psycopg2.connect(postgres.url("flockgov_fault"))
        db.autocommit = True
        cur = db.cursor()
        assert 0 < left() < 12000
        second = faults.manage("purge_expired", env=env, log=tmp_path / "second.log")
        assert second.wait(timeout=120) == 0, (tmp_path / "second.log").read_text()
        last_line = (tmp_path / "second.log").read_text().strip().splitlines()[-1]
        assert last_line.startswith("reads_purged=") and last_line != "reads_purged=0"
        assert left() == 0
        cur.execute("SELECT status FROM retention_purgerun ORDER BY started_at")
        assert [row[0] for row in cur.fetchall()] == ["interrupted", "succeeded"]
        db.close()
    finally:
        postgres.stop()


def test_it_keeps_everything_a_hold_took_while_a_purge_ran(camera, carol, tmp_path):
    expired = faults.expired_reads(camera, 3000)
    cutoff = timezone.now() - timedelta(days=21)
    hold = open_hold(
        actor=Actor.for_officer(carol),
        case_number="26-004512",
        kind=LegalHold.Kind.INVESTIGATION,
        reference="MPD CID",
    )
    purge = faults.manage(
        "purge_expired", env=faults.child_env(**SLOW), log=tmp_path / "purge.log"
    )
    faults.wait_for(
        lambda: 0 < faults.expired_left() < len(expired) - 100,
        what="the purge to be under way",
    )
    result = extend_hold(
        actor=Actor.for_officer(carol),
        hold=hold,
        method=HoldCoverage.Method.PLATE,
        plate="EXP0007",
        window_start=cutoff - timedelta(days=2),
        window_end=cutoff + timedelta(seconds=1),
    )
    assert purge.wait(timeout=120) == 0, (tmp_path / "purge.log").read_text()
    assert faults.expired_left() == 0
    # Every read the hold took is in the vault, though the purge then deleted
    # the original; the ones already gone were reported as such.
    plate_reads = len(expired) // 50  # EXP0007 is one plate in fifty
    assert 0 < result.reads_taken <= plate_reads
    assert HeldRead.objects.filter(hold=hold).count() == result.reads_taken
    # And the holding case still finds every one of them.
    assert set(
        HeldRead.objects.for_case("26-004512").values_list("plate", flat=True)
    ) == {"EXP0007"}
    assert not PlateRead.objects.filter(
        id__in=HeldRead.objects.values("read_id")
    ).exists()
