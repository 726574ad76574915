"""The REST endpoints follow the same rules and the same narrowing as the pages."""

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.roles import Role
from audits.events import EventType
from audits.models import AuditEvent
from audits.trail import record as audit
from sharing.models import Organisation, SharingRequest
from sharing.services import record_acknowledgment, request_share
from tests.conftest import make_account, verified_client
from tests.sharing.conftest import actor, evidence, share_input

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pending(alice, orgs, search) -> SharingRequest:
    return request_share(
        actor=actor(alice), data=share_input(orgs["henry_so"], 1, "purpose", search)
    )


def body(orgs, search, **overrides):
    values = {
        "recipient": orgs["henry_so"].pk,
        "ground": 1,
        "basis": "purpose",
        "purpose": "A",
        "case_number": "26-004512",
        "justification": "Suspect vehicle in the Church St robbery",
        "search": search.pk,
        "read_ids": list(search.read_ids),
    }
    values.update(overrides)
    return values


def test_it_creates_a_request_through_the_api(alice_client, orgs, search):
    response = alice_client.post(
        "/api/v1/sharing/requests/", body(orgs, search), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert response.json()["recipient"]["ori"] == "VA0440000"


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"recipient": "ice"}, "blocked_federal"),
        ({"recipient": "broker"}, "blocked_commercial"),
        ({"sale": True}, "sale"),
        ({"purpose": ""}, "purpose_missing"),
        ({"ground": 4, "basis": "court_order"}, "document_missing"),
    ],
)
def test_it_refuses_through_the_api_with_the_rule(
    alice_client, orgs, search, overrides, rule
):
    if "recipient" in overrides:
        overrides = {**overrides, "recipient": orgs[overrides["recipient"]].pk}
    if overrides.get("ground") == 4:
        overrides["recipient"] = orgs["circuit"].pk
    response = alice_client.post(
        "/api/v1/sharing/requests/",
        body(orgs, search, **overrides),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert rule in response.json()["rules"]
    assert not SharingRequest.objects.exists()
    assert (
        rule in AuditEvent.objects.get(event_type=EventType.SHARE_REFUSED).data["rules"]
    )


def test_it_answers_404_for_another_officers_request(bob, pending):
    client = verified_client(bob)
    assert client.get(f"/api/v1/sharing/requests/{pending.pk}/").status_code == 404
    assert client.get("/api/v1/sharing/requests/").json() == []
    response = client.post(f"/api/v1/sharing/requests/{pending.pk}/approve/")
    assert response.status_code == 404


def test_it_approves_and_disseminates_through_the_api(alice, carol, pending):
    captain = verified_client(carol)
    response = captain.get("/api/v1/sharing/approvals/")
    assert [item["id"] for item in response.json()] == [pending.pk]
    response = captain.post(
        f"/api/v1/sharing/requests/{pending.pk}/approve/",
        {"note": "Case 26-004512 confirmed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["decided_by"] == "carol"
    requester = verified_client(alice)
    response = requester.post(
        f"/api/v1/sharing/requests/{pending.pk}/disseminate/",
        {"method": "electronic", "received_by": "Lt. Dana Moore"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["rules"] == ["acknowledgment_missing"]
    response = requester.post(
        f"/api/v1/sharing/requests/{pending.pk}/acknowledgment/",
        {
            "signed_by": "Lt. Dana Moore",
            "signed_on": "2026-12-04",
            "statement": "Henry County SO will follow policy §9 with this data.",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["acknowledged"] is True
    response = requester.post(
        f"/api/v1/sharing/requests/{pending.pk}/disseminate/",
        {"method": "electronic", "received_by": "Lt. Dana Moore"},
        content_type="application/json",
    )
    assert response.status_code == 201
    package = base64.b64decode(response.json()["content_base64"])
    record = response.json()["dissemination"]
    assert record["sha256"] == hashlib.sha256(package).hexdigest()
    log = requester.get("/api/v1/sharing/disseminations/").json()
    assert [item["sha256"] for item in log] == [record["sha256"]]
    other = make_account("grace", Role.OFFICER, badge_number="1003")
    assert verified_client(other).get("/api/v1/sharing/disseminations/").json() == []


def test_it_asks_the_api_for_a_fresh_code_before_approving(carol, pending, _frozen):
    client = verified_client(carol)
    _frozen.shift(timedelta(minutes=16))
    response = client.post(f"/api/v1/sharing/requests/{pending.pk}/approve/")
    assert response.status_code == 403
    assert "step_up_url" in response.json()


def test_it_refuses_self_approval_through_the_api(carol, frank, orgs):
    seq = audit(EventType.CONFIG_CHANGED, actor=actor(frank), summary="x").seq
    own = request_share(
        actor=actor(carol),
        data=share_input(
            orgs["circuit"], 4, "subpoena", audit_seqs=(seq,), **evidence(4)
        ),
    )
    response = verified_client(carol).post(
        f"/api/v1/sharing/requests/{own.pk}/approve/"
    )
    assert response.status_code == 403
    assert response.json()["rules"] == ["self_approval"]


def test_it_lets_only_registry_keepers_register(alice_client, dave):
    values = {
        "name": "Patrick County Sheriff's Office",
        "ori": "VA0700000",
        "jurisdiction": "virginia",
        "kind": "law_enforcement",
    }
    response = alice_client.post(
        "/api/v1/sharing/organisations/", values, content_type="application/json"
    )
    assert response.status_code == 403
    response = verified_client(dave).post(
        "/api/v1/sharing/organisations/", values, content_type="application/json"
    )
    assert response.status_code == 201
    assert Organisation.objects.filter(ori="VA0700000").exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.ORGANISATION_REGISTERED, outcome="success"
    ).exists()


def test_it_documents_the_sharing_endpoints(alice_client):
    schema = alice_client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/sharing/requests/",
        "/api/v1/sharing/requests/{id}/approve/",
        "/api/v1/sharing/requests/{id}/disseminate/",
        "/api/v1/sharing/organisations/",
        "/api/v1/sharing/disseminations/",
    ):
        assert path in schema


def test_it_lets_nobody_record_an_acknowledgment_twice(alice, pending):
    record_acknowledgment(
        actor=actor(alice),
        sharing_request=pending,
        signed_by="Lt. Dana Moore",
        signed_on=date(2026, 12, 4),
        statement="Henry County SO will follow policy §9 with this data.",
    )
    pending.refresh_from_db()
    response = verified_client(alice).post(
        f"/api/v1/sharing/requests/{pending.pk}/acknowledgment/",
        {
            "signed_by": "Someone else",
            "signed_on": "2026-12-04",
            "statement": "Another statement that is long enough.",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "already recorded" in str(response.json()["errors"])
