import pytest
from django.db import DatabaseError, connection, transaction

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from hotlists import services
from hotlists.models import Alert, Disposition, HotList, Stop
from hotlists.rules import RuleError
from tests.conftest import verified_client
from tests.hotlists.conftest import entry_data, ingest

CONFIRM = {
    "outcome": "confirmed",
    "fresh_check": "VCIN 14:02 by dispatch: record active, 2019 CHEV MAL BLK matches",
}
STOP = {
    "location": "Church St at Market St",
    "reason": "Stolen vehicle, record confirmed through VCIN",
    "result": "recovered",
}


@pytest.fixture
def alert(imported_ncic, camera):
    ingest(camera, ("ABC1234", "VA"))
    return Alert.objects.get()


def test_it_requires_the_fresh_check_for_a_confirmation(alert, alice):
    with pytest.raises(RuleError) as raised:
        services.record_disposition(
            actor=Actor.for_officer(alice), alert=alert, data={"outcome": "confirmed"}
        )
    assert "fresh_check" in raised.value.errors
    assert not Disposition.objects.exists()
    refused = AuditEvent.objects.get(event_type=EventType.ALERT_DISPOSITION_REFUSED)
    assert refused.outcome == Outcome.REFUSED


def test_it_requires_independent_suspicion_to_be_described(alert, alice):
    with pytest.raises(RuleError) as raised:
        services.record_disposition(
            actor=Actor.for_officer(alice),
            alert=alert,
            data={"outcome": "independent", "suspicion": "hunch"},
        )
    assert "suspicion" in raised.value.errors


def test_it_refuses_a_stop_on_an_unconfirmed_alert(alert, alice):
    with pytest.raises(services.NotPermitted, match="unconfirmed alert"):
        services.record_stop(actor=Actor.for_officer(alice), alert=alert, data=STOP)
    services.record_disposition(
        actor=Actor.for_officer(alice), alert=alert, data={"outcome": "misread"}
    )
    with pytest.raises(services.NotPermitted, match="unconfirmed alert"):
        services.record_stop(actor=Actor.for_officer(alice), alert=alert, data=STOP)
    assert not Stop.objects.exists()
    assert AuditEvent.objects.filter(event_type=EventType.STOP_REFUSED).count() == 2


def test_it_records_the_stop_after_a_confirmation(alert, alice, bob):
    services.record_disposition(
        actor=Actor.for_officer(alice), alert=alert, data=CONFIRM
    )
    with pytest.raises(services.NotPermitted, match="already disposed of by Alice"):
        services.record_disposition(
            actor=Actor.for_officer(bob), alert=alert, data={"outcome": "no_action"}
        )
    with pytest.raises(services.NotPermitted, match="Only the officer who confirmed"):
        services.record_stop(actor=Actor.for_officer(bob), alert=alert, data=STOP)
    stop = services.record_stop(actor=Actor.for_officer(alice), alert=alert, data=STOP)
    assert stop.based_on_alpr is True
    event = AuditEvent.objects.get(event_type=EventType.STOP_RECORDED)
    assert event.data["basis"] == "confirmed"
    assert event.data["location"] == "Church St at Market St"
    # § 52-30.2 record: no demographic fields exist on it.
    names = {f.name for f in Stop._meta.get_fields()}
    assert not names & {"race", "ethnicity", "sex", "gender", "age"}


def test_it_keeps_alerts_and_dispositions_append_only(alert, alice):
    services.record_disposition(
        actor=Actor.for_officer(alice), alert=alert, data=CONFIRM
    )
    for table in ("hotlists_alert", "hotlists_disposition"):
        for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET id = id"):  # noqa: S608
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)


def test_it_hides_alerts_of_someone_elses_private_list(frank, alice, camera):
    private = services.create_hotlist(
        actor=Actor.for_officer(frank),
        name="Frank only",
        owner=frank,
        audience=HotList.Audience.OWNER,
    )
    services.add_entry(
        actor=Actor.for_officer(frank), hotlist=private, data=entry_data()
    )
    ingest(camera, ("KLM4821", "VA"))
    alert = Alert.objects.get()
    client = verified_client(alice)
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert "KLM4821" not in client.get("/alerts/feed/").content.decode()
    response = client.post(f"/alerts/{alert.pk}/disposition/", CONFIRM)
    assert response.status_code == 404
    assert not Disposition.objects.exists()
    refused = AuditEvent.objects.get(event_type=EventType.ALERT_DISPOSITION_REFUSED)
    assert refused.actor_label == "alice"
    assert verified_client(frank).get(f"/alerts/{alert.pk}/").status_code == 200


def test_it_shows_the_alert_with_the_no_stop_statement(alert, alice_client):
    page = alice_client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "This alert alone does not justify a stop." in page
    assert "NIC V000000001" in page
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_VIEWED).exists()
    feed = alice_client.get("/alerts/feed/").content.decode()
    assert "ABC1234" in feed


def test_it_answers_form_errors_without_losing_input(alert, alice_client):
    response = alice_client.post(
        f"/alerts/{alert.pk}/disposition/",
        {"outcome": "independent", "suspicion": "x", "note": "kept note"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Describe the independent reasonable suspicion" in page
    assert 'value="kept note"' in page


def test_it_lists_hotlists_with_entries_and_time_left(frank, custom_list):
    services.add_entry(
        actor=Actor.for_officer(frank), hotlist=custom_list, data=entry_data()
    )
    client = verified_client(frank)
    assert "burglary follow-ups" in client.get("/hotlists/").content.decode()
    page = client.get(f"/hotlists/{custom_list.pk}/").content.decode()
    assert "KLM4821" in page
    assert "23 h 59 min" in page or "24 h 00 min" in page
    entry = custom_list.entries.get()
    response = client.post(f"/hotlists/entries/{entry.pk}/verify/")
    assert response.status_code == 302
    history = client.get(f"/hotlists/entries/{entry.pk}/history/").content.decode()
    assert "re-verified KLM4821" in history


def test_it_keeps_hot_lists_from_roles_without_field_duties(dave, imported_ncic):
    client = verified_client(dave)
    assert client.get("/hotlists/").status_code == 403
    assert client.get("/alerts/").status_code == 403


def test_it_adds_an_entry_through_the_page_or_names_the_field(frank, custom_list):
    client = verified_client(frank)
    response = client.post(
        f"/hotlists/{custom_list.pk}/entries/", entry_data(case_number="")
    )
    assert response.status_code == 400
    assert "A case or incident number is required." in response.content.decode()
    response = client.post(f"/hotlists/{custom_list.pk}/entries/", entry_data())
    assert response.status_code == 302
    assert HotList.objects.get(pk=custom_list.pk).entries.count() == 1


def test_it_renders_the_feed_in_the_same_number_of_queries_for_many_alerts(
    imported_ncic, camera, alice_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ingest(camera, ("ABC1234", "VA"))
    with CaptureQueriesContext(connection) as one:
        alice_client.get("/alerts/feed/")
    ingest(camera, *[("ABC1234", "VA"), ("XYZ9876", "NC")] * 20)
    with CaptureQueriesContext(connection) as many:
        page = alice_client.get("/alerts/feed/").content.decode()
    assert page.count('class="alert-row"') == 41
    assert len(many.captured_queries) == len(one.captured_queries)


def test_it_keeps_the_stop_outcome_after_a_form_error(alert, alice, alice_client):
    services.record_disposition(
        actor=Actor.for_officer(alice), alert=alert, data=CONFIRM
    )
    response = alice_client.post(f"/alerts/{alert.pk}/stop/", {**STOP, "location": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<option value="recovered" selected>' in page
    assert f'value="{STOP["reason"]}"' in page
    assert not Stop.objects.exists()
