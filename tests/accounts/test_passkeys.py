"""Passkey endpoints: behind the password, counted by the lockout, registration
behind a step-up. (The working ceremony is in tests/browser/test_passkeys.py.)"""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from audits.events import EventType, Outcome
from tests.accounts.conftest import events, password_only, signed_in

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 15:00Z"


@time_machine.travel(NOW, tick=False)
def test_it_counts_a_failed_passkey_toward_the_lockout(alice):
    client = password_only(alice)
    response = client.post(
        "/accounts/passkeys/authentication/complete/",
        data="{}",
        content_type="application/json",
    )
    assert response.status_code >= 400
    alice.refresh_from_db()
    assert alice.failed_attempts == 1
    refused = events(EventType.MFA_FAILED, outcome=Outcome.REFUSED).get()
    assert refused.data["device_type"] == "passkey"
    assert client.get("/search/")["Location"].startswith("/accounts/verify/")


@time_machine.travel(NOW, tick=False)
def test_it_refuses_passkeys_to_anonymous_and_locked_accounts(alice):
    response = Client().post("/accounts/passkeys/authentication/begin/")
    assert response.status_code == 302
    client = password_only(alice)
    alice.locked_at = timezone.now()
    alice.save()
    response = client.post("/accounts/passkeys/authentication/begin/")
    assert response.status_code == 403
    assert "locked" in response.json()["detail"]


def test_it_registers_passkeys_only_after_a_recent_step_up(alice):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = signed_in(alice)
        assert (
            password_only(alice)
            .post("/accounts/passkeys/registration/begin/")
            .status_code
            == 302
        )
        traveller.shift(15 * 60)
        response = client.post("/accounts/passkeys/registration/begin/")
        assert response.status_code == 403
        assert "step-up" in response.json()["detail"]
