"""Audit records for Django's own authentication signals."""

import logging

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record

logger = logging.getLogger(__name__)


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    actor = Actor.from_request(request) if request else Actor.for_officer(user)
    record(
        EventType.LOGIN,
        actor=actor,
        target=user,
        summary=f"{user.get_username()} entered a correct password",
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    actor = Actor.from_request(request) if request else Actor.for_officer(user)
    if actor.officer is None:
        actor = Actor(
            officer=user,
            label=user.get_username(),
            role=user.role,
            ip=actor.ip,
            request_id=actor.request_id,
            os_user="",
        )
    record(EventType.LOGOUT, actor=actor, target=user, summary="signed out")


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs) -> None:
    attempted = str(credentials.get("username", ""))[:150]
    actor = (
        Actor.from_request(request) if request is not None else Actor.system("login")
    )
    record(
        EventType.LOGIN_FAILED,
        actor=actor,
        outcome=Outcome.REFUSED,
        object_type="accounts.officer",
        object_repr=attempted,
        summary="password refused",
        data={"username": attempted},
    )
    from .models import Officer
    from .services import register_failure, register_unknown_failure

    officer = Officer.objects.filter(username=attempted).first()
    if officer is not None:
        register_failure(actor=actor, officer=officer, factor="password")
    else:
        register_unknown_failure(attempted)
