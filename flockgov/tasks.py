"""Housekeeping tasks that belong to no single app."""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from flockgov.db import partitions

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "health:worker-heartbeat"


@shared_task
def heartbeat() -> None:
    """Proves to the health page that beat schedules and a worker runs."""
    cache.set(HEARTBEAT_KEY, str(time.time()), timeout=3600)


@shared_task
def create_partitions() -> list[str]:
    """Creates the coming week's read partitions and next month's audit partition,
    so that imports and audit writes rarely need to create one themselves."""
    now = timezone.now()
    names = partitions.ensure_range(partitions.READS, now, now + timedelta(days=7))
    names += partitions.ensure_range(partitions.AUDIT, now, now + timedelta(days=40))
    logger.info("partitions present: %s", len(names))
    return names
