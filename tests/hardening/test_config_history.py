"""django-auditlog's field-level history of configuration models is linked into
the audit trail, with the actor set: in the admin, and outside any request when
the code acts inside ``audits.context.acting_as``."""

import pytest
from auditlog.models import LogEntry
from django.db import transaction

from audits.context import Actor, acting_as
from audits.events import EventType
from audits.models import AuditEvent
from queries.models import Camera, OffenseType, ProhibitedTerm


def _linked_event(entry: LogEntry) -> AuditEvent:
    return AuditEvent.objects.get(
        event_type=EventType.CONFIG_CHANGED, logentry_id=entry.pk
    )


def test_it_links_an_admin_change_of_a_camera_with_its_actor(
    frank, frank_client, camera
):
    response = frank_client.post(
        f"/admin/queries/camera/{camera.pk}/change/",
        {
            "device_id": camera.device_id,
            "name": "Commonwealth Blvd at Starling Ave (north)",
            "kind": "fixed",
            "location": camera.location,
            "latitude": "36.6915",
            "longitude": "-79.8725",
        },
    )
    assert response.status_code == 302, response.content
    entry = LogEntry.objects.get_for_object(camera).latest("timestamp")
    assert entry.actor == frank
    assert entry.changes_dict["name"] == [
        "Commonwealth Blvd at Starling Ave",
        "Commonwealth Blvd at Starling Ave (north)",
    ]
    event = _linked_event(entry)
    assert event.actor == frank
    assert event.actor_label == "frank"
    assert event.object_type == "queries.camera"
    assert event.object_id == str(camera.pk)
    assert (
        event.data["changes"]["name"][1] == "Commonwealth Blvd at Starling Ave (north)"
    )
    assert event.request_id


def test_it_links_an_admin_addition_of_a_prohibited_term(frank, frank_client):
    response = frank_client.post(
        "/admin/queries/prohibitedterm/add/",
        {"term": "sanctuary", "category": "immigration", "active": "on"},
    )
    assert response.status_code == 302, response.content
    term = ProhibitedTerm.objects.get(term="sanctuary")
    entry = LogEntry.objects.get_for_object(term).get()
    assert entry.action == LogEntry.Action.CREATE
    assert _linked_event(entry).actor == frank


@pytest.mark.parametrize(
    "change",
    [
        lambda: OffenseType.objects.create(name="Carjacking"),
        lambda: ProhibitedTerm.objects.create(term="vigil", category="assembly"),
        lambda: Camera.objects.create(device_id="MPD-TEMP-3", name="Temporary 3"),
    ],
    ids=["offense-type", "prohibited-term", "camera"],
)
def test_it_names_the_actor_of_a_change_made_outside_a_request(dave, change):
    with acting_as(Actor.for_command("load_config", "dave")), transaction.atomic():
        instance = change()
    entry = LogEntry.objects.get_for_object(instance).get()
    assert entry.actor == dave
    event = _linked_event(entry)
    assert event.actor == dave
    assert event.actor_label == "dave"
    assert event.object_id == str(instance.pk)


def test_it_names_a_system_job_when_no_person_acts(db):
    with acting_as(Actor.system("nightly_sync")), transaction.atomic():
        offense = OffenseType.objects.create(name="Carjacking")
    entry = LogEntry.objects.get_for_object(offense).get()
    event = _linked_event(entry)
    assert event.actor is None
    assert event.actor_label == "system:nightly_sync"
    assert event.actor_role == "system"


def test_it_links_an_account_change_with_its_actor(frank, alice):
    entries_before = LogEntry.objects.count()
    with acting_as(Actor.for_officer(frank)), transaction.atomic():
        alice.badge_number = "1999"
        alice.save()
    entry = LogEntry.objects.get_for_object(alice).latest("timestamp")
    assert LogEntry.objects.count() == entries_before + 1
    assert entry.changes_dict["badge_number"] == ["1001", "1999"]
    # An account's field history is an account event, not configuration.
    event = AuditEvent.objects.get(logentry_id=entry.pk)
    assert event.event_type == EventType.ACCOUNT_CHANGED
    assert event.actor == frank
