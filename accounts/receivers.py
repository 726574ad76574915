"""Accounts' answer to other apps' signals."""

import logging

from django.dispatch import receiver

from audits.signals import violation_confirmed

from . import services

logger = logging.getLogger(__name__)


@receiver(violation_confirmed, dispatch_uid="accounts.suspend_on_violation")
def suspend_on_violation(sender, *, officer, actor, reference, **kwargs) -> None:
    """§7.B.2: a confirmed violation suspends the account until the Chief decides.

    Sent inside the transaction that closes the finding, so a refusal here (the
    closer acting on their own account, say) rolls the closing back as well.
    """
    from .models import AccountStatus, SuspensionKind

    if (
        officer.status == AccountStatus.SUSPENDED
        and officer.suspension_kind == SuspensionKind.VIOLATION
    ):
        # Already waiting for the Chief: the new finding joins the record.
        services.note_further_violation(
            actor=actor, officer=officer, reference=reference
        )
        return
    services.suspend_for_violation(
        actor=actor,
        officer=officer,
        reference=reference,
        reason=f"violation confirmed in {reference}",
    )
