"""Sessions: 30 minutes idle, 12 hours absolute, one live session per officer."""

import pytest
import time_machine
from django.contrib.sessions.models import Session

from accounts.models import Notice
from audits.events import EventType
from flockgov import alarms
from tests.accounts.conftest import events, signed_in

pytestmark = pytest.mark.django_db


def test_it_ends_a_session_after_thirty_minutes_idle(alice):
    with time_machine.travel("2026-12-04 15:00Z", tick=False) as traveller:
        client = signed_in(alice)
        traveller.shift(29 * 60 + 59)
        assert client.get("/search/").status_code == 200
        traveller.shift(30 * 60 - 1)
        assert client.get("/search/").status_code == 200
        traveller.shift(30 * 60)
        response = client.get("/search/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert events(EventType.SESSION_ENDED).get().data["reason"] == "idle"
        assert client.get("/search/")["Location"].startswith("/accounts/login/")


def test_it_ends_a_session_after_twelve_hours_however_busy(alice):
    with time_machine.travel("2026-12-04 06:00Z", tick=False) as traveller:
        client = signed_in(alice)
        for _ in range(12 * 3 - 1):
            traveller.shift(20 * 60)
            assert client.get("/search/").status_code == 200
        traveller.shift(20 * 60 - 1)
        assert client.get("/search/").status_code == 200
        traveller.shift(1)
        response = client.get("/search/")
        assert response["Location"].startswith("/accounts/login/")
        assert events(EventType.SESSION_ENDED).get().data["reason"] == "absolute"


def test_it_keeps_one_live_session_per_officer(alice):
    with time_machine.travel("2026-12-04 15:00Z", tick=False) as traveller:
        first = signed_in(alice)
        old_key = first.cookies["sessionid"].value
        traveller.shift(31)
        second = signed_in(alice)
        assert not Session.objects.filter(session_key=old_key).exists()
        assert first.get("/search/")["Location"].startswith("/accounts/login/")
        assert second.get("/search/").status_code == 200
        ended = events(EventType.SESSION_ENDED).get()
        assert ended.data["reason"] == "superseded"
        # Same address: a second sign-in, not a shared account.
        assert not alarms.active_alarms()


def test_it_raises_the_alarm_when_one_account_is_used_from_two_places(alice, dave):
    with time_machine.travel("2026-12-04 15:00Z", tick=False) as traveller:
        signed_in(alice, ip="10.0.0.5")
        traveller.shift(31)
        signed_in(alice, ip="10.0.0.77")
        assert [a["name"] for a in alarms.active_alarms()] == [alarms.SHARED_ACCOUNT]
        event = events(EventType.SHARED_ACCOUNT_SUSPECTED).get()
        assert event.data["addresses"] == ["10.0.0.5", "10.0.0.77"]
        assert Notice.objects.filter(recipient=dave, level=Notice.Level.ALARM).exists()


def test_it_does_not_call_a_long_idle_old_session_shared(alice):
    with time_machine.travel("2026-12-04 15:00Z", tick=False) as traveller:
        signed_in(alice, ip="10.0.0.5")
        traveller.shift(31 * 60)
        signed_in(alice, ip="10.0.0.77")
        assert not alarms.active_alarms()


def test_it_raises_the_alarm_when_a_session_moves_to_another_address(alice):
    with time_machine.travel("2026-12-04 15:00Z", tick=False):
        client = signed_in(alice, ip="10.0.0.5")
        assert client.get("/search/", REMOTE_ADDR="10.0.0.99").status_code == 200
        assert [a["name"] for a in alarms.active_alarms()] == [alarms.SHARED_ACCOUNT]


def test_it_rotates_the_session_id_after_password_and_after_second_factor(alice):
    from django.test import Client

    from tests.conftest import PASSWORD, current_code

    with time_machine.travel("2026-12-04 15:00Z", tick=False):
        client = Client()
        client.get("/accounts/login/")
        client.cookies["sessionid"] = "x" * 32
        client.post(
            "/accounts/login/",
            {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
        )
        after_password = client.cookies["sessionid"].value
        client.post("/accounts/verify/", {"token": current_code(alice)})
        after_otp = client.cookies["sessionid"].value
        assert len({"x" * 32, after_password, after_otp}) == 3


def test_it_sets_cookie_flags_and_demands_keys_in_production():
    """The production settings, loaded in a fresh interpreter."""
    import json
    import os
    import subprocess
    import sys

    from accounts.crypto import new_key

    program = (
        "import json, flockgov.settings as s; print(json.dumps("
        "[s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.SESSION_COOKIE_AGE]))"
    )
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLOCKGOV_", "DJANGO_"))
    }
    base.update(DJANGO_SECRET_KEY="k" * 50, FLOCKGOV_DEBUG="0")
    production = {**base, "FLOCKGOV_TOTP_KEYS": f"k1:{new_key()}"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program],
        env=production,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == [True, True, True, "Lax", 12 * 3600]
    missing = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program], env=base, capture_output=True, text=True
    )
    assert missing.returncode != 0
    assert "FLOCKGOV_TOTP_KEYS" in missing.stderr


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_shows_an_officer_their_notices(alice, carol):
    from accounts import services
    from tests.accounts.conftest import actor_of

    services.require_retraining(actor=actor_of(carol), officer=alice, incident="INC-1")
    page = signed_in(alice).get("/accounts/me/")
    assert b"Retraining required by 2027-01-03" in page.content
    assert page["Cache-Control"] == "no-store"
