"""If PostgreSQL refuses the audit record, the search does not happen: no Search
row, no results, an error answer, and an alarm on the health page."""

import json

import pytest
from django.db import connection

from audits.context import Actor
from audits.trail import AuditWriteError
from flockgov import alarms
from queries.criteria import validate
from queries.models import Search
from queries.services import perform_search


@pytest.fixture
def audit_refused(db):
    """From here to the end of the test, PostgreSQL refuses every new audit row.

    NOT VALID leaves the existing rows alone; the constraint lives only in the
    test's transaction and disappears with its rollback.
    """
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of earlier rows (sign-in records) must run
        # first: PostgreSQL alters no table with trigger events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE audits_auditevent ADD CONSTRAINT test_refuse_audit "
            "CHECK (false) NOT VALID"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _assert_alarm_on_health_page(client) -> None:
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["healthy"] is False
    assert [a["name"] for a in body["alarms"]] == [alarms.AUDIT_WRITE_FAILED]
    page = client.get("/health/")
    assert page.status_code == 503
    assert alarms.AUDIT_WRITE_FAILED in page.content.decode()


def test_it_refuses_the_browser_search_when_its_record_cannot_be_written(
    alice_client, reads, valid_search, audit_refused
):
    response = alice_client.post("/search/", valid_search)
    assert response.status_code == 503
    html = response.content.decode()
    assert "its audit record could not be written" in html
    assert 'id="results"' not in html
    assert "reads found" not in html
    assert not Search.objects.exists()
    _assert_alarm_on_health_page(alice_client)


def test_it_refuses_the_api_search_when_its_record_cannot_be_written(
    alice_client, reads, valid_search, audit_refused
):
    response = alice_client.post(
        "/api/v1/searches/", json.dumps(valid_search), content_type="application/json"
    )
    assert response.status_code == 503
    body = json.loads(response.content)
    assert set(body) == {"detail"}
    assert "ABC1234" not in response.content.decode()
    assert not Search.objects.exists()
    _assert_alarm_on_health_page(alice_client)


def test_it_raises_from_the_service_and_leaves_no_search(
    alice, reads, valid_search, audit_refused
):
    criteria = validate(**{**valid_search, "window_start": None, "window_end": None})
    with pytest.raises(AuditWriteError):
        perform_search(actor=Actor.for_officer(alice), criteria=criteria)
    assert not Search.objects.exists()
    (alarm,) = alarms.active_alarms()
    assert alarm["name"] == alarms.AUDIT_WRITE_FAILED
    assert "search.performed" in alarm["message"]


def test_it_refuses_to_show_the_trail_when_the_viewing_cannot_be_recorded(
    carol_client, audit_refused
):
    response = carol_client.get("/audit/")
    assert response.status_code == 503
    assert b"Audit trail unavailable" in response.content
    assert b"audit-events" not in response.content
    assert alarms.active_alarms()[0]["name"] == alarms.AUDIT_WRITE_FAILED


def test_it_keeps_plates_and_justifications_out_of_the_logs(
    alice_client, reads, valid_search, audit_refused, caplog
):
    alice_client.post("/search/", valid_search)
    assert "could not be written" in caplog.text
    assert "constraint test_refuse_audit" in caplog.text
    for secret in ("ABC1234", valid_search["justification"], "26-004512"):
        assert secret not in caplog.text
    (alarm,) = alarms.active_alarms()
    assert "ABC1234" not in alarm["message"]
    assert "constraint test_refuse_audit" in alarm["message"]
