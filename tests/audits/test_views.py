"""The dashboard, review queue, sign-off step-up, reports and the public page."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.stepup import SESSION_KEY
from audits import services
from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent, AuditPeriod, DailyCount, Finding
from queries.models import Camera
from tests.audits.conftest import MID_MARCH, make_search
from tests.conftest import verified_client

NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)


@pytest.fixture
def march(alice, settings):
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}
    make_search(alice, MID_MARCH, justification="inv")
    make_search(alice, MID_MARCH + timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        return services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=date(2026, 3, 1),
            end=date(2026, 4, 1),
        ).period


def test_it_shows_the_dashboard_with_charts_and_links_to_records(march, carol_client):
    response = carol_client.get("/audit/dashboard/?month=2026-03")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "cdn" not in body.lower()
    assert f"/audit/periods/{march.pk}/records/?day=2026-03-11&amp;purpose=A" in body
    assert f"/audit/periods/{march.pk}/findings/?rule=vague_reason" in body
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(event_type=EventType.AUDIT_VIEWED).exists()
    drill = carol_client.get(
        f"/audit/periods/{march.pk}/records/?day=2026-03-11&purpose=A"
    )
    assert drill.status_code == 200
    assert drill.content.decode().count("<tr><td>") == 1


def test_it_names_rules_as_people_read_them_in_the_chart_and_the_queue(
    march, carol_client
):
    body = carol_client.get("/audit/dashboard/?month=2026-03").content.decode()
    # The chart's label room is short: a long label is cut with an ellipsis and
    # given whole as the row's tooltip, never as the rule's internal key.
    assert "<title>Missing or vague reason: 1</title>" in body
    assert ">vague_reason<" not in body
    queue = carol_client.get(f"/audit/periods/{march.pk}/findings/")
    assert "<td>Missing or vague reason</td>" in queue.content.decode()


def test_it_keeps_officers_out_and_hides_findings_from_their_subject(
    march, alice_client, bob
):
    assert alice_client.get("/audit/dashboard/").status_code == 403
    finding = march.findings.get()
    assert alice_client.get(f"/audit/findings/{finding.pk}/").status_code == 404
    assert Client().get("/audit/dashboard/").status_code == 302
    assert verified_client(bob).get(f"/audit/findings/{finding.pk}/").status_code == 404


def test_it_lets_the_captain_decide_in_the_browser_and_asks_for_a_note(
    march, carol_client
):
    finding = march.findings.get()
    url = f"/audit/findings/{finding.pk}/"
    response = carol_client.post(url, {"status": "justified", "note": ""}, follow=True)
    assert "needs a note" in response.content.decode()
    carol_client.post(url, {"status": "justified", "note": "Case confirmed"})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.JUSTIFIED


def test_it_asks_for_a_fresh_code_before_sign_off(march, carol_client):
    session = carol_client.session
    session[SESSION_KEY] = (NOW - timedelta(hours=1)).isoformat()
    session.save()
    response = carol_client.post(f"/audit/periods/{march.pk}/sign/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/step-up/")
    march.refresh_from_db()
    assert not march.is_signed


def test_it_serves_reports_and_refuses_other_formats(march, carol_client):
    pdf = carol_client.get(f"/audit/periods/{march.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert carol_client.get(f"/audit/periods/{march.pk}/report.exe").status_code == 404
    yearly = carol_client.get("/audit/yearly/2026.csv")
    assert yearly.status_code == 200
    assert b"queries by purpose" in yearly.content


@pytest.mark.django_db
def test_it_builds_the_yearly_state_police_report(alice, carol):
    Camera.objects.create(device_id="F1", name="Fixed 1", kind="fixed")
    Camera.objects.create(
        device_id="V1", name="Car 1", kind="vehicle", removed_on=date(2025, 6, 1)
    )
    make_search(
        alice, datetime(2025, 5, 1, 15, tzinfo=UTC), purpose="C", case_number=""
    )
    from audits import reports

    rows = reports.yearly_rows(2025)
    assert ["", "Fixed", "1"] in rows
    assert ["", "Vehicle-mounted", "0"] in rows
    assert ["", "Notification follow-up", "1"] in rows
    assert ["", "NCIC"] in rows
    assert reports.yearly_report(2025, "pdf").startswith(b"%PDF")


@pytest.mark.django_db
def test_it_shows_the_public_transparency_page_without_login(alice):
    today = date(2026, 3, 31)
    DailyCount.objects.create(day=today, metric="reads", key="1", count=1200)
    DailyCount.objects.create(
        day=today - timedelta(days=30), metric="reads", key="1", count=99999
    )
    DailyCount.objects.create(day=today, metric="hits", key="NCIC stolen", count=4)
    Camera.objects.create(device_id="F1", name="Fixed 1", kind="fixed")
    make_search(alice, datetime(2026, 3, 30, 15, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 3, 31, 16, tzinfo=UTC), tick=False):
        response = Client().get("/transparency/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<td id="reads">1200</td>' in body
    assert '<td id="hits">4</td>' in body
    assert "NCIC stolen: 4" in body
    assert "alice" not in body.lower() and "ABC1234" not in body


def test_it_keeps_the_sign_off_note_across_the_step_up(march, carol, carol_client):
    from tests.conftest import current_code

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = carol_client.post(
            f"/audit/periods/{march.pk}/sign/", {"note": "All findings closed"}
        )
        back = carol_client.post(
            response["Location"], {"token": current_code(carol)}, follow=True
        )
    body = back.content.decode()
    assert "submit the form again to sign the period off." in body
    assert "All findings closed</textarea>" in body
    march.refresh_from_db()
    assert not march.is_signed
