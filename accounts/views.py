"""Sign-in: password, then the second factor (enrolled at first sign-in)."""

import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record

from .forms import SignInForm, TokenForm
from .stepup import mark_verified

logger = logging.getLogger(__name__)

PENDING_DEVICE_KEY = "accounts.pending_totp_device"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("queries:search")


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["system_use_notice"] = settings.FLOCKGOV_SYSTEM_USE_NOTICE
        return context

    def get_success_url(self) -> str:
        has_device = TOTPDevice.objects.filter(
            user=self.request.user, confirmed=True
        ).exists()
        target = "accounts:verify" if has_device else "accounts:enrol"
        return f"{reverse(target)}?next={_next_url(self.request)}"


def verify(request: HttpRequest) -> HttpResponse:
    """Second factor for an account that already has a TOTP device."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('accounts:enrol')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            return _second_factor_passed(request, device, EventType.MFA_VERIFIED)
        _second_factor_refused(request, device)
        form.add_error("token", "That code is wrong, expired or was already used.")
    return render(
        request, "accounts/verify.html", {"form": form, "next": _next_url(request)}
    )


def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: create a TOTP device, show its QR code, confirm one code."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('accounts:verify')}?next={_next_url(request)}")
    device = None
    pending_id = request.session.get(PENDING_DEVICE_KEY)
    if pending_id:
        device = TOTPDevice.objects.filter(
            pk=pending_id, user=request.user, confirmed=False
        ).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
        request.session[PENDING_DEVICE_KEY] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop(PENDING_DEVICE_KEY, None)
            return _second_factor_passed(request, device, EventType.MFA_ENROLLED)
        _second_factor_refused(request, device)
        form.add_error("token", "That code does not match. Try the newest code.")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = _base32_secret(device)
    return render(
        request,
        "accounts/enrol.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _next_url(request)},
    )


def _base32_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _second_factor_passed(
    request: HttpRequest, device: TOTPDevice, event_type: EventType
) -> HttpResponse:
    otp_login(request, device)
    # A new session id once the second factor is passed, so an id seen before
    # this point is worthless afterwards.
    request.session.cycle_key()
    mark_verified(request)
    record(
        event_type,
        actor=Actor.from_request(request),
        target=request.user,
        summary="second factor accepted",
        data={"device": device.persistent_id},
    )
    return redirect(_next_url(request))


def _second_factor_refused(request: HttpRequest, device: TOTPDevice) -> None:
    record(
        EventType.MFA_FAILED,
        actor=Actor.from_request(request),
        outcome=Outcome.REFUSED,
        target=request.user,
        summary="second factor refused",
        data={"device": device.persistent_id},
    )


def step_up(request: HttpRequest) -> HttpResponse:
    """A fresh code before a sensitive action (see ``accounts.stepup``)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('accounts:enrol')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            mark_verified(request)
            record(
                EventType.MFA_VERIFIED,
                actor=Actor.from_request(request),
                target=request.user,
                summary="step-up code accepted",
                data={"device": device.persistent_id, "step_up": True},
            )
            return redirect(_next_url(request))
        _second_factor_refused(request, device)
        form.add_error("token", "That code is wrong, expired or was already used.")
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _next_url(request), "step_up": True},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")
