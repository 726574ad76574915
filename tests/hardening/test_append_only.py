"""The database itself keeps the audit trail append-only: the application's role
(``flockgov_app``) may only read and insert, and a trigger refuses UPDATE and
DELETE even to the owner. Proved through the application's own connection."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from audits.context import Actor, acting_as
from audits.models import AuditEvent
from audits.sql import APP_ROLE
from flockgov.db import partitions
from queries.criteria import validate
from queries.models import OffenseType, Search
from queries.services import perform_search

PROTECTED = ("audits_auditevent", "queries_search", "auditlog_logentry")


def _refused(sql: str, params=(), *, role: str | None = None) -> str:
    """Runs ``sql`` in a savepoint (as ``role`` when given) and returns
    PostgreSQL's refusal; fails the test if it was not refused."""
    with (
        pytest.raises(DatabaseError) as refusal,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if role:
            cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)
    return str(refusal.value)


@pytest.fixture
def protected_rows(alice, reads, valid_search):
    """At least one row in each protected table."""
    actor = Actor.for_officer(alice)
    criteria = validate(**{**valid_search, "window_start": None, "window_end": None})
    with acting_as(actor), transaction.atomic():
        perform_search(actor=actor, criteria=criteria)
        OffenseType.objects.create(name="Test offense")
    assert Search.objects.exists()
    assert LogEntry.objects.exists()
    assert AuditEvent.objects.exists()


@pytest.mark.parametrize("table", PROTECTED)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET id = id", "DELETE FROM {table}"],
    ids=["update", "delete"],
)
def test_it_refuses_the_application_role_update_and_delete(
    protected_rows, table, statement
):
    message = _refused(statement.format(table=table), role=APP_ROLE)
    assert f"permission denied for table {table}" in message


@pytest.mark.parametrize("table", PROTECTED)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET id = id", "DELETE FROM {table}"],
    ids=["update", "delete"],
)
def test_it_refuses_update_and_delete_even_to_the_owner(
    protected_rows, table, statement
):
    message = _refused(statement.format(table=table))
    assert "audit trail data is append-only" in message
    assert "refused" in message


def test_it_refuses_the_owner_a_delete_through_a_partition(protected_rows):
    # The partition holding the rows just written (a row trigger needs a row).
    partition = partitions.AUDIT.name_for(AuditEvent.objects.first().occurred_at)
    message = _refused(f"DELETE FROM {partition}")  # noqa: S608
    assert "append-only: DELETE" in message


@pytest.mark.parametrize("table", PROTECTED)
def test_it_refuses_the_application_role_truncate(protected_rows, table):
    message = _refused(f"TRUNCATE {table}", role=APP_ROLE)
    assert "permission denied" in message


def test_it_refuses_the_application_role_truncate_of_an_audit_partition(
    protected_rows,
):
    names = partitions.existing(partitions.AUDIT)
    assert names
    for name in names:
        message = _refused(f"TRUNCATE {name}", role=APP_ROLE)
        assert f"permission denied for table {name}" in message
        message = _refused(f"UPDATE {name} SET id = id", role=APP_ROLE)  # noqa: S608
        assert "permission denied" in message


def test_it_lets_the_application_role_search_and_append(alice, reads, valid_search):
    """The guard is not a blanket refusal: the whole search, its Search row and
    its audit record, works under the application role."""
    criteria = validate(**{**valid_search, "window_start": None, "window_end": None})
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        outcome = perform_search(actor=Actor.for_officer(alice), criteria=criteria)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == APP_ROLE
    assert outcome.search.result_count == 2
    assert AuditEvent.objects.filter(object_id=str(outcome.search.pk)).exists()
