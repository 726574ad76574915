"""Request, approval with step-up, acknowledgment and dissemination; who may do
what (requester, approver, other officers); refusals audited, nothing lost."""

import csv
import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from audits.events import EventType, Outcome
from audits.models import AuditEvent
from queries.models import PlateRead
from sharing.models import Dissemination, SharingRequest
from sharing.rules import SharingRefused
from sharing.services import (
    approve_share,
    decline_share,
    disseminate,
    record_acknowledgment,
    request_share,
)
from tests.conftest import verified_client
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


def acknowledge(officer, sharing_request):
    return record_acknowledgment(
        actor=actor(officer),
        sharing_request=sharing_request,
        signed_by="Lt. Dana Moore, Henry County SO",
        signed_on=date(2026, 12, 3),
        statement="We will follow policy §9 and Code of Virginia § 2.2-5517.",
    )


def test_it_runs_a_share_from_request_to_dissemination(alice, carol, pending):
    approve_share(actor=actor(carol), sharing_request=pending, note="ok")
    pending.refresh_from_db()
    acknowledge(alice, pending)
    pending.refresh_from_db()
    record, package = disseminate(
        actor=actor(alice),
        sharing_request=pending,
        method=Dissemination.Method.ELECTRONIC,
        received_by="Lt. Dana Moore",
    )
    assert record.sha256 == hashlib.sha256(package.content).hexdigest()
    assert record.size_bytes == len(package.content)
    assert record.contents["read_ids"] == pending.read_ids
    rows = list(csv.reader(io.StringIO(package.content.decode("utf-8"))))
    assert ["#", "export_id", f"share-{pending.pk}"] in rows
    plates = [row[3] for row in rows if row and row[0] == "read"]
    assert plates == ["ABC1234", "ABC1234"]
    pending.refresh_from_db()
    assert pending.status == SharingRequest.Status.DISSEMINATED
    event = AuditEvent.objects.get(event_type=EventType.SHARE_DISSEMINATED)
    assert event.data["sha256"] == record.sha256
    assert event.data["received_by"] == "Lt. Dana Moore"
    types = list(
        AuditEvent.objects.filter(event_type__startswith="sharing.")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert types == [
        EventType.SHARE_REQUESTED,
        EventType.SHARE_APPROVED,
        EventType.SHARE_ACKNOWLEDGED,
        EventType.SHARE_DISSEMINATED,
    ]


def test_it_refuses_to_send_to_a_law_enforcement_receiver_without_acknowledgment(
    alice, carol, pending
):
    approve_share(actor=actor(carol), sharing_request=pending)
    pending.refresh_from_db()
    with pytest.raises(SharingRefused) as exc:
        disseminate(
            actor=actor(alice),
            sharing_request=pending,
            method="electronic",
            received_by="Lt. Dana Moore",
        )
    assert exc.value.codes == ["acknowledgment_missing"]
    assert not Dissemination.objects.exists()
    pending.refresh_from_db()
    assert pending.status == SharingRequest.Status.APPROVED
    refused = AuditEvent.objects.get(event_type=EventType.SHARE_REFUSED)
    assert refused.data["rules"] == ["acknowledgment_missing"]


def test_it_refuses_to_send_before_approval(alice, pending):
    acknowledge(alice, pending)
    pending.refresh_from_db()
    with pytest.raises(SharingRefused) as exc:
        disseminate(
            actor=actor(alice),
            sharing_request=pending,
            method="electronic",
            received_by="Lt. Dana Moore",
        )
    assert exc.value.codes == ["not_approved"]


def test_it_refuses_to_send_reads_purged_since_approval(alice, carol, pending, reads):
    approve_share(actor=actor(carol), sharing_request=pending)
    pending.refresh_from_db()
    acknowledge(alice, pending)
    pending.refresh_from_db()
    PlateRead.objects.filter(id=reads[1].id).delete()
    with pytest.raises(SharingRefused) as exc:
        disseminate(
            actor=actor(alice),
            sharing_request=pending,
            method="electronic",
            received_by="Lt. Dana Moore",
        )
    assert exc.value.codes == ["data_purged"]
    assert str(reads[1].id) in exc.value.errors["read_ids"][0]
    assert not Dissemination.objects.exists()


def test_it_refuses_to_approve_once_the_recipient_is_reclassified(carol, pending, orgs):
    agency = orgs["henry_so"]
    agency.jurisdiction = "federal"
    agency.save()
    with pytest.raises(SharingRefused) as exc:
        approve_share(actor=actor(carol), sharing_request=pending)
    assert "blocked_federal" in exc.value.codes
    pending.refresh_from_db()
    assert pending.status == SharingRequest.Status.PENDING


def test_it_lets_nobody_approve_their_own_request(carol, frank, orgs, search):
    # Carol, a captain, asks; she may not decide; frank, another captain, may.
    from queries.models import Search

    carols = Search.objects.create(
        **{
            f.name: getattr(search, f.name)
            for f in Search._meta.concrete_fields
            if f.name not in ("id", "officer")
        },
        officer=carol,
    )
    own = request_share(
        actor=actor(carol), data=share_input(orgs["henry_so"], 1, "purpose", carols)
    )
    with pytest.raises(SharingRefused) as exc:
        approve_share(actor=actor(carol), sharing_request=own)
    assert exc.value.codes == ["self_approval"]
    assert AuditEvent.objects.filter(
        event_type=EventType.SHARE_REFUSED, outcome=Outcome.REFUSED
    ).exists()
    approve_share(actor=actor(frank), sharing_request=own)
    own.refresh_from_db()
    assert own.decided_by == frank


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "erin"])
def test_it_lets_only_the_captain_approve(who, request, pending):
    officer = request.getfixturevalue(who)
    with pytest.raises(SharingRefused) as exc:
        approve_share(actor=actor(officer), sharing_request=pending)
    assert exc.value.codes == ["not_captain"]


def test_it_declines_with_a_reason_and_tells_the_requester(alice, carol, pending):
    with pytest.raises(SharingRefused):
        decline_share(actor=actor(carol), sharing_request=pending, note="")
    decline_share(
        actor=actor(carol), sharing_request=pending, note="No §3 purpose shown"
    )
    pending.refresh_from_db()
    assert pending.status == SharingRequest.Status.REFUSED
    assert alice.notices.filter(subject__contains="declined").exists()
    with pytest.raises(SharingRefused) as exc:
        approve_share(actor=actor(carol), sharing_request=pending)
    assert exc.value.codes == ["not_pending"]


def test_it_publishes_a_public_alert_with_what_was_published(
    alice, carol, orgs, search
):
    alert = request_share(
        actor=actor(alice),
        data=share_input(orgs["public"], 6, "missing_person", search, **evidence(6)),
    )
    approve_share(actor=actor(carol), sharing_request=alert)
    alert.refresh_from_db()
    with pytest.raises(SharingRefused) as exc:
        disseminate(
            actor=actor(alice),
            sharing_request=alert,
            method="electronic",
            received_by="WSLS-10 newsroom",
        )
    assert exc.value.codes == ["method_mismatch"]
    record, package = disseminate(
        actor=actor(alice),
        sharing_request=alert,
        method="public",
        received_by="Department social media",
    )
    assert package.content.decode() == alert.alert_text
    assert record.contents["published_text"] == alert.alert_text
    assert record.sha256 == hashlib.sha256(alert.alert_text.encode()).hexdigest()


# --- The permission matrix, through the browser routes ----------------------------


@pytest.fixture
def clients(alice, bob, carol):
    return {
        "requester": verified_client(alice),
        "other_officer": verified_client(bob),
        "approver": verified_client(carol),
    }


@pytest.mark.parametrize(
    ("who", "page", "status"),
    [
        ("requester", "detail", 200),
        ("other_officer", "detail", 404),
        ("approver", "detail", 200),
        ("requester", "document", 404),
        ("other_officer", "approvals", 403),
        ("requester", "approvals", 403),
        ("approver", "approvals", 200),
    ],
)
def test_it_shows_requests_only_to_those_concerned(clients, pending, who, page, status):
    url = {
        "detail": f"/sharing/{pending.pk}/",
        "document": f"/sharing/{pending.pk}/document/",
        "approvals": "/sharing/approvals/",
    }[page]
    assert clients[who].get(url).status_code == status


def test_it_lists_only_ones_own_requests(clients, pending):
    assert (
        f"/sharing/{pending.pk}/"
        in clients["requester"].get("/sharing/").content.decode()
    )
    assert (
        f"/sharing/{pending.pk}/"
        in clients["approver"].get("/sharing/").content.decode()
    )
    assert (
        f"/sharing/{pending.pk}/"
        not in clients["other_officer"].get("/sharing/").content.decode()
    )


@pytest.mark.parametrize(
    ("who", "status", "outcome"),
    [
        ("requester", 302, SharingRequest.Status.PENDING),
        ("other_officer", 404, SharingRequest.Status.PENDING),
        ("approver", 302, SharingRequest.Status.APPROVED),
    ],
)
def test_it_lets_only_the_approver_approve_through_the_page(
    clients, pending, who, status, outcome
):
    response = clients[who].post(f"/sharing/{pending.pk}/approve/", {"note": "ok"})
    assert response.status_code == status
    pending.refresh_from_db()
    assert pending.status == outcome


def test_it_asks_for_a_fresh_code_before_approving(clients, pending, _frozen):
    _frozen.shift(timedelta(minutes=16))
    response = clients["approver"].post(f"/sharing/{pending.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/step-up/")
    pending.refresh_from_db()
    assert pending.status == SharingRequest.Status.PENDING


def test_it_lets_other_officers_neither_acknowledge_nor_send(clients, carol, pending):
    approve_share(actor=actor(carol), sharing_request=pending)
    response = clients["other_officer"].post(
        f"/sharing/{pending.pk}/disseminate/",
        {"method": "electronic", "received_by": "Someone"},
    )
    assert response.status_code == 404
    response = clients["other_officer"].post(
        f"/sharing/{pending.pk}/acknowledgment/", {"signed_by": "Someone"}
    )
    assert response.status_code == 404
    assert not Dissemination.objects.exists()


def test_it_keeps_what_was_typed_when_the_page_refuses(clients, orgs, search):
    response = clients["requester"].post(
        f"/sharing/new/?search={search.pk}",
        {
            "recipient": orgs["ice"].pk,
            "ground": "1",
            "basis": "purpose",
            "purpose": "A",
            "case_number": "26-004512",
            "justification": "Suspect vehicle in the Church St robbery",
            "search": search.pk,
            "read_ids": [str(i) for i in search.read_ids],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "federal agency" in body and "§9.B.2" in body
    assert "Suspect vehicle in the Church St robbery" in body
    assert not SharingRequest.objects.exists()
    event = AuditEvent.objects.get(event_type=EventType.SHARE_REFUSED)
    assert event.data["rules"] == ["blocked_federal"]


def test_it_creates_a_request_through_the_page(clients, orgs, search):
    response = clients["requester"].post(
        f"/sharing/new/?search={search.pk}",
        {
            "recipient": orgs["henry_so"].pk,
            "ground": "1",
            "basis": "purpose",
            "purpose": "A",
            "case_number": "26-004512",
            "justification": "Suspect vehicle in the Church St robbery",
            "search": search.pk,
            "read_ids": [str(search.read_ids[0])],
        },
    )
    assert response.status_code == 302
    made = SharingRequest.objects.get()
    assert made.read_ids == [search.read_ids[0]]


def test_a_decision_on_a_request_someone_else_decided_meanwhile_is_refused_and_kept(
    carol, pending
):
    # Two Captains had the same pending request open; the other approved first.
    stale = SharingRequest.objects.get(pk=pending.pk)
    approve_share(actor=actor(carol), sharing_request=pending)
    for act in (
        lambda: approve_share(actor=actor(carol), sharing_request=stale),
        lambda: decline_share(
            actor=actor(carol), sharing_request=stale, note="No §3 purpose shown"
        ),
    ):
        with pytest.raises(SharingRefused) as exc:
            act()
        assert exc.value.codes == ["not_pending"]
    pending.refresh_from_db()
    assert pending.status == SharingRequest.Status.APPROVED
    refused = AuditEvent.objects.filter(
        event_type=EventType.SHARE_REFUSED, object_id=str(pending.pk)
    )
    assert refused.count() == 2
    assert all(event.data["rules"] == ["not_pending"] for event in refused)
    assert not AuditEvent.objects.filter(event_type=EventType.SHARE_DECLINED).exists()
