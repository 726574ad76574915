"""The health page: public, shows no data, and tells whether the database, the
broker and the worker are up and whether any alarm is active."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone

from flockgov import alarms
from flockgov.tasks import heartbeat
from tests.conftest import verified_client


def _json(client: Client):
    response = client.get("/health/?format=json")
    return response.status_code, json.loads(response.content)


def test_it_reports_healthy_once_the_worker_has_beaten(db):
    client = Client()
    status, body = _json(client)
    assert status == 503
    assert body["checks"]["database"] == {"ok": True, "detail": "reachable"}
    assert body["checks"]["broker"] == {"ok": True, "detail": "reachable"}
    assert body["checks"]["worker"] == {"ok": False, "detail": "no heartbeat yet"}

    heartbeat()  # what beat and the worker run every minute
    status, body = _json(client)
    assert status == 200
    assert body["healthy"] is True
    assert body["checks"]["worker"]["ok"] is True
    assert body["alarms"] == []
    page = client.get("/health/")
    assert page.status_code == 200
    assert b"all good" in page.content


def test_it_reports_a_worker_whose_heartbeat_is_stale(db):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        heartbeat()
    with time_machine.travel(now + timedelta(seconds=180), tick=False):
        assert _json(Client())[0] == 200
    with time_machine.travel(now + timedelta(seconds=181), tick=False):
        status, body = _json(Client())
    assert status == 503
    assert body["checks"]["worker"] == {
        "ok": False,
        "detail": "last heartbeat 181 s ago",
    }


def test_it_shows_alarm_names_to_everyone_and_messages_to_administrators(
    carol_client,
):
    heartbeat()
    alarms.raise_alarm(alarms.PURGE_OVERDUE, "No purge since 03:00 for account zed")
    status, body = _json(Client())
    assert status == 503
    assert [a["name"] for a in body["alarms"]] == [alarms.PURGE_OVERDUE]
    assert "zed" not in json.dumps(body)
    public = Client().get("/health/").content.decode()
    assert alarms.PURGE_OVERDUE in public
    assert "zed" not in public
    assert "for account zed" in carol_client.get("/health/").content.decode()


def test_it_shows_no_data(alice_client, reads, valid_search):
    heartbeat()
    alice_client.post("/search/", valid_search)
    for body in (
        Client().get("/health/").content.decode(),
        Client().get("/health/?format=json").content.decode(),
    ):
        for secret in ("ABC1234", "alice", "26-004512", "Commonwealth"):
            assert secret not in body


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "unix:///nonexistent/flockgov-test-redis.sock",
        }
    }
)
def test_it_reports_an_unreachable_broker(db):
    status, body = _json(Client())
    assert status == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": False, "detail": "unreachable"}
    assert body["checks"]["worker"]["ok"] is False
    assert [a["name"] for a in body["alarms"]] == ["alarm_store_unreachable"]


@pytest.fixture
def database_down(transactional_db, alice):
    """The application's connection points at a server that is not there (a
    socket folder that does not exist); the shared PostgreSQL is left alone."""
    connection = connections["default"]
    connection.close()
    original = connection.settings_dict["HOST"]
    connection.settings_dict["HOST"] = "/nonexistent/flockgov-test-postgres"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["HOST"] = original


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signed_in", [False, True])
def test_it_answers_while_the_database_is_down(alice, signed_in, request):
    client = verified_client(alice) if signed_in else Client()
    heartbeat()
    request.getfixturevalue("database_down")
    status, body = _json(client)
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "detail": "unreachable"}
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is True
    page = client.get("/health/")
    assert page.status_code == 503
    assert b"unreachable" in page.content
