"""Scheduled audits: the month just ended (§7.A) and the week just ended (CJIS)."""

import logging

from celery import shared_task
from django.utils import timezone

from . import periods, services
from .context import Actor, acting_as
from .models import AuditPeriod

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=300, max_retries=3)
def run_monthly_audit() -> int:
    start, end = periods.previous_month(timezone.now())
    actor = Actor.system("monthly_audit")
    with acting_as(actor):
        result = services.run_period(
            actor=actor, kind=AuditPeriod.Kind.MONTH, start=start, end=end
        )
    logger.info("monthly audit %s: %s findings", result.period.label, result.total)
    return result.total


@shared_task(autoretry_for=(Exception,), retry_backoff=300, max_retries=3)
def run_weekly_audit() -> int:
    start, end = periods.previous_week(timezone.now())
    actor = Actor.system("weekly_audit")
    with acting_as(actor):
        result = services.run_period(
            actor=actor, kind=AuditPeriod.Kind.WEEK, start=start, end=end
        )
    logger.info("weekly audit %s: %s findings", result.period.label, result.total)
    return result.total
