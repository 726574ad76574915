"""Step-up: a fresh second factor before sensitive actions.

Exports, shares, legal holds, account changes and audit sign-off ask for a TOTP
code again unless one was entered in the last ``STEP_UP_VALID_FOR``. The time of
the last accepted code is kept in the session (set at sign-in and at each step-up).

A form submitted without a recent code is never carried out, and never replayed
after the step-up either (a replayed POST could act twice or on a stale page).
What was typed is kept in the session instead, so the page comes back filled in
with a message asking the person to submit again.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

STEP_UP_VALID_FOR = timedelta(minutes=15)
SESSION_KEY = "accounts.otp_verified_at"
PENDING_KEY = "accounts.step_up_pending"
DEFAULT_ACTION = "finish what you started"
# Never kept: the token is single-use and a code field must be typed afresh.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "token"})


def mark_verified(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = timezone.now().isoformat()


def has_recent_step_up(request: HttpRequest, *, now: datetime | None = None) -> bool:
    stamp = request.session.get(SESSION_KEY)
    if not stamp:
        return False
    verified_at = datetime.fromisoformat(stamp)
    return (now or timezone.now()) - verified_at < STEP_UP_VALID_FOR


def _return_to(request: HttpRequest) -> str:
    """Where the person goes after the code: the page that held the form (its
    Referer, if on this site), since many form targets answer POST only and a
    GET there would be 405; otherwise the requested path."""
    referer = request.headers.get("Referer", "")
    if request.method == "POST" and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def _stash(request: HttpRequest, action: str, return_to: str) -> None:
    data = {
        key: request.POST.getlist(key) for key in request.POST if key not in NOT_KEPT
    }
    request.session[PENDING_KEY] = {
        "path": request.path,
        "return_to": urlsplit(return_to).path,
        "action": action,
        "data": data,
    }


def accepted_message(request: HttpRequest, next_url: str) -> str | None:
    """The message shown after a code is accepted, if the form of the page the
    person returns to was held back (a stash left by an abandoned step-up
    elsewhere says nothing)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("return_to") != urlsplit(next_url).path:
        return None
    return (
        "Your code was accepted; submit the form again to "
        f"{pending.get('action') or DEFAULT_ACTION}."
    )


def take_pending(request: HttpRequest, path: str) -> dict[str, str | list[str]]:
    """What was typed into the form posted to ``path`` before a step-up, once.

    Returns ``{}`` when nothing is waiting for that path. Values are what a
    form's ``initial`` takes: a string, or a list for multi-valued fields.
    """
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("path") != path:
        return {}
    del request.session[PENDING_KEY]
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in pending.get("data", {}).items()
    }


def step_up_required(
    view: Callable[..., HttpResponse] | None = None, *, action: str = DEFAULT_ACTION
):
    """Sends the person to re-enter a code first when the last one is too old.

    A POST that arrives without a recent code is not carried out; what was typed
    is kept (``take_pending``) and the person comes back to the page (GET) after
    the step-up, told to submit again to ``action`` ("open the legal hold").
    Usable bare (``@step_up_required``) or with ``action=``.
    """
    if view is None:
        return lambda v: step_up_required(v, action=action)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if has_recent_step_up(request):
            return view(request, *args, **kwargs)
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse(
                {
                    "detail": "Enter a fresh second-factor code first.",
                    "step_up_url": reverse("accounts:step-up"),
                },
                status=403,
            )
        return_to = _return_to(request)
        if request.method == "POST":
            _stash(request, action, return_to)
        return redirect(
            f"{reverse('accounts:step-up')}?{urlencode({'next': return_to})}"
        )

    return wrapper
