"""Every sharing page renders for those it serves and refuses the others; list
pages keep a fixed number of queries however many rows they show."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from audits.events import EventType
from audits.models import AuditEvent
from sharing.models import Dissemination, SharingSettings
from sharing.services import record_vendor_access, request_share
from tests.conftest import verified_client
from tests.sharing.conftest import actor, share_input

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


PAGES = {
    "/sharing/": {"alice": 200, "bob": 200, "carol": 200, "rita": 200, "dave": 200},
    "/sharing/new/": {"alice": 200, "carol": 200, "rita": 200, "dave": 403},
    "/sharing/approvals/": {"alice": 403, "carol": 200, "rita": 403, "dave": 403},
    "/sharing/registry/": {"alice": 200, "carol": 200, "dave": 200},
    "/sharing/log/": {"alice": 200, "bob": 200, "carol": 200, "rita": 200},
    "/sharing/foia/": {"alice": 403, "carol": 200, "rita": 200, "dave": 403},
    "/sharing/vendor-access/": {"alice": 403, "carol": 200, "rita": 200},
    "/sharing/grants/": {"alice": 403, "carol": 200, "rita": 200, "erin": 200},
    "/sharing/export/audit/": {"alice": 403, "carol": 200, "dave": 403, "erin": 403},
}


@pytest.mark.parametrize(
    ("url", "who", "status"),
    [(url, who, code) for url, codes in PAGES.items() for who, code in codes.items()],
)
def test_it_serves_each_page_to_the_right_roles(request, url, who, status, orgs):
    client = verified_client(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_it_registers_an_organisation_through_the_page(carol, orgs):
    client = verified_client(carol)
    response = client.post(
        "/sharing/registry/",
        {
            "name": "Patrick County Sheriff's Office",
            "ori": "VA0700000",
            "jurisdiction": "virginia",
            "kind": "law_enforcement",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        event_type=EventType.ORGANISATION_REGISTERED
    ).exists()


def test_it_refuses_settings_approval_to_all_but_the_captain(rita):
    response = verified_client(rita).post(
        "/sharing/grants/approve-settings/", {"reason": "why not"}
    )
    assert response.status_code == 403
    assert not SharingSettings.objects.exists()
    assert (
        AuditEvent.objects.get(event_type=EventType.SHARING_SETTINGS_APPROVED).outcome
        == "refused"
    )


def test_it_lists_requests_in_a_fixed_number_of_queries(
    alice, carol, orgs, search, django_assert_max_num_queries
):
    client = verified_client(carol)
    for _ in range(3):
        request_share(
            actor=actor(alice),
            data=share_input(orgs["henry_so"], 1, "purpose", search),
        )
    with django_assert_max_num_queries(12) as few:
        client.get("/sharing/")
    for _ in range(10):
        request_share(
            actor=actor(alice),
            data=share_input(orgs["henry_so"], 1, "purpose", search),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/sharing/")
    assert response.content.decode().count("/sharing/") >= 13


def test_it_lists_the_log_in_a_fixed_number_of_queries(
    rita, orgs, django_assert_max_num_queries
):
    client = verified_client(rita)

    def vendor_visit():
        record_vendor_access(
            actor=actor(rita),
            vendor=orgs["flock"],
            basis="maintenance",
            description="Ticket FS-12345: camera misreads reviewed",
            accessed_by="Sam Engineer",
        )

    vendor_visit()
    with django_assert_max_num_queries(12) as few:
        client.get("/sharing/log/")
    for _ in range(5):
        vendor_visit()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/sharing/log/")
    assert Dissemination.objects.count() == 6
    assert response.content.decode().count("Ticket FS-12345") == 6


def test_it_shows_a_request_with_its_document_link_to_the_requester(
    alice, orgs, search
):
    from tests.sharing.conftest import evidence

    made = request_share(
        actor=actor(alice),
        data=share_input(orgs["circuit"], 4, "court_order", search, **evidence(4)),
    )
    client = verified_client(alice)
    page = client.get(f"/sharing/{made.pk}/").content.decode()
    assert "CR26-123" in page and f"/sharing/{made.pk}/document/" in page
    response = client.get(f"/sharing/{made.pk}/document/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert date(2026, 11, 30).isoformat() in page


def test_it_lets_the_captain_classify_an_organisation_seen_in_an_import(
    alice, carol, orgs, search
):
    agency = orgs["henry_so"]
    agency.needs_classification = True
    agency.save()
    refused = verified_client(alice).post(
        "/sharing/registry/",
        {"classify": agency.pk, "jurisdiction": "virginia", "kind": "law_enforcement"},
    )
    assert refused.status_code == 403
    response = verified_client(carol).post(
        "/sharing/registry/",
        {"classify": agency.pk, "jurisdiction": "virginia", "kind": "law_enforcement"},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.needs_classification is False
    assert request_share(
        actor=actor(alice), data=share_input(agency, 1, "purpose", search)
    ).pk


@pytest.mark.parametrize("url", [*PAGES, "/api/v1/sharing/requests/"])
def test_it_turns_away_the_anonymous_and_the_half_signed_in(alice, url):
    from django.test import Client

    from tests.conftest import PASSWORD

    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 403)
    half = Client()
    half.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
    )
    response = half.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/verify/")


def test_it_keeps_the_chosen_reads_ticked_when_a_request_is_refused(
    alice, orgs, search
):
    client = verified_client(alice)
    chosen = [str(pk) for pk in search.read_ids[:2]]
    response = client.post(
        f"/sharing/new/?search={search.pk}",
        {
            "search": search.pk,
            "recipient": orgs["ice"].pk,
            "ground": "1",
            "basis": "purpose",
            "purpose": "A",
            "case_number": "26-004512",
            "justification": "Joint burglary investigation",
            "read_ids": chosen,
        },
    )
    assert response.status_code == 400  # refused, the form shown again
    page = response.content.decode()
    assert "federal agency" in page
    for pk in chosen:
        assert f'value="{pk}" id="read-{pk}" checked>' in page
    assert page.count(" checked>") == len(chosen)
