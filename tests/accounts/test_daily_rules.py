"""The daily task: expiry notices at 30 and 7 days, suspension when training
lapses, disabling after 90 days unused. Dates are department-local."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import AccountStatus, Notice, SuspensionKind, TrainingCertificate
from accounts.tasks import enforce_account_rules
from audits.events import EventType
from tests.accounts.conftest import actor_of, events

pytestmark = pytest.mark.django_db

# Certificates completed on 2026-01-10 expire on 2027-01-10 (365 days).
COMPLETED = date(2026, 1, 10)


@pytest.fixture
def trained(alice, dave):
    alice.email = "alice@example.org"
    alice.save()
    alice.certificates.all().delete()
    TrainingCertificate.objects.create(
        officer=alice,
        course="ALPR",
        completed_on=COMPLETED,
        expires_on=date(2027, 1, 10),
        issuer_reference="LMS-A",
        recorded_at=timezone.now(),
    )
    # Keep dave's own training out of the way of the counts.
    dave.certificates.update(expires_on=date(2030, 1, 1))
    return alice


def _run(moment: str) -> dict:
    with time_machine.travel(moment, tick=False):
        return enforce_account_rules()


def _keep_recent(*officers):
    for officer in officers:
        officer.__class__.objects.filter(pk=officer.pk).update(
            last_seen_at=timezone.now()
        )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 31 days before expiry, in New York: no notice yet.
        ("2026-12-10 12:00-05:00", 0),
        # Exactly 30 days before (local midnight just passed): the first notice.
        ("2026-12-11 00:00:01-05:00", 1),
        # One second before that local midnight: still 31 days.
        ("2026-12-10 23:59:59-05:00", 0),
    ],
)
def test_it_sends_the_thirty_day_notice_on_the_day(trained, dave, moment, expected):
    with time_machine.travel(moment, tick=False):
        _keep_recent(trained, dave)
    counts = _run(moment)
    assert counts["notices"] == expected
    assert Notice.objects.filter(recipient=trained).count() == expected
    assert Notice.objects.filter(recipient=dave).count() == expected


def test_it_sends_each_notice_once_and_the_seven_day_one_later(
    trained, dave, django_capture_on_commit_callbacks
):
    for moment, notices in [
        ("2026-12-11 09:00-05:00", 1),
        ("2026-12-12 09:00-05:00", 0),
        ("2027-01-02 09:00-05:00", 0),
        ("2027-01-03 09:00-05:00", 1),
        ("2027-01-04 09:00-05:00", 0),
    ]:
        with time_machine.travel(moment, tick=False):
            _keep_recent(trained, dave)
        with django_capture_on_commit_callbacks(execute=True):
            assert _run(moment)["notices"] == notices, moment
    sent = events(EventType.TRAINING_NOTICE)
    assert [e.data["notice_days"] for e in sent] == [30, 7]
    assert len([m for m in mail.outbox if "alice@example.org" in m.to]) == 2


def test_it_suspends_on_the_day_the_certificate_expires(trained, dave):
    with time_machine.travel("2027-01-09 23:59:59-05:00", tick=False):
        _keep_recent(trained, dave)
    assert _run("2027-01-09 23:59:59-05:00")["suspended"] == 0
    trained.refresh_from_db()
    assert trained.status == AccountStatus.ACTIVE
    assert _run("2027-01-10 00:00:00-05:00")["suspended"] == 1
    trained.refresh_from_db()
    assert trained.status == AccountStatus.SUSPENDED
    assert trained.suspension_kind == SuspensionKind.TRAINING
    assert not trained.is_active
    event = events(EventType.ACCOUNT_SUSPENDED).get()
    assert event.actor_label == "system:accounts.enforce_account_rules"


def test_it_lets_the_captain_reactivate_after_retraining(trained, dave, carol):
    _run("2027-01-10 09:00-05:00")
    with time_machine.travel("2027-01-12 09:00-05:00", tick=False):
        with pytest.raises(services.AccountRuleError, match="no current training"):
            services.activate(actor=actor_of(carol), officer=trained)
        services.record_certificate(
            actor=actor_of(dave),
            officer=trained,
            course="ALPR",
            completed_on=date(2027, 1, 11),
            issuer_reference="LMS-B",
        )
        services.activate(actor=actor_of(carol), officer=trained)
    trained.refresh_from_db()
    assert trained.status == AccountStatus.ACTIVE


def test_it_disables_accounts_unused_for_ninety_days(trained, dave):
    with time_machine.travel("2026-06-01 12:00Z", tick=False):
        _keep_recent(trained, dave)
    ninety = datetime(2026, 6, 1, 12, tzinfo=UTC) + timedelta(days=90)
    with time_machine.travel(ninety - timedelta(seconds=1), tick=False):
        assert enforce_account_rules()["disabled"] == 0
    with time_machine.travel(ninety, tick=False):
        assert enforce_account_rules()["disabled"] == 2
    trained.refresh_from_db()
    assert trained.status == AccountStatus.DISABLED
    assert events(EventType.ACCOUNT_DISABLED).count() == 2


def test_it_suspends_when_retraining_after_an_incident_is_overdue(trained, carol):
    with time_machine.travel("2026-06-01 12:00Z", tick=False):
        services.require_retraining(
            actor=actor_of(carol), officer=trained, incident="INC-7"
        )
        _keep_recent(trained)
    trained.refresh_from_db()
    assert trained.retraining_due_by == date(2026, 7, 1)
    with time_machine.travel("2026-07-01 12:00Z", tick=False):
        _keep_recent(trained)
        enforce_account_rules()
    trained.refresh_from_db()
    assert trained.status == AccountStatus.ACTIVE
    with time_machine.travel("2026-07-02 12:00Z", tick=False):
        enforce_account_rules()
    trained.refresh_from_db()
    assert trained.status == AccountStatus.SUSPENDED
    assert "retraining" in trained.status_reason


def test_it_is_scheduled_daily_in_utc_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-daily-rules"]
    assert entry["task"] == "accounts.tasks.enforce_account_rules"
    assert entry["options"]["expires"] <= 24 * 3600
    assert settings.CELERY_TIMEZONE == "UTC"
