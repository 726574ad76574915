"""Passkeys (WebAuthn, via django-otp-webauthn) as a second device type.

A passkey stands in for the authenticator code after the password; it never
replaces the password (passwordless sign-in is off). The library's views are
wrapped so a passkey sign-in does everything a code sign-in does (new session id,
step-up stamp, lockout reset, one live session, audit), a failed passkey counts
toward the lockout like a wrong code, and a passkey is registered only by a
verified session with a recent step-up.
"""

import logging

from django.http import JsonResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record

from . import services
from .forms import LOCKED_MESSAGE
from .models import Officer
from .stepup import has_recent_step_up

logger = logging.getLogger(__name__)


class RegisterBegin(webauthn_views.BeginCredentialRegistrationView):
    def post(self, *args, **kwargs):
        if not has_recent_step_up(self.request):
            return JsonResponse(
                {"detail": "Enter a fresh authenticator code first (step-up)."},
                status=403,
            )
        return super().post(*args, **kwargs)


class RegisterComplete(webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        if not has_recent_step_up(self.request):
            return JsonResponse(
                {"detail": "Enter a fresh authenticator code first (step-up)."},
                status=403,
            )
        response = super().post(*args, **kwargs)
        record(
            EventType.MFA_ENROLLED,
            actor=Actor.from_request(self.request),
            target=self.request.user,
            summary="passkey registered",
            data={"device_type": "passkey"},
        )
        return response


class AuthenticateBegin(webauthn_views.BeginCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        if Officer.objects.filter(
            pk=self.request.user.pk, locked_at__isnull=False
        ).exists():
            return JsonResponse({"detail": LOCKED_MESSAGE}, status=403)
        return super().post(*args, **kwargs)


class AuthenticateComplete(webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        from .views import _complete_sign_in

        _complete_sign_in(self.request, device)
        record(
            EventType.MFA_VERIFIED,
            actor=Actor.from_request(self.request),
            target=self.request.user,
            summary="second factor accepted (passkey)",
            data={"device": device.persistent_id, "device_type": "passkey"},
        )
        return self.request.user

    def handle_exception(self, exc):
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            actor = Actor.from_request(self.request)
            record(
                EventType.MFA_FAILED,
                actor=actor,
                outcome=Outcome.REFUSED,
                target=user,
                summary="second factor refused (passkey)",
                data={"device_type": "passkey", "error": type(exc).__name__},
            )
            services.register_failure(actor=actor, officer=user, factor="passkey")
        return super().handle_exception(exc)


# Named as the library's templates and scripts expect (namespace otp_webauthn).
app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registration/begin/",
        RegisterBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        RegisterComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        AuthenticateBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        AuthenticateComplete.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
