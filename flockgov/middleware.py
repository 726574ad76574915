"""Request-wide guards: request ids, the second factor on every route, no caching."""

import logging
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

logger = logging.getLogger(__name__)

# Paths anyone may reach. Everything else needs a logged-in, active officer whose
# session has passed the second factor. Machine ingest routes (added by the hot-list
# work) authenticate with their own per-source key and are listed in
# ``MACHINE_ROUTE_PREFIXES``.
PUBLIC_PATH_PREFIXES = (
    "/accounts/login/",
    "/static/",
    "/health/",
    "/transparency/",
    "/favicon.ico",
)
MACHINE_ROUTE_PREFIXES: tuple[str, ...] = ("/api/v1/reads/",)
# Reachable after the password, before the second factor.
HALF_LOGGED_IN_PREFIXES = (
    "/accounts/verify/",
    "/accounts/enrol/",
    "/accounts/logout/",
    # A passkey in place of the code (registration needs a verified session).
    "/accounts/passkeys/authentication/",
    "/accounts/passkeys/jsi18n/",
)


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PATH_PREFIXES + MACHINE_ROUTE_PREFIXES)


class RequestIdMiddleware:
    """Gives every request an id that its audit records and log lines carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class RequireVerifiedOfficerMiddleware:
    """Refuses every non-public route unless the second factor was passed.

    Guarding here, rather than view by view, means a new route cannot forget it; a
    test walks the URL configuration to prove it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # ``path_info``: the route inside the application, whatever prefix a
        # reverse proxy mounts it under.
        path = request.path_info
        if is_public_path(path):
            return self.get_response(request)
        if request.user.is_authenticated and not request.user.is_active:
            # An account disabled mid-session loses the session at once.
            from django.contrib.auth import logout

            logout(request)
        user = request.user
        if not user.is_authenticated:
            return self._refuse(request, "accounts:login", "Sign in first.")
        if path.startswith(HALF_LOGGED_IN_PREFIXES):
            return self.get_response(request)
        if not user.is_verified():
            return self._refuse(
                request, "accounts:verify", "Confirm your second factor first."
            )
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, route: str, message: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        return redirect(f"{reverse(route)}?{urlencode({'next': request.path})}")


class NoStoreMiddleware:
    """Nothing the application renders may be kept by a browser or proxy cache.

    Pages show plates and audit data (criminal-justice information); a shared
    terminal's back button must not bring them back after logout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
