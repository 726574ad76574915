"""The finding page as each reviewer sees it: who acts next, what stays typed."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.roles import Role
from audits import services
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent, AuditPeriod, Finding
from tests.audits.conftest import MID_MARCH, make_search
from tests.conftest import make_account, verified_client

NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)


@pytest.fixture
def sam(alice):
    sam = make_account("sam", Role.SUPERVISOR)
    alice.supervisor = sam
    alice.save()
    return sam


@pytest.fixture
def march(alice, settings):
    """Three findings about alice's vague reasons, a day apart."""
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}
    for day in range(3):
        make_search(alice, MID_MARCH + timedelta(days=day), justification="inv")
    with time_machine.travel(NOW, tick=False):
        return services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=date(2026, 3, 1),
            end=date(2026, 4, 1),
        ).period


def ordered(period):
    return list(period.findings.order_by("-severity", "subject_at", "pk"))


def test_the_captain_is_told_who_reviews_first_and_gets_no_form(
    march, sam, carol_client
):
    finding = ordered(march)[0]
    body = carol_client.get(f"/audit/findings/{finding.pk}/").content.decode()
    assert 'id="review-form"' not in body
    assert (
        "Sam Example (the officer&#x27;s supervisor) gives the first review "
        "before the Captain decides." in body
    )


def test_a_refused_decision_keeps_the_typed_note(march, sam, carol_client):
    finding = ordered(march)[0]
    response = carol_client.post(
        f"/audit/findings/{finding.pk}/",
        {"action": "decide", "status": "violation", "note": "Reason says nothing"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "gives the first review before the Captain decides" in body
    assert "Reason says nothing</textarea>" in body
    refused = AuditEvent.objects.get(event_type=EventType.FINDING_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    finding.refresh_from_db()
    assert finding.status == Finding.Status.NEEDS_REVIEW


def test_the_form_comes_back_with_the_chosen_decision_after_an_error(
    march, carol_client
):
    finding = ordered(march)[0]
    response = carol_client.post(
        f"/audit/findings/{finding.pk}/",
        {"action": "decide", "status": "violation", "note": "  "},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "A violation needs a note saying what was wrong." in body
    assert '<option value="violation" selected>' in body
    assert '<option value="justified">' in body
    finding.refresh_from_db()
    assert finding.status == Finding.Status.NEEDS_REVIEW


def test_a_first_review_error_keeps_the_recommendation_and_note(march, sam):
    client = verified_client(sam)
    finding = ordered(march)[0]
    response = client.post(
        f"/audit/findings/{finding.pk}/",
        {"action": "first_review", "status": "violation", "note": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "needs a note" in body
    assert '<option value="violation" selected>' in body


def test_the_supervisor_moves_on_to_the_next_finding_they_have_not_reviewed(march, sam):
    client = verified_client(sam)
    first, second, third = ordered(march)
    response = client.post(
        f"/audit/findings/{second.pk}/",
        {"action": "first_review", "status": "justified", "note": "Case open"},
    )
    assert response["Location"] == f"/audit/findings/{first.pk}/"
    response = client.post(
        f"/audit/findings/{first.pk}/",
        {"action": "first_review", "status": "violation", "note": "No case"},
    )
    assert response["Location"] == f"/audit/findings/{third.pk}/"
    response = client.post(
        f"/audit/findings/{third.pk}/",
        {"action": "first_review", "status": "justified", "note": "Case open"},
    )
    assert response["Location"] == "/audit/reviews/"
    # A reviewed finding shows the recommendation, not the form again.
    body = client.get(f"/audit/findings/{second.pk}/").content.decode()
    assert 'id="review-form"' not in body
    assert "recommends <strong>Justified</strong>" in body
    assert "Your first review is recorded; the Captain decides." in body


def test_the_captain_decides_once_the_supervisor_has_reviewed(march, sam, carol_client):
    finding = ordered(march)[0]
    services.first_review(
        actor=Actor.for_officer(sam),
        finding=finding,
        recommendation="justified",
        note="Case open",
    )
    body = carol_client.get(f"/audit/findings/{finding.pk}/").content.decode()
    assert 'id="review-form"' in body and "Record decision" in body
    carol_client.post(
        f"/audit/findings/{finding.pk}/",
        {"action": "decide", "status": "justified", "note": "Agreed"},
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.JUSTIFIED


def test_supervisors_have_a_menu_link_to_their_queue(march, sam, carol_client):
    client = verified_client(sam)
    assert client.get("/audit/dashboard/").status_code == 403
    home = client.get("/accounts/me/").content.decode()
    assert 'href="/audit/reviews/"' in home
    first, second, third = ordered(march)
    services.first_review(
        actor=Actor.for_officer(sam),
        finding=second,
        recommendation="justified",
        note="Case open",
    )
    queue = client.get("/audit/reviews/")
    assert queue.status_code == 200
    body = queue.content.decode()
    assert f'href="/audit/findings/{first.pk}/"' in body
    assert f'href="/audit/findings/{third.pk}/"' in body
    assert f'href="/audit/findings/{second.pk}/"' not in body
    assert AuditEvent.objects.filter(
        event_type=EventType.AUDIT_VIEWED, summary="opened the first-review queue"
    ).exists()
    assert 'href="/audit/reviews/"' not in (
        carol_client.get("/accounts/me/").content.decode()
    )
    assert carol_client.get("/audit/reviews/").status_code == 403
