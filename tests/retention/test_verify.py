"""verify_retention and the purge-overdue alarm (DESIGN.md: 2 hours of lateness
allowed; the alarm when no purge has succeeded for 3 hours)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.models import Notice
from audits.events import EventType
from audits.models import AuditEvent
from flockgov import alarms
from retention.purge import run_purge
from retention.verify import check_purge_overdue

from .conftest import put_audit, put_read

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=21)


def verify_command() -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    code = 0
    with time_machine.travel(NOW, tick=False):
        try:
            call_command("verify_retention", stdout=out, stderr=err)
        except SystemExit as exit_:
            code = exit_.code
    return out.getvalue(), err.getvalue(), code


def test_it_passes_after_a_recent_purge(camera, system):
    put_read(camera, CUTOFF - timedelta(days=3))
    put_read(camera, CUTOFF + timedelta(hours=1))
    run_purge(actor=system, now=NOW - timedelta(minutes=30))
    out, err, code = verify_command()
    assert code == 0, err
    assert out.splitlines()[-1] == "verified=17 problems=0"
    event = AuditEvent.objects.get(event_type=EventType.RETENTION_VERIFIED)
    assert event.data["problems"] == []


def test_it_allows_two_hours_of_lateness_and_not_a_second_more(camera, system):
    run_purge(actor=system, now=NOW - timedelta(minutes=30))
    put_read(camera, CUTOFF - timedelta(hours=2) + timedelta(seconds=1))
    assert verify_command()[2] == 0
    put_read(camera, CUTOFF - timedelta(hours=2))
    out, err, code = verify_command()
    assert code == 1
    assert "1 reads are older than the retention period" in err
    assert out.splitlines()[-1] == "verified=16 problems=1"


def test_it_reports_old_audit_records_and_stale_purges(system):
    put_audit(datetime(2024, 7, 1, tzinfo=UTC))
    out, err, code = verify_command()
    assert code == 1
    assert "1 audit records are older than two years" in err
    assert "no purge has succeeded in the last 3 hours (none ever)" in err
    assert out.splitlines()[-1] == "verified=15 problems=2"


class TestOverdueAlarm:
    def test_it_raises_the_alarm_once_with_notices_and_an_audit_record(
        self, system, dave, client
    ):
        dave.email = "dave@example.org"
        dave.save(update_fields=["email"])
        last = NOW - timedelta(hours=3)
        run_purge(actor=system, now=last)
        with time_machine.travel(last + timedelta(hours=3), tick=False):
            assert not check_purge_overdue()
        assert alarms.active_alarms() == []
        with time_machine.travel(last + timedelta(hours=3, seconds=1), tick=False):
            assert check_purge_overdue()
            assert check_purge_overdue()  # still overdue: no second notice
        (alarm,) = alarms.active_alarms()
        assert alarm["name"] == alarms.PURGE_OVERDUE
        notice = Notice.objects.get(recipient=dave)
        assert notice.level == Notice.Level.ALARM
        (message,) = mail.outbox
        assert "Purge overdue" in message.subject and message.to == [dave.email]
        assert (
            AuditEvent.objects.filter(event_type=EventType.PURGE_OVERDUE).count() == 1
        )
        health = client.get("/health/")
        assert health.status_code == 503
        # The public health page names the alarm; its message is for auditors.
        assert alarms.PURGE_OVERDUE.encode() in health.content
        assert b"No purge has succeeded" not in health.content

        run_purge(actor=system, now=last + timedelta(hours=4))
        assert alarms.active_alarms() == []

    def test_it_counts_a_dry_run_or_a_failed_run_as_no_purge(self, system):
        run_purge(actor=system, now=NOW - timedelta(hours=5), dry_run=True)
        with time_machine.travel(NOW, tick=False):
            assert check_purge_overdue()
