"""Step-up: a fresh second factor before sensitive actions.

Exports, shares, legal holds, account changes and audit sign-off ask for a TOTP
code again unless one was entered in the last ``STEP_UP_VALID_FOR``. The time of
the last accepted code is kept in the session (set at sign-in and at each step-up).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

STEP_UP_VALID_FOR = timedelta(minutes=15)
SESSION_KEY = "accounts.otp_verified_at"


def mark_verified(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = timezone.now().isoformat()


def has_recent_step_up(request: HttpRequest, *, now: datetime | None = None) -> bool:
    stamp = request.session.get(SESSION_KEY)
    if not stamp:
        return False
    verified_at = datetime.fromisoformat(stamp)
    return (now or timezone.now()) - verified_at < STEP_UP_VALID_FOR


def step_up_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sends the person to re-enter a code first when the last one is too old.

    A POST that arrives without a recent code is not carried out; the person comes
    back to the page (GET) after the step-up and submits again.
    """

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
        return redirect(
            f"{reverse('accounts:step-up')}?{urlencode({'next': request.path})}"
        )

    return wrapper
