"""The daily account rules (beat schedule in settings, 05:30 UTC)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.context import Actor, acting_as
from audits.events import EventType
from audits.trail import record

from . import notices
from .models import AccountStatus, Notice, Officer, SuspensionKind, TrainingCertificate
from .services import _set_status

logger = logging.getLogger(__name__)

JOB = "accounts.enforce_account_rules"


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def enforce_account_rules() -> dict[str, int]:
    """Training expiry notices, training suspensions and inactivity disabling."""
    actor = Actor.system(JOB)
    with acting_as(actor):
        counts = {
            "notices": send_expiry_notices(actor=actor),
            "suspended": suspend_untrained(actor=actor),
            "disabled": disable_inactive(actor=actor),
        }
    logger.info(
        "account rules: notices=%s suspended=%s disabled=%s",
        counts["notices"],
        counts["suspended"],
        counts["disabled"],
    )
    return counts


def _latest_certificates(today):
    """The newest certificate of each active account (by expiry)."""
    latest = {}
    for certificate in (
        TrainingCertificate.objects.filter(officer__status=AccountStatus.ACTIVE)
        .select_related("officer")
        .order_by("officer_id", "-expires_on")
    ):
        latest.setdefault(certificate.officer_id, certificate)
    return latest


def send_expiry_notices(*, actor: Actor) -> int:
    """Once 30 days and once 7 days before the newest certificate expires."""
    today = timezone.localdate()
    sent = 0
    for certificate in _latest_certificates(today).values():
        days_left = (certificate.expires_on - today).days
        if days_left <= 0:
            continue
        for days, field in ((7, "notice_7_sent_at"), (30, "notice_30_sent_at")):
            if days_left <= days and getattr(certificate, field) is None:
                _send_notice(actor, certificate, days, days_left, field)
                sent += 1
                break
    return sent


def _send_notice(actor, certificate, days, days_left, field) -> None:
    officer = certificate.officer
    subject = (
        f"ALPR training of {officer.username} expires on "
        f"{certificate.expires_on:%Y-%m-%d} ({days_left} days)"
    )
    with transaction.atomic():
        updated = TrainingCertificate.objects.filter(
            pk=certificate.pk, **{field: None}
        ).update(**{field: timezone.now()})
        if not updated:
            return
        if days == 7:
            # The 30-day notice is not sent late once the 7-day one went out.
            TrainingCertificate.objects.filter(
                pk=certificate.pk, notice_30_sent_at=None
            ).update(notice_30_sent_at=timezone.now())
        notices.notify(
            [officer, *notices.administrators()],
            subject=subject,
            body=(
                "Complete the department's ALPR training again before that day; "
                "after it the account is suspended until a new certificate is "
                "recorded and the Captain activates it."
            ),
            level=Notice.Level.WARNING,
        )
        record(
            EventType.TRAINING_NOTICE,
            actor=actor,
            target=officer,
            summary=subject,
            data={"certificate": certificate.pk, "notice_days": days},
        )


def suspend_untrained(*, actor: Actor) -> int:
    """Active accounts without a current certificate, or with overdue retraining."""
    today = timezone.localdate()
    current = TrainingCertificate.objects.current(today=today).values("officer_id")
    lapsed = Officer.objects.filter(status=AccountStatus.ACTIVE).filter(
        ~Q(pk__in=current) | Q(retraining_due_by__lt=today)
    )
    count = 0
    for officer in lapsed:
        with transaction.atomic():
            officer = Officer.objects.select_for_update().get(pk=officer.pk)
            if officer.status != AccountStatus.ACTIVE:
                continue
            overdue = bool(
                officer.retraining_due_by and officer.retraining_due_by < today
            )
            reason = (
                "retraining after a security incident is overdue"
                if overdue
                else "training certificate expired"
            )
            _set_status(
                officer,
                AccountStatus.SUSPENDED,
                actor=actor,
                reason=reason,
                kind=SuspensionKind.TRAINING,
            )
            record(
                EventType.ACCOUNT_SUSPENDED,
                actor=actor,
                target=officer,
                summary=f"suspended: {reason}",
                data={"kind": SuspensionKind.TRAINING, "reason": reason},
            )
            notices.notify(
                [officer, *notices.administrators()],
                subject=f"Account {officer.username} suspended: {reason}",
                level=Notice.Level.WARNING,
            )
            count += 1
    return count


def disable_inactive(*, actor: Actor) -> int:
    """CJIS AC-2(3): accounts unused for 90 days are disabled."""
    now = timezone.now()
    cutoff = now - timedelta(days=settings.FLOCKGOV_INACTIVITY_DISABLE_DAYS)
    stale = Officer.objects.filter(status=AccountStatus.ACTIVE).filter(
        Q(last_seen_at__lte=cutoff)
        | Q(last_seen_at=None, last_login__lte=cutoff)
        | Q(last_seen_at=None, last_login=None, date_joined__lte=cutoff)
    )
    count = 0
    for officer in stale:
        with transaction.atomic():
            officer = Officer.objects.select_for_update().get(pk=officer.pk)
            if officer.status != AccountStatus.ACTIVE:
                continue
            reason = f"unused for {settings.FLOCKGOV_INACTIVITY_DISABLE_DAYS} days"
            _set_status(officer, AccountStatus.DISABLED, actor=actor, reason=reason)
            record(
                EventType.ACCOUNT_DISABLED,
                actor=actor,
                target=officer,
                summary=f"disabled: {reason}",
                data={"reason": "inactivity", "last_seen_at": officer.last_seen_at},
            )
            count += 1
    return count
