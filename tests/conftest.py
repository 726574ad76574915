"""Shared fixtures: named accounts (alice the officer, carol the captain, ...),
an OTP-verified client for each, cameras and reads."""

import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from accounts.models import (  # noqa: E402
    Officer,
    SealedTOTPDevice,
    TrainingCertificate,
)
from accounts.roles import Role  # noqa: E402
from queries.models import Camera, PlateRead  # noqa: E402

PASSWORD = "correct horse battery staple"


def make_account(username: str, role: str, **extra) -> Officer:
    """An active account with a current training certificate and an enrolled
    authenticator, made directly (no audit records) so tests start clean."""
    officer = Officer.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        first_name=username.capitalize(),
        last_name="Example",
        **extra,
    )
    today = timezone.localdate()
    TrainingCertificate.objects.create(
        officer=officer,
        course="ALPR system and department policy",
        completed_on=today,
        expires_on=today + timedelta(days=365),
        issuer_reference=f"TEST-{username}",
        recorded_at=timezone.now(),
    )
    SealedTOTPDevice.new_for(officer, name="test", confirmed=True).save()
    return officer


def current_code(officer: Officer) -> str:
    """The code the officer's authenticator shows now. A code is accepted once:
    to sign the same officer in twice, move time on 30 s (time-machine) first."""
    return SealedTOTPDevice.objects.get(user=officer, confirmed=True).current_code()


def verified_client(officer: Officer) -> Client:
    """A client that signed in with password and second factor, as a browser does."""
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": officer.username, "password": PASSWORD, "acknowledge": "on"},
    )
    assert response.status_code == 302, response.content
    response = client.post("/accounts/verify/", {"token": current_code(officer)})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def alice(db) -> Officer:
    return make_account("alice", Role.OFFICER, badge_number="1001")


@pytest.fixture
def bob(db) -> Officer:
    return make_account("bob", Role.OFFICER, badge_number="1002")


@pytest.fixture
def carol(db) -> Officer:
    return make_account("carol", Role.CAPTAIN, badge_number="2001")


@pytest.fixture
def dave(db) -> Officer:
    return make_account("dave", Role.ADMIN)


@pytest.fixture
def erin(db) -> Officer:
    return make_account("erin", Role.CHIEF)


@pytest.fixture
def alice_client(alice) -> Client:
    return verified_client(alice)


@pytest.fixture
def carol_client(carol) -> Client:
    return verified_client(carol)


@pytest.fixture
def camera(db) -> Camera:
    return Camera.objects.create(
        device_id="MPD-FIXED-01",
        name="Commonwealth Blvd at Starling Ave",
        kind=Camera.Kind.FIXED,
        location="Commonwealth Blvd & Starling Ave",
        latitude=36.6915,
        longitude=-79.8725,
    )


@pytest.fixture
def reads(camera) -> list[PlateRead]:
    now = timezone.now()
    rows = [
        ("ABC1234", "VA", now - timedelta(hours=1)),
        ("ABC1234", "VA", now - timedelta(days=3)),
        ("ABD1234", "VA", now - timedelta(days=2)),
        ("XYZ9876", "NC", now - timedelta(days=1)),
    ]
    from flockgov.db import partitions

    for _, _, at in rows:
        partitions.ensure(partitions.READS, at)
    return PlateRead.objects.bulk_create(
        [
            PlateRead(
                plate=p,
                state=s,
                captured_at=at,
                camera=camera,
                latitude=36.69,
                longitude=-79.87,
            )
            for p, s, at in rows
        ]
    )


@pytest.fixture(autouse=True)
def _clean_redis():
    """Alarms and heartbeats live in Redis; each test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
