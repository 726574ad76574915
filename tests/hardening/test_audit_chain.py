"""The hash chain: contiguous sequence numbers, each record naming its
predecessor's hash, each hash recomputable; linear under concurrent writers; and
every record carrying UTC time to the microsecond, IP, request id and actor."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, connections

from audits.context import Actor
from audits.events import EventType
from audits.models import GENESIS_HASH, AuditEvent
from audits.trail import record


def assert_linear_chain(events: list[AuditEvent]) -> None:
    assert events, "no records"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS_HASH
    for event in events:
        assert event.prev_hash == previous, event.seq
        assert event.hash == event.compute_hash(), event.seq
        previous = event.hash


def test_it_chains_every_kind_of_record(
    alice_client, carol_client, reads, valid_search
):
    alice_client.post("/search/", valid_search)
    alice_client.post("/search/", {**valid_search, "purpose": ""})
    carol_client.get("/audit/")
    events = list(AuditEvent.objects.in_chain_order())
    kinds = {e.event_type for e in events}
    assert {
        EventType.LOGIN,
        EventType.MFA_VERIFIED,
        EventType.SEARCH,
        EventType.SEARCH_REFUSED,
        EventType.AUDIT_VIEWED,
    } <= kinds
    assert_linear_chain(events)


def test_it_finds_an_edit_made_behind_the_applications_back(alice_client):
    """Only a superuser who disables the trigger can edit a row; the chain still
    shows it."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audits_auditevent DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE audits_auditevent SET summary = 'nothing happened' WHERE seq = 1"
        )
        cursor.execute("ALTER TABLE audits_auditevent ENABLE TRIGGER USER")
    first = AuditEvent.objects.get(seq=1)
    assert first.hash != first.compute_hash()


def test_it_stamps_each_record_with_utc_microseconds_ip_request_and_actor(
    alice, reads, valid_search
):
    moment = datetime(2026, 11, 20, 15, 0, 1, 234567, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        from tests.conftest import verified_client

        client = verified_client(alice)
        response = client.post("/search/", valid_search, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(event_type=EventType.SEARCH)
    assert event.occurred_at == moment
    assert event.occurred_at.utcoffset().total_seconds() == 0
    assert event.ip == "10.1.2.3"
    assert event.request_id == response["X-Request-Id"]
    assert len(event.request_id) == 32
    assert event.actor_label == "alice"
    assert event.actor_role == "officer"
    assert event.actor == alice
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') "
            "FROM audits_auditevent WHERE seq = %s",
            [event.seq],
        )
        assert cursor.fetchone()[0] == "15:00:01.234567"


WRITERS = 4
RECORDS_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_linear_under_concurrent_writers():
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(RECORDS_EACH):
                record(
                    EventType.CONFIG_CHANGED,
                    actor=Actor.system(f"writer-{n}"),
                    summary=f"writer {n} record {i}",
                )
        except BaseException as exc:  # reported in the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    # The whole chain, including records written before the writers started
    # (the default vocabularies, when an earlier test flushed them).
    events = list(AuditEvent.objects.in_chain_order())
    assert_linear_chain(events)
    # Chain order is time order: a record never claims to be older than the one
    # before it.
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    written = [e for e in events if e.actor_label.startswith("system:writer-")]
    assert len(written) == WRITERS * RECORDS_EACH
    assert {e.actor_label for e in written} == {
        f"system:writer-{n}" for n in range(WRITERS)
    }
