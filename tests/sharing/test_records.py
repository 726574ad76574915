"""FOIA answers, vendor maintenance access, network query access grants and the
daily check of the department's sharing settings."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.utils import ProgrammingError

from accounts.models import Notice
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from flockgov import alarms
from sharing import settings_watch
from sharing.models import (
    Dissemination,
    FoiaRequest,
    NetworkAccessGrant,
    SharingSettings,
)
from sharing.rules import SharingRefused
from sharing.services import (
    grant_network_access,
    record_foia_request,
    record_vendor_access,
    review_grant,
)
from sharing.tasks import remind_grant_reviews, snapshot_sharing_settings
from tests.conftest import verified_client
from tests.sharing.conftest import actor

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- FOIA ------------------------------------------------------------------------


def test_it_records_a_foia_request_and_refuses_it_citing_the_exemption(rita):
    foia = record_foia_request(
        actor=actor(rita),
        requester="Jordan Reporter, Martinsville Bulletin",
        received_on=date(2026, 12, 2),
        description="All plate reads on Church St in November 2026",
    )
    assert "§ 2.2-5517" in foia.answer and "§9.A" in foia.answer
    assert "refused" in foia.answer
    event = AuditEvent.objects.get(event_type=EventType.FOIA_REFUSED)
    assert event.outcome == Outcome.REFUSED
    assert not Dissemination.objects.exists()


def test_it_shows_the_foia_answer_in_the_page(rita):
    client = verified_client(rita)
    response = client.post(
        "/sharing/foia/",
        {
            "requester": "Jordan Reporter",
            "received_on": "2026-12-02",
            "description": "All reads on Church St",
        },
    )
    assert response.status_code == 200
    assert "not subject to disclosure under the Virginia Freedom" in (
        response.content.decode()
    )
    assert FoiaRequest.objects.count() == 1


def test_it_refuses_an_incomplete_foia_record_and_says_what_is_missing(rita):
    with pytest.raises(SharingRefused) as exc:
        record_foia_request(
            actor=actor(rita), requester="", received_on=None, description=""
        )
    assert set(exc.value.errors) == {"requester", "received_on", "description"}
    assert not FoiaRequest.objects.exists()


def test_it_keeps_foia_records_append_only(rita):
    foia = record_foia_request(
        actor=actor(rita),
        requester="Jordan Reporter",
        received_on=date(2026, 12, 2),
        description="All reads on Church St",
    )
    with pytest.raises(ProgrammingError, match="append-only"), connection.cursor() as c:
        c.execute(
            "UPDATE sharing_foiarequest SET answer = 'granted' WHERE id = %s", [foia.pk]
        )


# --- Vendor access (§9.C.5, §10.A) -------------------------------------------------


def test_it_records_vendor_maintenance_as_a_dissemination(rita, orgs):
    record = record_vendor_access(
        actor=actor(rita),
        vendor=orgs["flock"],
        basis="maintenance",
        description="Ticket FS-12345: camera MPD-FIXED-01 misreads, 20 reads viewed",
        accessed_by="Sam Engineer",
    )
    assert record.method == Dissemination.Method.VENDOR_ACCESS
    assert record.ground == 5 and record.recipient == orgs["flock"]
    assert len(record.sha256) == 64
    assert AuditEvent.objects.filter(event_type=EventType.VENDOR_ACCESS).exists()


@pytest.mark.parametrize(
    ("vendor", "basis", "rule"),
    [
        ("flock", "other", "vendor_not_maintenance"),
        ("flock", "purpose", "vendor_not_maintenance"),
        ("broker", "maintenance", "recipient_wrong_kind"),
    ],
)
def test_it_refuses_vendor_access_for_anything_but_maintenance(
    rita, orgs, vendor, basis, rule
):
    with pytest.raises(SharingRefused) as exc:
        record_vendor_access(
            actor=actor(rita),
            vendor=orgs[vendor],
            basis=basis,
            description="Product analytics across all agencies",
            accessed_by="Sam Engineer",
        )
    assert rule in exc.value.codes
    assert not Dissemination.objects.exists()
    assert AuditEvent.objects.get(event_type=EventType.SHARE_REFUSED).outcome == (
        Outcome.REFUSED
    )


# --- Network query access (§9.C.1) ------------------------------------------------


def grant(carol, org, days=90):
    return grant_network_access(
        actor=actor(carol),
        organisation=org,
        expires_at=NOW + timedelta(days=days),
        justification="Mutual aid on the US-220 corridor",
    )


def test_it_grants_network_access_to_a_virginia_agency_with_expiry(carol, orgs):
    made = grant(carol, orgs["henry_so"])
    assert made.is_active(now=NOW)
    assert not made.is_active(now=NOW + timedelta(days=90))
    assert made.is_active(now=NOW + timedelta(days=90) - timedelta(seconds=1))
    approved = settings_watch.latest_approved()
    assert approved.values["network_grants"][0]["ori"] == "VA0440000"


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("ice", "blocked_federal"),
        ("nc_pd", "blocked_other_state"),
        ("broker", "blocked_commercial"),
        ("henry_ca", "grant_not_virginia_le"),
    ],
)
def test_it_refuses_network_access_to_anyone_else(carol, orgs, key, rule):
    with pytest.raises(SharingRefused) as exc:
        grant(carol, orgs[key])
    assert rule in exc.value.codes
    assert not NetworkAccessGrant.objects.exists()
    assert AuditEvent.objects.get(
        event_type=EventType.NETWORK_GRANT_REFUSED
    ).outcome == (Outcome.REFUSED)


@pytest.mark.parametrize(
    ("days", "rule"), [(0, "grant_expired"), (366, "grant_too_long")]
)
def test_it_refuses_a_grant_without_a_sound_expiry(carol, orgs, days, rule):
    with pytest.raises(SharingRefused) as exc:
        grant(carol, orgs["henry_so"], days=days)
    assert exc.value.codes == [rule]


def test_it_lets_only_the_captain_grant(alice, orgs):
    with pytest.raises(SharingRefused) as exc:
        grant(alice, orgs["henry_so"])
    assert "not_captain" in exc.value.codes


def test_it_reminds_the_captain_of_grants_due_for_monthly_review(carol, orgs, _frozen):
    made = grant(carol, orgs["henry_so"])
    _frozen.move_to(NOW + timedelta(days=31) - timedelta(seconds=1))
    assert remind_grant_reviews() == 0
    _frozen.move_to(NOW + timedelta(days=31))
    assert remind_grant_reviews() == 1
    assert carol.notices.filter(subject__contains="due for monthly review").exists()
    review_grant(actor=actor(carol), grant=made, keep=True, note="Still needed")
    assert remind_grant_reviews() == 0
    review_grant(actor=actor(carol), grant=made, keep=False, note="No longer needed")
    made.refresh_from_db()
    assert made.revoked_at == NOW + timedelta(days=31)


# --- The daily settings snapshot --------------------------------------------------


def test_it_snapshots_settings_that_match_the_approved_set(carol, orgs, _frozen):
    grant(carol, orgs["henry_so"], days=10)
    assert snapshot_sharing_settings() is True
    # Past the expiry the grant drops out of both sides: still a match.
    _frozen.move_to(NOW + timedelta(days=11))
    assert snapshot_sharing_settings() is True
    assert alarms.active_alarms() == []


def test_it_raises_the_alarm_when_settings_change_without_approval(carol, dave, orgs):
    made = grant(carol, orgs["henry_so"])
    # A change behind the application's back: the grant widened by a year and
    # its agency reclassified as federal in the registry.
    NetworkAccessGrant.objects.filter(pk=made.pk).update(
        expires_at=NOW + timedelta(days=400)
    )
    orgs["henry_so"].jurisdiction = "federal"
    orgs["henry_so"].save()
    assert snapshot_sharing_settings() is False
    taken = SharingSettings.objects.filter(kind="snapshot").get()
    assert any("expires_at changed" in d for d in taken.differences)
    assert any("jurisdiction changed" in d for d in taken.differences)
    assert [a["name"] for a in alarms.active_alarms()] == [
        alarms.SHARING_SETTINGS_CHANGED
    ]
    assert dave.notices.filter(level=Notice.Level.ALARM).exists()
    event = AuditEvent.objects.get(event_type=EventType.SHARING_SETTINGS_CHANGED)
    assert event.outcome == Outcome.FAILED
    assert len(event.data["differences"]) == 2


def test_it_raises_the_alarm_for_a_grant_nobody_approved(carol, orgs):
    NetworkAccessGrant.objects.create(
        organisation=orgs["henry_so"],
        granted_by=carol,
        granted_at=NOW,
        expires_at=NOW + timedelta(days=30),
        justification="inserted directly",
        reviewed_at=NOW,
        reviewed_by=carol,
    )
    assert snapshot_sharing_settings() is False
    taken = SharingSettings.objects.filter(kind="snapshot").get()
    assert "is not in the approved set" in taken.differences[0]


def test_it_clears_the_alarm_once_the_captain_approves_the_settings(
    carol, orgs, django_capture_on_commit_callbacks
):
    NetworkAccessGrant.objects.create(
        organisation=orgs["henry_so"],
        granted_by=carol,
        granted_at=NOW,
        expires_at=NOW + timedelta(days=30),
        justification="inserted directly",
        reviewed_at=NOW,
        reviewed_by=carol,
    )
    snapshot_sharing_settings()
    client = verified_client(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/sharing/grants/approve-settings/", {"reason": "Reviewed the new grant"}
        )
    assert response.status_code == 302
    assert alarms.active_alarms() == []
    assert snapshot_sharing_settings() is True
