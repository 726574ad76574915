"""The hourly purge and the check that it keeps succeeding."""

import logging

from celery import shared_task
from django.db import OperationalError, close_old_connections

from audits.context import Actor, acting_as

from .purge import run_purge
from .verify import check_purge_overdue

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=600,
    max_retries=3,
    acks_late=True,
    reject_on_worker_lost=True,
)
def purge_expired() -> dict:
    """One purge run. A concurrent one answers busy; a killed worker's message is
    redelivered (acks_late) and the next run finishes what was left."""
    close_old_connections()
    actor = Actor.system("purge_expired")
    with acting_as(actor):
        report = run_purge(actor=actor)
    logger.info(
        "purge: reads_purged=%s audit_purged=%s held=%s busy=%s",
        report.reads_purged,
        report.audit_purged,
        report.held,
        report.busy,
    )
    return {
        "reads_purged": report.reads_purged,
        "audit_purged": report.audit_purged,
        "held": report.held,
        "busy": report.busy,
    }


@shared_task
def check_purge_overdue_task() -> bool:
    close_old_connections()
    return check_purge_overdue()
