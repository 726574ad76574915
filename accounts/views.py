"""Sign-in: password, then the second factor (enrolled at first sign-in)."""

import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp_webauthn.models import WebAuthnCredential

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record

from . import services
from .forms import LOCKED_MESSAGE, SignInForm, TokenForm
from .middleware import ENDED_MESSAGE_KEY, LAST_ACTIVITY_KEY, STARTED_KEY
from .models import Officer, RecoveryCodeDevice, SealedTOTPDevice, TokenCheck
from .stepup import accepted_message, mark_verified

logger = logging.getLogger(__name__)

PENDING_DEVICE_KEY = "accounts.pending_totp_device"
WRONG_CODE = "That code is wrong or expired."
REPLAYED_CODE = "That code was already used. Wait for the next one."
USED_RECOVERY_CODE = "That recovery code was already used: each works once."


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _totp_device(user) -> SealedTOTPDevice | None:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["system_use_notice"] = settings.FLOCKGOV_SYSTEM_USE_NOTICE
        context["ended_message"] = self.request.session.pop(ENDED_MESSAGE_KEY, "")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        # Django's login() gave the session a new id; the session clocks start now.
        now = timezone.now().isoformat()
        self.request.session[STARTED_KEY] = now
        self.request.session[LAST_ACTIVITY_KEY] = now
        return response

    def get_success_url(self) -> str:
        target = (
            "accounts:verify" if _totp_device(self.request.user) else "accounts:enrol"
        )
        return f"{reverse(target)}?next={_next_url(self.request)}"


def _locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.error(request, LOCKED_MESSAGE)
    return redirect("accounts:login")


def verify(request: HttpRequest) -> HttpResponse:
    """Second factor for an account that already has an authenticator."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if request.user.is_locked():
        return _locked_out(request)
    device = _totp_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:enrol')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None, allow_recovery=True)
    if request.method == "POST" and form.is_valid():
        kind, token = form.cleaned_data["token"]
        if kind == "totp":
            result = _check_totp(device, token)
            if result is TokenCheck.ACCEPTED:
                return _second_factor_passed(request, device, EventType.MFA_VERIFIED)
            message = REPLAYED_CODE if result is TokenCheck.REPLAYED else WRONG_CODE
            _second_factor_refused(request, device, result)
        else:
            recovery = RecoveryCodeDevice.objects.filter(user=request.user).first()
            result = TokenCheck.WRONG
            if recovery is not None:
                result, _ = recovery.check_token(token)
                if result is TokenCheck.ACCEPTED and recovery.verify_token(token):
                    return _recovery_code_passed(request, recovery)
            message = (
                USED_RECOVERY_CODE if result is TokenCheck.REPLAYED else WRONG_CODE
            )
            _second_factor_refused(request, recovery or device, result)
        if Officer.objects.get(pk=request.user.pk).is_locked():
            return _locked_out(request)
        form.add_error("token", message)
    has_passkey = WebAuthnCredential.objects.filter(
        user=request.user, confirmed=True
    ).exists()
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _next_url(request), "has_passkey": has_passkey},
    )


def _check_totp(device: SealedTOTPDevice, token: str) -> TokenCheck:
    # The row lock makes "each code accepted once" hold under concurrent posts.
    with transaction.atomic():
        device = SealedTOTPDevice.objects.select_for_update().get(pk=device.pk)
        result = device.check_token(token)
        if result is TokenCheck.ACCEPTED:
            device.accept()
    return result


def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: create an authenticator seed, show its QR code, confirm."""
    if _totp_device(request.user) is not None:
        return redirect(f"{reverse('accounts:verify')}?next={_next_url(request)}")
    if request.user.is_locked():
        return _locked_out(request)
    try:
        services.check_enrolment(
            actor=Actor.from_request(request), officer=request.user
        )
    except services.AccountRuleError as exc:
        # A password alone does not let anyone bind their own authenticator.
        logout(request)
        messages.error(request, str(exc))
        return redirect("accounts:login")
    device = None
    pending_id = request.session.get(PENDING_DEVICE_KEY)
    if pending_id:
        device = SealedTOTPDevice.objects.filter(
            pk=pending_id, user=request.user, confirmed=False
        ).first()
    if device is None:
        device = SealedTOTPDevice.new_for(
            request.user, name="Authenticator app", confirmed=False
        )
        device.save()
        request.session[PENDING_DEVICE_KEY] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, token = form.cleaned_data["token"]
        result = _check_totp(device, token)
        if result is TokenCheck.ACCEPTED:
            request.session.pop(PENDING_DEVICE_KEY, None)
            services.enrol_totp(actor=Actor.from_request(request), device=device)
            return _second_factor_passed(request, device, EventType.MFA_VERIFIED)
        _second_factor_refused(request, device, result)
        if Officer.objects.get(pk=request.user.pk).is_locked():
            return _locked_out(request)
        form.add_error("token", "That code does not match. Try the newest code.")
    # The QR code is drawn here: the seed never leaves for an outside service.
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _base32_secret(device),
            "next": _next_url(request),
        },
    )


def _base32_secret(device: SealedTOTPDevice) -> str:
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _complete_sign_in(request: HttpRequest, device) -> None:
    otp_login(request, device)
    # A new session id once the second factor is passed, so an id seen before
    # this point is worthless afterwards.
    request.session.cycle_key()
    mark_verified(request)
    services.register_success(officer=request.user)
    services.start_live_session(
        actor=Actor.from_request(request),
        officer=request.user,
        session_key=request.session.session_key,
    )
    request.user.refresh_from_db()


def _second_factor_passed(
    request: HttpRequest, device: SealedTOTPDevice, event_type: EventType
) -> HttpResponse:
    _complete_sign_in(request, device)
    record(
        event_type,
        actor=Actor.from_request(request),
        target=request.user,
        summary="second factor accepted",
        data={"device": device.persistent_id},
    )
    return redirect(_next_url(request))


def _recovery_code_passed(
    request: HttpRequest, device: RecoveryCodeDevice
) -> HttpResponse:
    _complete_sign_in(request, device)
    left = device.remaining()
    record(
        EventType.RECOVERY_CODE_USED,
        actor=Actor.from_request(request),
        target=request.user,
        summary=f"signed in with a recovery code ({left} left)",
        data={"remaining": left},
    )
    messages.warning(
        request,
        f"You signed in with a recovery code; {left} left. Issue new ones from "
        "your account page if you are running low.",
    )
    return redirect(_next_url(request))


def _second_factor_refused(request: HttpRequest, device, result: TokenCheck) -> None:
    actor = Actor.from_request(request)
    record(
        EventType.MFA_FAILED,
        actor=actor,
        outcome=Outcome.REFUSED,
        target=request.user,
        summary=f"second factor refused ({result.value})",
        data={
            "device": device.persistent_id if device else "",
            "result": result.value,
        },
    )
    services.register_failure(actor=actor, officer=request.user, factor="otp")


def step_up(request: HttpRequest) -> HttpResponse:
    """A fresh code before a sensitive action (see ``accounts.stepup``)."""
    device = _totp_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:enrol')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, token = form.cleaned_data["token"]
        result = _check_totp(device, token)
        if result is TokenCheck.ACCEPTED:
            mark_verified(request)
            record(
                EventType.MFA_VERIFIED,
                actor=Actor.from_request(request),
                target=request.user,
                summary="step-up code accepted",
                data={"device": device.persistent_id, "step_up": True},
            )
            message = accepted_message(request, _next_url(request))
            if message:
                messages.info(request, message)
            return redirect(_next_url(request))
        _second_factor_refused(request, device, result)
        if Officer.objects.get(pk=request.user.pk).is_locked():
            return _locked_out(request)
        form.add_error(
            "token", REPLAYED_CODE if result is TokenCheck.REPLAYED else WRONG_CODE
        )
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _next_url(request), "step_up": True},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.forget_live_session(
            officer=request.user, session_key=request.session.session_key or ""
        )
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")
