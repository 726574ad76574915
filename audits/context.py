"""Who is acting: the account, or the system job, behind each audit record.

Auditing never depends on a request being present. Views get their actor from the
request; management commands and Celery tasks name theirs explicitly with
``acting_as``, which also tells django-auditlog who made a configuration change.
"""

import contextlib
import contextvars
import getpass
import ipaddress
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditlog.context import set_actor
from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import Officer


def _os_user() -> str:
    try:
        return getpass.getuser()[:64]
    except (KeyError, OSError):
        return str(os.getuid())


@dataclass(frozen=True)
class Actor:
    officer: "Officer | None"
    label: str
    role: str = ""
    ip: str | None = None
    request_id: str = ""
    os_user: str = field(default_factory=_os_user)

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        user = request.user if request.user.is_authenticated else None
        return cls(
            officer=user,
            label=user.get_username() if user else "anonymous",
            role=getattr(user, "role", "") if user else "",
            ip=client_ip(request),
            request_id=getattr(request, "request_id", ""),
            os_user="",
        )

    @classmethod
    def for_officer(cls, officer: "Officer") -> "Actor":
        return cls(officer=officer, label=officer.get_username(), role=officer.role)

    @classmethod
    def system(cls, job: str) -> "Actor":
        """A scheduled job or command acting on its own account."""
        return cls(officer=None, label=f"system:{job}", role="system")

    @classmethod
    def for_command(cls, command: str, username: str | None) -> "Actor":
        """``--actor USERNAME`` when given, else the system actor of ``command``."""
        if not username:
            return cls.system(command)
        from accounts.models import Officer

        try:
            officer = Officer.objects.get(username=username)
        except Officer.DoesNotExist:
            raise LookupError(f"no account named {username!r}") from None
        return cls.for_officer(officer)


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit record.

    Behind ``FLOCKGOV_TRUSTED_PROXY_HOPS`` reverse proxies, REMOTE_ADDR is the
    nearest proxy; each proxy appends the address it saw to X-Forwarded-For, so the
    client is that many entries from the right. Entries further left are whatever
    the client claimed and are never trusted.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops = getattr(settings, "FLOCKGOV_TRUSTED_PROXY_HOPS", 0)
    if not hops or not remote:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    chain.append(remote)
    candidate = chain[-(hops + 1)] if len(chain) > hops else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "flockgov_actor", default=None
)


def current_actor() -> Actor | None:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        with set_actor(actor.officer, remote_addr=actor.ip):
            yield actor
    finally:
        _current.reset(token)


# Field history (django-auditlog entries) written during an act that records its
# own, specific audit event: ``audits.receivers`` hands the entries to the act
# instead of recording a generic ``config.changed`` for each, and the act links
# them to its event (see ``accounts.services``).
_field_history: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "flockgov_field_history", default=None
)


def pending_field_history() -> list | None:
    """The list collecting the act's field history, or None outside an act."""
    return _field_history.get()


@contextlib.contextmanager
def collecting_field_history() -> Iterator[list]:
    """Collects auditlog entries written inside; nested uses share one list."""
    pending = _field_history.get()
    if pending is not None:
        yield pending
        return
    pending = []
    token = _field_history.set(pending)
    try:
        yield pending
    finally:
        _field_history.reset(token)
