"""CJIS AC-7: five consecutive failures (password or second factor) within 15
minutes lock the account until an administrator unlocks it."""

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from accounts import services
from audits.events import EventType, Outcome
from tests.accounts.conftest import actor_of, events, password_only, signed_in
from tests.conftest import PASSWORD, current_code

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 15:00Z"
LOCKED = "This account is locked after 5 failed attempts"


def _wrong_password(client: Client, username="alice"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": "not the password", "acknowledge": "on"},
    )


def test_it_locks_after_five_failures_and_refuses_the_sixth(alice):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        for _ in range(4):
            assert _wrong_password(client).status_code == 200
            traveller.shift(60)
        alice.refresh_from_db()
        assert alice.failed_attempts == 4
        assert alice.locked_at is None
        _wrong_password(client)
        alice.refresh_from_db()
        assert alice.locked_at is not None
        assert events(EventType.ACCOUNT_LOCKED).count() == 1
        # The sixth attempt, even with the right password, is refused by name.
        response = client.post(
            "/accounts/login/",
            {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
        )
        assert LOCKED in response.content.decode()
        alice.refresh_from_db()
        assert alice.failed_attempts == 5
        refused = events(EventType.LOGIN_FAILED, outcome=Outcome.REFUSED).last()
        assert refused.data["reason"] == "locked"
        assert events(EventType.LOGIN_FAILED).count() == 6


def test_it_counts_only_failures_within_fifteen_minutes(alice):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        for _ in range(4):
            _wrong_password(client)
        traveller.shift(15 * 60 + 1)
        _wrong_password(client)
        alice.refresh_from_db()
        assert alice.failed_attempts == 1
        assert alice.locked_at is None


def test_it_counts_password_and_second_factor_failures_together(alice):
    with time_machine.travel(NOW, tick=False):
        client = Client()
        for _ in range(2):
            _wrong_password(client)
        verifying = password_only(alice)
        for _ in range(2):
            response = verifying.post("/accounts/verify/", {"token": "000000"})
            assert response.status_code == 200
        response = verifying.post("/accounts/verify/", {"token": "000001"})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"
        alice.refresh_from_db()
        assert alice.locked_at is not None
        assert events(EventType.MFA_FAILED).count() == 3
        # The session that had only the password is gone too.
        assert verifying.get("/search/")["Location"].startswith("/accounts/login/")


def test_it_ignores_forged_forwarded_for_headers(alice):
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            client = Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
            _wrong_password(client)
        alice.refresh_from_db()
        assert alice.locked_at is not None
        client = Client(HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="10.9.9.9")
        response = client.post(
            "/accounts/login/",
            {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
        )
        assert LOCKED in response.content.decode()
        # The audit trail records the connecting address, not the forged header.
        recorded = {str(e.ip) for e in events(EventType.LOGIN_FAILED)}
        assert recorded == {"127.0.0.1", "10.9.9.9"}


def test_it_stays_locked_until_an_administrator_unlocks(alice, dave, carol):
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(5):
            _wrong_password(Client())
        traveller.shift(24 * 3600)
        response = Client().post(
            "/accounts/login/",
            {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
        )
        assert LOCKED in response.content.decode()
        with pytest.raises(services.AccountRuleError, match="Only an administrator"):
            services.unlock(actor=actor_of(carol), officer=alice)
        admin = signed_in(dave)
        response = admin.post(f"/accounts/manage/{alice.pk}/unlock/")
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.locked_at is None
        assert events(EventType.ACCOUNT_UNLOCKED, outcome=Outcome.SUCCESS).count() == 1
        assert events(EventType.ACCOUNT_UNLOCKED, outcome=Outcome.REFUSED).count() == 1
        traveller.shift(30)
        client = password_only(alice)
        assert (
            client.post("/accounts/verify/", {"token": current_code(alice)})["Location"]
            == "/"
        )


def test_it_resets_the_count_after_a_complete_sign_in(alice):
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            _wrong_password(Client())
        signed_in(alice)
        alice.refresh_from_db()
        assert alice.failed_attempts == 0


def test_a_name_no_account_has_locks_as_an_account_would(alice):
    # Otherwise only real names could ever answer "locked", and the page would
    # tell an attacker which names exist.
    cache.delete(services._unknown_name_key("ghost"))
    try:
        with time_machine.travel(NOW, tick=False):
            client = Client()
            for _ in range(4):
                response = _wrong_password(client, username="ghost")
                assert LOCKED not in response.content.decode()
            _wrong_password(client, username="ghost")
            for name in ("ghost", "alice"):
                if name == "alice":
                    for _ in range(5):
                        _wrong_password(client)
                response = _wrong_password(client, username=name)
                assert LOCKED in response.content.decode(), name
        refused = events(EventType.LOGIN_FAILED, outcome=Outcome.REFUSED).filter(
            data__reason="locked"
        )
        assert [event.data["username"] for event in refused] == ["ghost", "alice"]
        assert services.unknown_name_locked("ghost")
        assert not services.unknown_name_locked("ghost2")
    finally:
        cache.delete(services._unknown_name_key("ghost"))
