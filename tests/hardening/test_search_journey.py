"""The main journey through Django's test client: the officer signs in with
password and TOTP, searches with a purpose, and the Captain finds that search,
with every criterion, in the audit trail."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from audits.events import EventType
from audits.models import AuditEvent
from flockgov.db import partitions
from queries.models import Camera, PlateRead, Search
from tests.conftest import PASSWORD, current_code, verified_client

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _reads(camera: Camera, other: Camera) -> None:
    rows = [
        ("ABC1234", "VA", NOW - timedelta(minutes=30), camera),  # 09:30 EST
        ("ABC9999", "NC", NOW - timedelta(days=2), camera),
        ("ABC1234", "VA", NOW - timedelta(days=1), other),  # other camera
        ("ABC1234", "VA", NOW - timedelta(days=10), camera),  # before the window
        ("XYZ9876", "VA", NOW - timedelta(hours=2), camera),  # other plate
    ]
    for *_, at, _cam in rows:
        partitions.ensure(partitions.READS, at)
    PlateRead.objects.bulk_create(
        PlateRead(
            plate=p,
            state=s,
            captured_at=at,
            camera=cam,
            latitude=36.69,
            longitude=-79.87,
        )
        for p, s, at, cam in rows
    )


def test_it_carries_a_search_from_sign_in_to_the_captains_audit_trail(
    alice, bob, carol, camera
):
    other = Camera.objects.create(
        device_id="MPD-CAR-07", name="Patrol car 7", kind=Camera.Kind.VEHICLE
    )
    with time_machine.travel(NOW, tick=False):
        _reads(camera, other)
        officer = Client()
        response = officer.post(
            "/accounts/login/",
            {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/verify/")
        # Password alone opens nothing.
        assert officer.get("/search/")["Location"].startswith("/accounts/verify/")
        response = officer.post("/accounts/verify/", {"token": current_code(alice)})
        assert response.status_code == 302

        page = officer.get("/search/")
        assert page.status_code == 200
        assert b"Robbery" in page.content  # the offense-type dropdown

        response = officer.post(
            "/search/",
            {
                "purpose": "A",
                "case_number": "26-004512",
                "offense_type": "Robbery",
                "justification": "Vehicle seen leaving the robbery on Main St",
                "plate": "abc*",
                "window_start": "2026-11-15T00:00",  # department time
                "window_end": "2026-11-20T09:45",
                "cameras": [str(camera.pk)],
            },
        )
        assert response.status_code == 200
        html = response.content.decode().split('id="results"')[1]
        assert "2 reads found" in html
        assert "2026-11-20 09:30:00 EST" in html
        assert "Commonwealth Blvd at Starling Ave" in html
        assert "Commonwealth Blvd &amp; Starling Ave" in html
        assert "ABC1234" in html and "ABC9999" in html
        assert "<td>VA</td>" in html and "<td>NC</td>" in html
        assert "Patrol car 7" not in html

        search = Search.objects.get()
        assert search.officer == alice
        assert search.kind == "pattern"
        assert search.plate_query == "ABC*"
        assert search.camera_ids == [camera.pk]
        assert search.result_count == 2
        assert search.window_start == datetime(2026, 11, 15, 5, 0, tzinfo=UTC)
        assert len(search.read_ids) == 2

        captain = verified_client(carol)
        trail = captain.get("/audit/")
        assert trail.status_code == 200
        text = trail.content.decode()
        for expected in (
            "ABC*",
            "purpose A",
            "case 26-004512",
            "offense Robbery",
            "2 reads",
            "2026-11-15 00:00:00 EST",
            "2026-11-20 09:45:00 EST",
            "cameras Commonwealth Blvd at Starling Ave",
            "Vehicle seen leaving the robbery on Main St",
            "alice",
        ):
            assert expected in text, expected

        event = AuditEvent.objects.get(event_type=EventType.SEARCH)
        assert event.actor == alice
        assert event.object_id == str(search.pk)
        assert event.data["purpose"] == "A"
        assert event.data["case_number"] == "26-004512"
        assert event.data["offense_type"] == "Robbery"
        assert event.data["plate_query"] == "ABC*"
        assert event.data["camera_ids"] == [camera.pk]
        assert event.data["result_count"] == 2
        assert event.data["window_start"] == "2026-11-15T00:00:00-05:00"

        def shown(**filters) -> bool:
            response = captain.get("/audit/", filters)
            assert response.status_code == 200
            return "case 26-004512" in response.content.decode()

        assert shown(officer=alice.pk, purpose="A", date_from="2026-11-20")
        assert shown(date_from="2026-11-20", date_to="2026-11-20")
        assert not shown(officer=bob.pk)
        assert not shown(purpose="B")
        assert not shown(date_from="2026-11-21")
        assert not shown(date_to="2026-11-19")

        viewed = AuditEvent.objects.filter(event_type=EventType.AUDIT_VIEWED).order_by(
            "seq"
        )
        assert viewed.count() == 7
        assert all(v.actor == carol for v in viewed)
        first, second = viewed[0], viewed[1]
        assert event.seq in first.data["seq_shown"]
        assert second.data["filters"] == {
            "officer": str(alice.pk),
            "purpose": "A",
            "date_from": "2026-11-20",
        }
