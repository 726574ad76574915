"""Fixtures for the search and audit guarantees: a valid search request, the
default vocabularies, a staff administrator, and helpers to read the trail."""

import pytest

from accounts.roles import Role
from audits.events import EventType
from audits.models import AuditEvent
from queries.vocabulary import load_defaults
from tests.conftest import make_account, verified_client


@pytest.fixture(autouse=True)
def vocabularies(db):
    """Offense types and prohibited terms as a fresh installation has them."""
    load_defaults()


@pytest.fixture
def valid_search() -> dict[str, str]:
    return {
        "purpose": "A",
        "case_number": "26-004512",
        "offense_type": "Robbery",
        "justification": "Suspect vehicle seen leaving the robbery scene",
        "plate": "ABC1234",
    }


@pytest.fixture
def frank(db):
    """An administrator with access to Django's admin pages."""
    return make_account("frank", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def frank_client(frank):
    return verified_client(frank)


@pytest.fixture
def dave_client(dave):
    return verified_client(dave)


@pytest.fixture
def bob_client(bob):
    return verified_client(bob)


def refusals() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(event_type=EventType.SEARCH_REFUSED).order_by("seq")
    )


def events_of(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))
