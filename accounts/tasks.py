"""The daily account rules (beat schedule in settings, 05:30 UTC)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audits.context import Actor, acting_as

from . import services
from .models import AccountStatus, Officer, TrainingCertificate

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
                sent += services.send_training_notice(
                    actor=actor, certificate=certificate, days=days
                )
                break
    return sent


def suspend_untrained(*, actor: Actor) -> int:
    """Active accounts without a current certificate, or with overdue retraining."""
    today = timezone.localdate()
    return sum(
        services.suspend_for_lapsed_training(actor=actor, officer=officer, today=today)
        for officer in Officer.objects.training_lapsed(today=today)
    )


def disable_inactive(*, actor: Actor) -> int:
    """CJIS AC-2(3): accounts unused for 90 days are disabled."""
    cutoff = timezone.now() - timedelta(days=settings.FLOCKGOV_INACTIVITY_DISABLE_DAYS)
    return sum(
        services.disable_unused(actor=actor, officer=officer, cutoff=cutoff)
        for officer in Officer.objects.unused_since(cutoff)
    )
