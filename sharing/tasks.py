"""Scheduled sharing jobs (see the beat schedule in settings)."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from accounts.notices import notify
from audits.context import Actor, acting_as

from . import settings_watch
from .models import NetworkAccessGrant
from .services import captains

logger = logging.getLogger(__name__)


@shared_task
def snapshot_sharing_settings() -> bool:
    """Daily: snapshot the sharing settings; True when they match the approved set."""
    actor = Actor.system("snapshot_sharing_settings")
    with acting_as(actor):
        taken = settings_watch.snapshot(actor=actor)
    return bool(taken.matches_approved)


@shared_task
def remind_grant_reviews() -> int:
    """Daily: tell the Captain which network grants are due for their monthly
    review. Returns how many are due."""
    due = list(
        NetworkAccessGrant.objects.due_for_review(timezone.now()).select_related(
            "organisation"
        )
    )
    if due:
        notify(
            captains(),
            subject=f"{len(due)} network access grant(s) due for monthly review",
            body="\n".join(grant.organisation.name for grant in due),
            link=reverse("sharing:grants"),
        )
    logger.info("network grants due for review: %s", len(due))
    return len(due)
