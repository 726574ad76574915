"""The notification centre: notices in the page header, mirrored by e-mail."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notice, Officer
from .roles import Role

logger = logging.getLogger(__name__)


def notify(
    recipients: list[Officer],
    *,
    subject: str,
    body: str = "",
    level: str = Notice.Level.INFO,
    link: str = "",
) -> list[Notice]:
    """Creates a notice for each recipient and e-mails those with an address.

    The mail goes out after commit, so a rolled-back act sends nothing.
    """
    now = timezone.now()
    notices = Notice.objects.bulk_create(
        [
            Notice(
                recipient=person,
                created_at=now,
                level=level,
                subject=subject[:200],
                body=body,
                link=link,
            )
            for person in recipients
        ]
    )
    addresses = [person.email for person in recipients if person.email]
    if addresses:

        def send() -> None:
            try:
                send_mail(
                    f"[flockgov] {subject}",
                    body or subject,
                    settings.DEFAULT_FROM_EMAIL,
                    addresses,
                )
            except OSError:
                logger.exception("notice e-mail could not be sent")

        transaction.on_commit(send)
    return notices


def administrators() -> list[Officer]:
    return list(Officer.objects.filter(role=Role.ADMIN, is_active=True))
