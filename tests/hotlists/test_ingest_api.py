from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from flockgov.middleware import MACHINE_ROUTE_PREFIXES
from hotlists.models import Alert, IngestSource, hash_key
from hotlists.services import create_ingest_source
from queries.models import PlateRead
from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def source_key(db):
    _, key = create_ingest_source(actor=Actor.system("test"), name="Vendor feed")
    return key


def post(key, rows, client=None):
    return (client or Client()).post(
        "/api/v1/reads/",
        {"reads": rows},
        content_type="application/json",
        headers={"authorization": f"Key {key}"} if key else {},
    )


def row(**overrides):
    base = {
        "captured_at": (T0 - timedelta(minutes=3)).isoformat(),
        "plate": "abc-1234",
        "state": "va",
        "camera": "MPD-FIXED-01",
        "latitude": 36.69,
        "longitude": -79.87,
    }
    base.update(overrides)
    return base


def test_it_stores_the_key_only_as_a_digest(source_key):
    source = IngestSource.objects.get()
    assert source.key_hash == hash_key(source_key)
    assert source_key not in str(
        IngestSource.objects.values_list("key_hash", "key_prefix").get()
    )
    created = AuditEvent.objects.get(event_type=EventType.INGEST_SOURCE_CREATED)
    assert source_key not in str(created.data)


def test_it_keeps_good_rows_and_answers_bad_rows_with_reasons(
    source_key, camera, imported_ncic
):
    rows = [
        row(),
        row(plate=""),
        row(state="ZZ"),
        row(camera="NOPE"),
        row(latitude=123),
        row(captured_at="2026-12-04 09:00"),
        row(captured_at=(T0 - timedelta(days=21)).isoformat()),
        row(captured_at=(T0 + timedelta(hours=1)).isoformat()),
        row(plate="a" * 64, state=""),
    ]
    with time_machine.travel(T0, tick=False):
        response = post(source_key, rows)
    assert response.status_code == 201
    body = response.json()
    assert body["stored"] == 2
    reasons = {item["index"]: item["errors"] for item in body["rejected"]}
    assert reasons == {
        1: {"plate": "the plate is empty"},
        2: {"state": "unknown plate state 'ZZ'"},
        3: {"camera": "unknown camera 'NOPE'"},
        4: {"latitude": "123.0 is outside -90..90"},
        5: {"captured_at": "needs a UTC offset (e.g. Z or -05:00)"},
        6: {"captured_at": "is past the retention period; the read may not be stored"},
        7: {"captured_at": "is in the future"},
    }
    assert sorted(PlateRead.objects.values_list("plate", "plate_hashed")) == [
        ("ABC1234", False),
        ("a" * 64, True),
    ]
    # The posted read matched the NCIC list in the same batch.
    assert Alert.objects.get().read_plate == "ABC1234"
    posted = AuditEvent.objects.get(event_type=EventType.READS_POSTED)
    assert posted.actor_label == "source:Vendor feed"
    assert posted.data["rejected"] == 7


def test_it_refuses_requests_without_a_valid_key(source_key, camera):
    for key in (None, "fgk_wrong", source_key.upper()):
        response = post(key, [row()])
        assert response.status_code in (401, 403)
    assert not PlateRead.objects.exists()
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.READS_POST_REFUSED, outcome=Outcome.REFUSED
        ).count()
        == 3
    )


def test_it_refuses_a_revoked_key(source_key, camera):
    IngestSource.objects.update(revoked_at=T0)
    assert post(source_key, [row()]).status_code in (401, 403)


def test_it_refuses_an_empty_or_oversized_batch(source_key, camera, settings):
    assert post(source_key, []).status_code == 400
    settings.FLOCKGOV_INGEST_MAX_BATCH = 2
    response = post(source_key, [row(), row(), row()])
    assert response.status_code == 400
    assert "At most 2 reads" in response.json()["detail"]


def test_it_lets_the_key_do_nothing_else(source_key, camera):
    client = Client()
    header = {"authorization": f"Key {source_key}"}
    assert client.get("/api/v1/searches/", headers=header).status_code == 403
    assert client.get("/hotlists/", headers=header).status_code == 302
    assert client.get("/alerts/feed/", headers=header).status_code == 302
    assert client.get("/api/v1/reads/", headers=header).status_code == 405


def test_it_gives_a_session_without_second_factor_no_way_in(alice, camera):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
    )
    assert response.status_code == 302
    # Password but no second factor: refused everywhere except the machine route,
    # and the machine route itself wants a source key, not a session.
    assert client.get("/api/v1/searches/").status_code == 403
    assert client.get("/alerts/").status_code == 302
    assert client.get("/hotlists/").status_code == 302
    assert post(None, [row()], client=client).status_code in (401, 403)
    assert not PlateRead.objects.exists()


def test_it_lists_only_the_ingest_route_as_a_machine_route():
    assert MACHINE_ROUTE_PREFIXES == ("/api/v1/reads/",)
