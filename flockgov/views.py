"""The landing redirect and the health page."""

import logging
import time

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import alarms
from .tasks import HEARTBEAT_KEY

logger = logging.getLogger(__name__)

# The worker is considered alive when its last heartbeat is younger than this.
HEARTBEAT_STALE_AFTER = 180


def home(request: HttpRequest) -> HttpResponse:
    """The first page a role works from (records and other non-searching roles
    would only meet a refusal on the search page)."""
    user = request.user
    if user.may_search():
        return redirect("queries:search")
    if user.may_read_audit_trail():
        return redirect("audits:trail")
    return render(request, "home.html")


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Replaces the admin site's own sign-in form, which would be a second
    password-only door. Everyone signs in through the password-and-TOTP pages;
    a verified account without admin access is refused plainly."""
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied("This account has no access to the administration.")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': '/admin/'})}")


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "reachable"
    except Exception as exc:
        logger.warning("health: database unreachable: %s", exc)
        return False, "unreachable"


def _check_broker() -> tuple[bool, str]:
    try:
        cache.set("health:probe", "ok", timeout=30)
        return cache.get("health:probe") == "ok", "reachable"
    except Exception as exc:
        logger.warning("health: redis unreachable: %s", exc)
        return False, "unreachable"


def _check_worker() -> tuple[bool, str]:
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        return False, "unknown (Redis unreachable)"
    if beat is None:
        return False, "no heartbeat yet"
    age = time.time() - float(beat)
    if age > HEARTBEAT_STALE_AFTER:
        return False, f"last heartbeat {int(age)} s ago"
    return True, f"last heartbeat {int(age)} s ago"


def _may_see_alarm_messages(request: HttpRequest) -> bool:
    """The page is public: alarm names and times only. An alarm's message may
    name an account or a list, so only signed-in auditors see it."""
    try:
        user = request.user
        return bool(
            user.is_authenticated and user.is_verified() and user.may_read_audit_trail()
        )
    except DatabaseError:
        # Sessions live in the database; while it is down nobody is signed in,
        # and the page (its header included) must still render.
        request.user = AnonymousUser()
        return False


def health(request: HttpRequest) -> HttpResponse:
    """Public (no login), shows no data: whether each part of the system is up.

    ``?format=json`` answers for monitoring; the status code is 503 when anything
    is down or an alarm is active.
    """
    checks = {
        "database": _check_database(),
        "broker": _check_broker(),
        "worker": _check_worker(),
    }
    active = alarms.active_alarms()
    healthy = all(ok for ok, _ in checks.values()) and not active
    status = 200 if healthy else 503
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "healthy": healthy,
                "checks": {k: {"ok": ok, "detail": d} for k, (ok, d) in checks.items()},
                "alarms": [
                    {"name": a["name"], "since": a["first_raised_at"]} for a in active
                ],
                "time": timezone.now().isoformat(),
            },
            status=status,
        )
    return render(
        request,
        "health.html",
        {
            "checks": checks,
            "alarms": active,
            "healthy": healthy,
            "show_alarm_messages": _may_see_alarm_messages(request),
        },
        status=status,
    )
