"""Helpers for the accounts tests: sign-in from a chosen address, audit lookups."""

import pytest
from django.test import Client

from accounts.models import AccountStatus, Officer
from accounts.roles import Role
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from tests.conftest import PASSWORD, current_code, make_account


def password_only(officer: Officer, *, ip: str = "127.0.0.1", **headers) -> Client:
    client = Client(REMOTE_ADDR=ip, **headers)
    response = client.post(
        "/accounts/login/",
        {"username": officer.username, "password": PASSWORD, "acknowledge": "on"},
    )
    assert response.status_code == 302, response.content
    return client


def signed_in(officer: Officer, *, ip: str = "127.0.0.1") -> Client:
    client = password_only(officer, ip=ip)
    response = client.post("/accounts/verify/", {"token": current_code(officer)})
    assert response.status_code == 302, response.content
    return client


def events(event_type: EventType, *, outcome: Outcome | None = None):
    found = AuditEvent.objects.filter(event_type=event_type)
    if outcome is not None:
        found = found.filter(outcome=outcome)
    return found.order_by("seq")


def actor_of(officer: Officer) -> Actor:
    return Actor.for_officer(officer)


@pytest.fixture
def frank(db) -> Officer:
    """A new officer an administrator created: pending, untrained, no device."""
    officer = make_account("frank", Role.OFFICER, badge_number="1003")
    officer.certificates.all().delete()
    officer.status = AccountStatus.PENDING
    officer.is_active = False
    officer.save()
    return officer


@pytest.fixture
def records_clerk(db) -> Officer:
    return make_account("rita", Role.RECORDS)
