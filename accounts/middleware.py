"""Server-side session limits (CJIS AC-11, AC-12) and the one-session rule (§7.B.1).

Runs after authentication and before the second-factor gate:

* 30 minutes without a request, or 12 hours after the password was entered, end
  the session (audited) whatever the cookie says;
* a verified session that is no longer the officer's live one (a newer sign-in, a
  deactivation) is ended;
* a verified session suddenly used from another address raises the shared-account
  alarm;
* a password that must change (new account, administrator reset, compromise, a
  year old) sends the officer to the change page before anything else.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from audits.context import Actor
from flockgov.middleware import is_public_path

logger = logging.getLogger(__name__)

STARTED_KEY = "accounts.session_started_at"
LAST_ACTIVITY_KEY = "accounts.last_activity_at"
# Writing ``last_seen_at`` on every request would be a write per click.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
PASSWORD_CHANGE_ALLOWED = ("/accounts/password/", "/accounts/logout/")


ENDED_MESSAGE_KEY = "accounts.ended_message"
ENDED_OFFICER_KEY = "accounts.ended_officer"


class InactiveAccountMiddleware:
    """Ends, with its reason, the session of an account that is no longer active.

    Runs before the second-factor gate (which would also end it, silently): a
    suspended or disabled officer's old session or API call is answered with why,
    and the ending is audited.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Public pages (health above all) must answer without touching the
        # database-backed session: the database may be what is down.
        if is_public_path(request.path_info):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            # A session the system ended (suspension, deactivation) says why.
            message = request.session.get(ENDED_MESSAGE_KEY)
            if message:
                from audits.events import EventType, Outcome
                from audits.trail import record

                record(
                    EventType.SESSION_ENDED,
                    actor=Actor.from_request(request),
                    outcome=Outcome.REFUSED,
                    object_type="accounts.officer",
                    object_id=str(request.session.get(ENDED_OFFICER_KEY, "")),
                    summary=f"request on an ended session refused: {request.path}"[
                        :300
                    ],
                    data={"path": request.path[:200]},
                )
            if message and request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            if message:
                return redirect(reverse("accounts:login"))
        if (
            user.is_authenticated
            and not user.is_active
            and not request.path.startswith(settings.STATIC_URL)
        ):
            from . import services
            from .forms import inactive_message

            message = inactive_message(user)
            services.end_session_by_policy(
                actor=Actor.from_request(request),
                officer=user,
                reason=f"account {user.status}",
            )
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            # The message survives the logout in the new, anonymous session.
            request.session[ENDED_MESSAGE_KEY] = message
            return redirect(reverse("accounts:login"))
        return self.get_response(request)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public_path(request.path_info):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            ended = self._check(request, user)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _check(self, request: HttpRequest, user) -> HttpResponse | None:
        from . import services

        now = timezone.now()
        session = request.session
        started = session.get(STARTED_KEY)
        last = session.get(LAST_ACTIVITY_KEY)
        if started is None:
            session[STARTED_KEY] = started = now.isoformat()
        if last is not None:
            idle = now - datetime.fromisoformat(last)
            if idle >= settings.FLOCKGOV_SESSION_IDLE:
                return self._end(
                    request,
                    user,
                    "idle",
                    "Your session ended after 30 minutes without activity. "
                    "Sign in again.",
                )
        if now - datetime.fromisoformat(started) >= settings.FLOCKGOV_SESSION_ABSOLUTE:
            return self._end(
                request,
                user,
                "absolute",
                "Your session reached its 12-hour limit. Sign in again.",
            )
        verified = user.is_verified()
        if verified and user.is_active and session.session_key != user.live_session_key:
            return self._end(
                request,
                user,
                "superseded",
                "This session ended because your account signed in elsewhere or "
                "was changed by an administrator.",
            )
        session[LAST_ACTIVITY_KEY] = now.isoformat()
        ip = request.META.get("REMOTE_ADDR")
        if verified and user.live_session_ip and ip and ip != user.live_session_ip:
            services.report_shared_use(
                actor=Actor.from_request(request),
                officer=user,
                addresses=[user.live_session_ip, ip],
            )
            # Alarm once per move, not on every later request from there.
            services.note_session_address(officer=user, ip=ip)
        if user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_RESOLUTION:
            services.note_activity(officer=user, now=now)
        if (
            verified
            and user.is_active
            and user.password_is_stale(now=now)
            and not request.path.startswith(PASSWORD_CHANGE_ALLOWED)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Change your password in the browser first."},
                    status=403,
                )
            return redirect(f"{reverse('accounts:password')}?next={request.path}")
        return None

    @staticmethod
    def _end(request: HttpRequest, user, reason: str, message: str) -> HttpResponse:
        from . import services

        services.end_session_by_policy(
            actor=Actor.from_request(request), officer=user, reason=reason
        )
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        messages.warning(request, message)
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
