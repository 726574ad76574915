"""The audit chain's append path: linear and gap-free under concurrent writers,
written in the caller's transaction, and a refused record spoils nothing else."""

import threading

import pytest
from django.db import connection, connections, transaction

from audits.context import Actor
from audits.events import EventType
from audits.models import GENESIS_HASH, AuditEvent
from audits.trail import AuditWriteError, record
from queries.models import Camera

WRITERS = 4
EACH = 25


def _assert_linear_chain() -> list[AuditEvent]:
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS_HASH
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == event.compute_hash()
        previous = event.hash
    return events


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_linear_and_gap_free_under_concurrent_writers():
    # Earlier transactional tests may leave records behind (their flush runs
    # before data migrations' receivers re-create configuration rows).
    already = AuditEvent.objects.count()
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            actor = Actor.system(f"writer-{n}")
            for i in range(EACH):
                # Half in a transaction of the writer's own, half on their own.
                if i % 2:
                    with transaction.atomic():
                        record(EventType.SEARCH, actor=actor, summary=f"{n}/{i}")
                else:
                    record(EventType.SEARCH, actor=actor, summary=f"{n}/{i}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    events = _assert_linear_chain()
    assert len(events) == already + WRITERS * EACH
    # Chain order is time order: each time is read under the chain's lock.
    times = [e.occurred_at for e in events[already:]]
    assert times == sorted(times)


@pytest.mark.django_db(transaction=True)
def test_it_rolls_the_record_back_with_the_callers_transaction():
    actor = Actor.system("test")
    with pytest.raises(RuntimeError), transaction.atomic():
        Camera.objects.create(device_id="CAM-ROLLED", name="rolled back")
        record(EventType.SEARCH, actor=actor, summary="rolled back")
        raise RuntimeError("the act failed")
    assert not AuditEvent.objects.filter(summary="rolled back").exists()
    assert not Camera.objects.exists()
    event = record(EventType.SEARCH, actor=actor, summary="kept")
    assert AuditEvent.objects.get(summary="kept").pk == event.pk
    assert _assert_linear_chain()[-1].pk == event.pk


def test_it_leaves_the_callers_transaction_usable_after_a_refused_record(db):
    actor = Actor.system("test")
    first = record(EventType.SEARCH, actor=actor, summary="first")
    with transaction.atomic():
        camera = Camera.objects.create(device_id="CAM-KEPT", name="kept")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE audits_auditevent ADD CONSTRAINT test_refuse_audit "
                "CHECK (false) NOT VALID"
            )
        with pytest.raises(AuditWriteError):
            record(EventType.SEARCH, actor=actor, summary="refused")
        # Only the record was rolled back: the caller's work and transaction stand.
        assert Camera.objects.filter(pk=camera.pk).exists()
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE audits_auditevent DROP CONSTRAINT test_refuse_audit"
            )
        second = record(EventType.SEARCH, actor=actor, summary="second")
    summaries = list(
        AuditEvent.objects.filter(seq__gte=first.seq)
        .order_by("seq")
        .values_list("summary", flat=True)
    )
    # Between the two: the camera's own record; nothing of the refused one.
    assert summaries[0] == "first"
    assert summaries[-1] == "second"
    assert "refused" not in summaries
    assert _assert_linear_chain()[-1].pk == second.pk
    fetched = AuditEvent.objects.get(seq=second.seq)
    assert fetched.pk == second.pk
    assert fetched.hash == fetched.compute_hash() == second.hash
