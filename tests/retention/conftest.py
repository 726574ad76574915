"""Fixtures for retention tests: records placed at chosen instants, and helpers
that look at what PostgreSQL still holds."""

from datetime import datetime

import pytest
import time_machine
from django.db import connection

from accounts.roles import Role
from audits.context import Actor
from audits.events import EventType
from audits.trail import record
from flockgov.db import partitions
from queries.models import PlateRead
from tests.conftest import make_account


def put_read(camera, at: datetime, plate: str = "ABC1234", **extra) -> PlateRead:
    partitions.ensure(partitions.READS, at)
    return PlateRead.objects.create(
        plate=plate, state="VA", captured_at=at, camera=camera, **extra
    )


def put_audit(at: datetime, summary: str = "old act", **data):
    """An audit record made at ``at`` (time frozen there while it is written)."""
    with time_machine.travel(at, tick=False):
        return record(
            EventType.CONFIG_CHANGED,
            actor=Actor.system("test"),
            summary=summary,
            data=data,
        )


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def count(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


@pytest.fixture
def rita(db):
    """Rita works in the records unit."""
    return make_account("rita", Role.RECORDS)


@pytest.fixture
def system():
    return Actor.system("purge_expired")


@pytest.fixture(autouse=True)
def _vocabularies(request):
    """Transactional tests flush the migrations' default vocabularies; put them
    back for the searches these tests make."""
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        from queries.vocabulary import load_defaults

        load_defaults()
