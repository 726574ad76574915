"""Hot-list and sharing activity in the audit: dashboard panels and their
drill-downs, the yearly State Police sections, the transparency page."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from audits import activity, periods, reports, services
from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent, AuditPeriod, DailyCount
from hotlists.models import Disposition, HotList, Stop
from sharing.models import FoiaRequest, SharingRequest
from tests.audits.conftest import MID_MARCH
from tests.audits.test_hotlist_and_sharing_rules import (
    DAY,
    SECOND,
    alert,
    entry,
    org,
    request_,
    send,
)

NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)
# The first instant of March 2026 in the department's zone (EST, UTC-5).
MARCH_START = datetime(2026, 3, 1, 5, tzinfo=UTC)
APRIL_START = datetime(2026, 4, 1, 4, tzinfo=UTC)  # EDT from 8 March


@pytest.fixture(autouse=True)
def _no_sample(settings):
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}
    cache.delete("audits:transparency")


@pytest.fixture
def lists(alice):
    return {
        "custom": HotList.objects.create(
            name="Alice's follow-ups",
            key="alice-follow-ups",
            source=HotList.Source.CUSTOM,
            owner=alice,
            created_at=MID_MARCH - timedelta(days=60),
        ),
        "ncic": HotList.objects.create(
            name="NCIC", key="ncic", source=HotList.Source.NCIC, created_at=MARCH_START
        ),
    }


def dispose(item, officer, outcome, at):
    return Disposition.objects.create(
        alert=item, officer=officer, recorded_at=at, outcome=outcome
    )


def run_march():
    with time_machine.travel(NOW, tick=False):
        return services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=date(2026, 3, 1),
            end=date(2026, 4, 1),
        ).period


@pytest.fixture
def march(alice, carol, lists, camera):
    custom = lists["custom"]
    # Entered at the month's first instant (counted) and a second before (not).
    first = entry(custom, alice, MARCH_START)
    entry(custom, alice, MARCH_START - SECOND, plate="ABC1000")
    # Removed before its expiry: removed, not expired.
    entry(
        custom,
        alice,
        MID_MARCH,
        plate="ABC2000",
        removed_at=MID_MARCH + timedelta(hours=2),
    )
    # Expires at the month's end: April's, not March's.
    entry(custom, alice, APRIL_START - DAY, plate="ABC3000")
    # Never expires: March's only unverified entry.
    entry(custom, alice, MID_MARCH, plate="ABC4000", expires_at=None)
    # An NCIC record counts nowhere.
    entry(lists["ncic"], None, MID_MARCH, plate="ABC5000", expires_at=None)
    confirmed = alert(first, camera, MARCH_START + timedelta(hours=1))
    dispose(confirmed, alice, "confirmed", MARCH_START + timedelta(hours=2))
    misread = alert(first, camera, MARCH_START + timedelta(hours=3))
    dispose(misread, alice, "misread", MARCH_START + timedelta(hours=3))
    alert(first, camera, MARCH_START + timedelta(hours=4))
    henry = org("Henry County Sheriff's Office", ori="VA0440000")
    send(henry, alice, MID_MARCH, req=request_(henry, alice, carol))
    send(henry, alice, MID_MARCH + DAY, req=request_(henry, alice, carol))
    send(org("Flock Safety", kind="vendor"), carol, APRIL_START - SECOND, ground=5)
    send(henry, alice, APRIL_START)  # April's
    return run_march()


def rows(panel) -> dict[str, int]:
    return {label: n for label, n, _ in panel["rows"]}


def test_it_counts_hot_list_alert_and_share_panels_at_the_month_edges(march):
    start, end = periods.bounds(march)
    with time_machine.travel(NOW, tick=False):
        entries = rows(activity.hotlist_panel(march, start, end))
    assert entries == {
        "Entered": 4,
        "Expired without being removed": 2,
        "Removed": 1,
        "Not re-verified within 24 h": 1,
    }
    alerts = rows(activity.alerts_panel(march, start, end))
    assert alerts["Plate and vehicle confirmed against the record"] == 1
    assert alerts["Misread: the read does not match the record"] == 1
    assert alerts["Not yet disposed of"] == 1
    assert alerts["No action"] == 0
    shares = rows(activity.shares_panel(march, start, end))
    assert shares["1: another law-enforcement agency, for a §3 purpose"] == 2
    assert shares["5: the vendor, for maintenance or quality assurance"] == 1
    assert sum(shares.values()) == 3


def test_it_drills_down_from_every_panel_figure(march, carol_client):
    response = carol_client.get("/audit/dashboard/?month=2026-03")
    body = response.content.decode()
    base = f"/audit/periods/{march.pk}/activity"
    for title in (
        "Custom hot-list entries",
        "Alerts by disposition",
        "Shares by ground",
    ):
        assert f"<h2>{title}</h2>" in body
    assert f"{base}/created/" in body
    assert f"{base}/alerts/?disposition=open" in body
    assert f"{base}/shares/?ground=1" in body
    assert "findings/?rule=hotlist_unverified&amp;status=" in body
    expected = {
        "created/": 4,
        "expired/": 2,
        "removed/": 1,
        "alerts/?disposition=confirmed": 1,
        "alerts/?disposition=open": 1,
        "alerts/": 3,
        "shares/?ground=1": 2,
        "shares/?ground=5": 1,
        "shares/?ground=4": 0,
    }
    for path, n in expected.items():
        with time_machine.travel(NOW, tick=False):
            page = carol_client.get(f"{base}/{path}")
        assert page.status_code == 200, path
        assert page.content.decode().count("<tr><td>") == n, path
        assert page["Cache-Control"] == "no-store"
    viewed = AuditEvent.objects.filter(event_type=EventType.AUDIT_VIEWED)
    assert viewed.filter(summary__startswith="drilled into shares").exists()


def test_it_keeps_drill_downs_to_auditors_and_known_filters(march, alice_client):
    base = f"/audit/periods/{march.pk}/activity"
    assert alice_client.get(f"{base}/created/").status_code == 403
    assert Client().get(f"{base}/created/").status_code == 302


def test_it_answers_404_for_unknown_drill_downs(march, carol_client):
    base = f"/audit/periods/{march.pk}/activity"
    assert carol_client.get(f"{base}/plates/").status_code == 404
    assert carol_client.get(f"{base}/alerts/?disposition=bogus").status_code == 404
    assert carol_client.get("/audit/periods/999999/activity/created/").status_code == (
        404
    )


def test_it_fills_the_yearly_report_from_stops_shares_and_hot_lists(
    alice, carol, lists, camera
):
    year_start = datetime(2025, 1, 1, 5, tzinfo=UTC)
    next_year = datetime(2026, 1, 1, 5, tzinfo=UTC)
    custom = lists["custom"]
    custom.created_at = year_start
    custom.save(update_fields=["created_at"])
    item = entry(custom, alice, next_year - DAY)
    entry(custom, alice, next_year, plate="ABC9999")  # 2026's
    for at, result in ((next_year - SECOND, "arrest"), (next_year, "warning")):
        raised = alert(item, camera, at - timedelta(minutes=5))
        dispose(raised, alice, "confirmed", at - timedelta(minutes=4))
        Stop.objects.create(
            alert=raised,
            officer=alice,
            recorded_at=at,
            stopped_at=at,
            location="Church St at Market St",
            reason="Confirmed stolen vehicle",
            result=result,
        )
    henry = org("Henry County Sheriff's Office", ori="VA0440000")
    send(henry, alice, year_start, req=request_(henry, alice, carol))
    request_(
        henry,
        alice,
        carol,
        status=SharingRequest.Status.REFUSED,
        requested_at=year_start + DAY,
    )
    send(henry, alice, next_year)  # 2026's
    FoiaRequest.objects.create(
        received_on=date(2025, 6, 1),
        requester="A reporter",
        description="All plate reads on Main St",
        recorded_by=carol,
        recorded_at=datetime(2025, 6, 2, 14, tzinfo=UTC),
        answer="Refused under §9.A",
        answered_at=datetime(2025, 6, 2, 14, tzinfo=UTC),
    )
    rows = reports.yearly_rows(2025)
    assert ["stops based on notifications", "total", "1"] in rows
    assert ["", "result: Arrest", "1"] in rows
    assert ["", "result: Warning", "0"] in rows
    assert ["", "alerts raised", "2"] in rows  # the second stop's alert is 2025's
    assert ["shares and third-party requests", "shares made", "1"] in rows
    assert ["", "to: Law enforcement", "1"] in rows
    assert ["", "requests: Refused", "1"] in rows
    assert ["", "FOIA requests refused (§9.A)", "1"] in rows
    assert ["", "NCIC (NCIC - VSP)", ""] not in rows  # created in 2026
    assert ["", "custom hot lists (1)", "1"] in rows
    text = reports.yearly_report(2025, "csv").decode()
    assert "not recorded here" not in text
    assert "Alice's follow-ups" not in text and "KLM4821" not in text
    assert reports.yearly_report(2025, "pdf").startswith(b"%PDF")


def test_it_shows_hot_lists_and_recipients_on_the_transparency_page(
    alice, carol, lists
):
    now = datetime(2026, 3, 31, 16, tzinfo=UTC)
    since = now - timedelta(days=30)
    today = date(2026, 3, 31)
    DailyCount.objects.create(day=today, metric="hits", key="ncic", count=4)
    DailyCount.objects.create(day=today, metric="hits", key="alice-follow-ups", count=2)
    henry = org("Henry County Sheriff's Office", ori="VA0440000")
    counsel = org("Jane Roe, Esq.", kind="defence")
    send(henry, alice, since, req=request_(henry, alice, carol))
    send(henry, alice, since - SECOND, req=request_(henry, alice, carol))
    send(counsel, alice, now - SECOND, ground=3)
    with time_machine.travel(now, tick=False):
        response = Client().get("/transparency/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "NCIC (NCIC - VSP): 4" in body
    assert "Custom hot lists: 2" in body
    assert "Henry County Sheriff&#x27;s Office (law enforcement): 1" in body
    assert "Defendant or defence counsel: 1" in body
    assert "Jane Roe" not in body and "Alice" not in body
