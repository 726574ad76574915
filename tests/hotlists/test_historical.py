"""Alerts raised from old reads (a bulk or historical import) are marked
historical and never page as live: the boundary is the live window (1 hour by
default), exclusive, to the second."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audits.events import EventType
from audits.models import AuditEvent
from hotlists.models import Alert
from tests.conftest import verified_client
from tests.hotlists.conftest import ingest


@pytest.fixture
def now():
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.mark.parametrize(
    ("age", "historical"),
    [
        (timedelta(hours=1) - timedelta(seconds=1), False),
        (timedelta(hours=1), False),
        (timedelta(hours=1) + timedelta(seconds=1), True),
    ],
)
def test_it_marks_alerts_on_reads_older_than_the_live_window_historical(
    imported_ncic, camera, now, age, historical
):
    ingest(camera, ("ABC1234", "VA"), at=now - age)
    alert = Alert.objects.get()
    assert alert.historical is historical
    raised = AuditEvent.objects.get(event_type=EventType.ALERTS_RAISED)
    assert raised.data["historical"] == int(historical)


def test_it_honours_a_configured_live_window(imported_ncic, camera, now, settings):
    settings.FLOCKGOV_ALERT_LIVE_WINDOW_MINUTES = 10
    ingest(camera, ("ABC1234", "VA"), at=now - timedelta(minutes=11))
    assert Alert.objects.get().historical


def test_it_keeps_historical_alerts_out_of_the_live_feed(imported_ncic, camera, alice):
    # Not frozen: signing in takes a fresh one-time code.
    client = verified_client(alice)
    ingest(camera, ("ABC1234", "VA"), at=timezone.now() - timedelta(days=3))
    old = Alert.objects.get()
    ingest(camera, ("ABC1234", "VA"), at=timezone.now() - timedelta(minutes=5))
    live = Alert.objects.exclude(pk=old.pk).get()
    page = client.get("/alerts/feed/")
    assert page.status_code == 200
    ids = [alert.pk for alert in page.context["open_alerts"]]
    assert ids == [live.pk]
    # Still there for review: the alert page answers.
    assert client.get(f"/alerts/{old.pk}/").status_code == 200
