"""Every sign-in step, successful or not, leaves its audit record."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.models import Officer, SealedTOTPDevice
from accounts.roles import Role
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from tests.conftest import PASSWORD, current_code


def _last() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


def _sign_in_password(client: Client, username: str, password: str = PASSWORD):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "acknowledge": "on"},
        REMOTE_ADDR="192.0.2.7",
    )


def test_it_audits_a_wrong_password_with_the_name_tried(alice):
    response = _sign_in_password(Client(), "alice", "not the password")
    assert response.status_code == 200
    event = _last()
    assert event.event_type == EventType.LOGIN_FAILED
    assert event.outcome == Outcome.REFUSED
    assert event.data == {"username": "alice"}
    assert event.actor is None
    assert event.actor_label == "anonymous"
    assert event.ip == "192.0.2.7"
    assert event.request_id


def test_it_audits_an_unknown_account_name(db):
    _sign_in_password(Client(), "mallory")
    event = _last()
    assert event.event_type == EventType.LOGIN_FAILED
    assert event.object_repr == "mallory"


def test_it_audits_password_code_failure_code_success_and_sign_out(alice):
    client = Client()
    _sign_in_password(client, "alice")
    login = _last()
    assert (login.event_type, login.outcome) == (EventType.LOGIN, Outcome.SUCCESS)
    assert login.actor == alice

    response = client.post("/accounts/verify/", {"token": "000000"})
    assert response.status_code == 200
    refused = _last()
    assert refused.event_type == EventType.MFA_FAILED
    assert refused.outcome == Outcome.REFUSED
    assert refused.actor == alice

    # django-otp throttles the attempt right after a failure; wait it out.
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        client.post("/accounts/verify/", {"token": current_code(alice)})
    verified = _last()
    assert (verified.event_type, verified.actor) == (EventType.MFA_VERIFIED, alice)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    logout = _last()
    assert (logout.event_type, logout.actor) == (EventType.LOGOUT, alice)
    assert client.get("/search/")["Location"].startswith("/accounts/login/")


def test_it_audits_enrolment_of_a_first_second_factor(db):
    # A new account: its password was issued by an administrator (must change).
    newcomer = Officer.objects.create_user(
        username="gina",
        password=PASSWORD,
        role=Role.OFFICER,
        must_change_password=True,
    )
    client = Client()
    response = _sign_in_password(client, "gina")
    assert response["Location"].startswith("/accounts/enrol/")
    assert client.get("/accounts/enrol/").status_code == 200
    device = SealedTOTPDevice.objects.get(user=newcomer, confirmed=False)

    client.post("/accounts/enrol/", {"token": "000000"})
    assert _last().event_type == EventType.MFA_FAILED

    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        client.post("/accounts/enrol/", {"token": f"{totp.token():06d}"})
    enrolled = AuditEvent.objects.get(event_type=EventType.MFA_ENROLLED)
    # Enrolment, then the sign-in it completes.
    assert _last().event_type == EventType.MFA_VERIFIED
    assert _last().seq == enrolled.seq + 1
    assert enrolled.actor == newcomer
