"""One audit record per search, written by the same database transaction as the
search itself."""

import json

import pytest
from django.db import connection

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from queries.criteria import validate
from queries.models import Search
from queries.services import perform_search

TRACE_SQL = """
CREATE TABLE test_insert_trace (tbl text, row_id bigint, txid bigint);
CREATE FUNCTION test_trace_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- txid_current() is the top-level transaction even inside a savepoint.
    INSERT INTO test_insert_trace VALUES (TG_TABLE_NAME, NEW.id, txid_current());
    RETURN NEW;
END $$;
CREATE TRIGGER test_trace AFTER INSERT ON queries_search
    FOR EACH ROW EXECUTE FUNCTION test_trace_insert();
CREATE TRIGGER test_trace AFTER INSERT ON audits_auditevent
    FOR EACH ROW EXECUTE FUNCTION test_trace_insert();
"""
UNTRACE_SQL = """
DROP TRIGGER IF EXISTS test_trace ON queries_search;
DROP TRIGGER IF EXISTS test_trace ON audits_auditevent;
DROP FUNCTION IF EXISTS test_trace_insert();
DROP TABLE IF EXISTS test_insert_trace;
"""


@pytest.fixture
def insert_trace(transactional_db):
    """Notes, for every row inserted into either table, the transaction that did
    it. Committed DDL, so it is removed again whatever the test's outcome."""
    with connection.cursor() as cursor:
        cursor.execute(TRACE_SQL)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(UNTRACE_SQL)


def _txid(table: str, row_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT txid FROM test_insert_trace WHERE tbl LIKE %s AND row_id = %s",
            [f"{table}%", row_id],
        )
        (row,) = cursor.fetchall()
        return row[0]


def test_it_writes_the_search_and_its_record_in_one_transaction(
    insert_trace, alice, reads, valid_search
):
    criteria = validate(**{**valid_search, "window_start": None, "window_end": None})
    first = perform_search(actor=Actor.for_officer(alice), criteria=criteria)
    second = perform_search(actor=Actor.for_officer(alice), criteria=criteria)
    txids = []
    for outcome in (first, second):
        (event,) = AuditEvent.objects.filter(
            event_type=EventType.SEARCH, object_id=str(outcome.search.pk)
        )
        txid = _txid("queries_search", outcome.search.pk)
        assert _txid("audits_auditevent", event.id) == txid
        txids.append(txid)
    assert txids[0] != txids[1]


def test_it_writes_exactly_one_record_per_search(alice_client, reads, valid_search):
    for _ in range(3):
        alice_client.post("/search/", valid_search)
        alice_client.post(
            "/api/v1/searches/",
            json.dumps(valid_search),
            content_type="application/json",
        )
    searches = list(Search.objects.all())
    assert len(searches) == 6
    events = AuditEvent.objects.filter(event_type=EventType.SEARCH)
    assert sorted(int(e.object_id) for e in events) == sorted(s.pk for s in searches)


@pytest.mark.parametrize("channel", ["form", "api"])
def test_it_audits_a_search_by_a_role_that_may_not_search(dave, valid_search, channel):
    from tests.conftest import verified_client

    client = verified_client(dave)
    if channel == "form":
        response = client.post("/search/", valid_search)
    else:
        response = client.post(
            "/api/v1/searches/",
            json.dumps(valid_search),
            content_type="application/json",
        )
    assert response.status_code == 403
    assert not Search.objects.exists()
    (refusal,) = AuditEvent.objects.filter(event_type=EventType.SEARCH_REFUSED)
    assert (refusal.outcome, refusal.actor) == (Outcome.REFUSED, dave)
    assert refusal.data["submitted"]["plate"] == "ABC1234"
