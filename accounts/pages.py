"""Account pages: each officer's own page, and the pages that manage accounts.

Every change is a POST to ``account_action`` behind a fresh second factor
(step-up); the service it calls checks who may do it and audits the act or its
refusal. Accounts a person may not see answer 404.
"""

import csv
import logging

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp_webauthn.models import WebAuthnCredential

from audits.context import Actor
from audits.events import EventType
from audits.trail import record
from flockgov.spreadsheets import formula_safe

from . import forms, rules, services
from .models import (
    AccountStatus,
    Officer,
    RecoveryCodeDevice,
    SealedTOTPDevice,
    TrainingCertificate,
)
from .stepup import step_up_required

logger = logging.getLogger(__name__)


def _visible(request: HttpRequest, pk: int) -> Officer:
    return get_object_or_404(Officer.objects.visible_to(request.user), pk=pk)


def me(request: HttpRequest) -> HttpResponse:
    return account_detail(request, request.user.pk)


def account_list(request: HttpRequest) -> HttpResponse:
    if not request.user.may_manage_accounts():
        raise PermissionDenied("Only the Captain, the Chief and administrators.")
    status = request.GET.get("status", "")
    accounts = Officer.objects.visible_to(request.user).order_by("username")
    if status in AccountStatus.values:
        accounts = accounts.filter(status=status)
    return render(
        request,
        "accounts/account_list.html",
        {"accounts": accounts, "statuses": AccountStatus.choices, "status": status},
    )


def account_new(request: HttpRequest) -> HttpResponse:
    if rules.create_problem(request.user):
        raise PermissionDenied("Only an administrator creates accounts.")
    form = forms.NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            officer = services.create_account(
                actor=Actor.from_request(request),
                account=services.NewAccount(
                    username=data["username"],
                    role=data["role"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    badge_number=data["badge_number"],
                ),
                password=data["password"],
            )
        except services.AccountRuleError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"Account {officer.username} created.")
            return redirect("accounts:detail", pk=officer.pk)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/account_new.html", {"form": form}, status=status)


ACTION_FORMS = {
    "certificate": forms.CertificateForm,
    "prepare": forms.EmptyForm,
    "activate": forms.OptionalReasonForm,
    "deactivate": forms.ReasonForm,
    "suspend": forms.SuspendForm,
    "restore": forms.RestoreForm,
    "disable": forms.DisableForm,
    "unlock": forms.EmptyForm,
    "reset-password": forms.EmptyForm,
    "retraining": forms.IncidentForm,
    "role": forms.RoleForm,
}


def _actions_for(user: Officer, officer: Officer) -> dict[str, object]:
    """The action forms this person may use on this account (empty for oneself)."""
    if user.pk == officer.pk:
        return {}
    today = timezone.localdate()
    wanted = {
        "certificate": rules.certificate_problem(user, officer) is None,
        "prepare": rules.prepare_problem(user, officer) is None,
        "activate": user.role == "captain" and officer.status != AccountStatus.ACTIVE,
        "deactivate": rules.deactivation_problem(user, officer) is None,
        "suspend": rules.suspension_problem(user, officer, "x") is None,
        "restore": rules.restoration_problem(user, officer, "x", today) is None,
        "disable": rules.disable_problem(user, officer, "x") is None,
        "unlock": user.role == "admin" and officer.is_locked(),
        "reset-password": user.role == "admin",
        "retraining": rules.incident_problem(user, officer, "x") is None,
        "role": rules.admin_only_problem(user, officer, "changes roles") is None,
    }
    return {name: ACTION_FORMS[name]() for name, ok in wanted.items() if ok}


def account_detail(request: HttpRequest, pk: int, **extra) -> HttpResponse:
    officer = _visible(request, pk)
    context = {
        "officer": officer,
        "certificates": officer.certificates.all(),
        "current_certificate": officer.current_certificate(),
        "totp_devices": SealedTOTPDevice.objects.filter(user=officer, confirmed=True),
        "recovery": RecoveryCodeDevice.objects.filter(user=officer).first(),
        "passkeys": WebAuthnCredential.objects.filter(user=officer, confirmed=True),
        "actions": _actions_for(request.user, officer),
        "is_self": officer.pk == request.user.pk,
        "notices": (
            officer.notices.all()[:20] if officer.pk == request.user.pk else []
        ),
        **extra,
    }
    status = 400 if extra.get("failed") else 200
    return render(request, "accounts/account_detail.html", context, status=status)


@require_POST
@step_up_required(action="change the account")
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    officer = _visible(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404("No such action.")
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return account_detail(request, pk, failed=action, failed_form=form)
    actor = Actor.from_request(request)
    data = form.cleaned_data
    temporary = None
    try:
        if action == "certificate":
            services.record_certificate(
                actor=actor,
                officer=officer,
                course=data["course"],
                completed_on=data["completed_on"],
                issuer_reference=data["issuer_reference"],
                upload=data.get("file"),
            )
        elif action == "prepare":
            services.prepare_activation(actor=actor, officer=officer)
        elif action == "activate":
            services.activate(actor=actor, officer=officer, reason=data["reason"])
        elif action == "deactivate":
            services.deactivate(actor=actor, officer=officer, reason=data["reason"])
        elif action == "suspend":
            services.suspend_for_violation(
                actor=actor,
                officer=officer,
                reference=data["reference"],
                reason=data["reason"],
            )
        elif action == "restore":
            services.restore(actor=actor, officer=officer, decision=data["decision"])
        elif action == "disable":
            services.emergency_disable(
                actor=actor,
                officer=officer,
                reason=data["reason"],
                password_compromised=data["password_compromised"],
            )
        elif action == "unlock":
            services.unlock(actor=actor, officer=officer)
        elif action == "reset-password":
            temporary = services.reset_password(actor=actor, officer=officer)
        elif action == "role":
            services.change_role(actor=actor, officer=officer, role=data["role"])
        elif action == "retraining":
            services.require_retraining(
                actor=actor, officer=officer, incident=data["incident"]
            )
    except services.AccountRuleError as exc:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc))
        else:
            form.add_error(None, str(exc))
        return account_detail(request, pk, failed=action, failed_form=form)
    if temporary:
        # Shown once, to the administrator, on this response only.
        return account_detail(request, pk, temporary_password=temporary)
    messages.success(request, f"Done: {action.replace('-', ' ')}.")
    return redirect("accounts:detail", pk=officer.pk)


def certificate_file(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        TrainingCertificate.objects.filter(
            officer__in=Officer.objects.visible_to(request.user)
        ).exclude(file=""),
        pk=pk,
    )
    # Read whole (uploads are capped at FLOCKGOV_CERTIFICATE_MAX_BYTES), so no
    # file handle outlives the request.
    with certificate.file.storage.open(certificate.file.name, "rb") as handle:
        content = handle.read()
    response = HttpResponse(
        content,
        content_type=certificate.file_content_type or "application/octet-stream",
    )
    extension = certificate.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.pk}.{extension}"'
    )
    return response


@require_POST
@step_up_required(action="make new recovery codes")
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = services.issue_recovery_codes(
        actor=Actor.from_request(request), officer=request.user
    )
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                actor=Actor.from_request(request),
                officer=request.user,
                new_password=form.cleaned_data["new_password1"],
            )
        except services.AccountRuleError as exc:
            form.add_error("new_password1", str(exc))
        else:
            old_key = request.session.session_key
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)
            services.rekey_live_session(
                officer=request.user,
                old_key=old_key,
                new_key=request.session.session_key,
            )
            messages.success(request, "Your password was changed.")
            return redirect("home")
    reason = ""
    if request.user.must_change_password:
        reason = "Choose a new password before you continue."
    elif request.user.password_is_stale():
        reason = "Your password is a year old: choose a new one before you continue."
    return render(request, "accounts/password.html", {"form": form, "reason": reason})


REVIEW_COLUMNS = [
    "username",
    "name",
    "role",
    "badge_number",
    "status",
    "certificate_expires_on",
    "last_login",
    "mfa_devices",
    "recovery_codes_left",
    "locked",
]


def _review_rows():
    accounts = Officer.objects.annotate(
        certificate_expires_on=Max("certificates__expires_on"),
    ).order_by("username")
    totp = dict(
        SealedTOTPDevice.objects.filter(confirmed=True)
        .values_list("user_id")
        .annotate(n=Count("id"))
    )
    passkeys = dict(
        WebAuthnCredential.objects.filter(confirmed=True)
        .values_list("user_id")
        .annotate(n=Count("id"))
    )
    recovery = dict(
        RecoveryCodeDevice.objects.values_list("user_id").annotate(
            n=Count("codes", filter=Q(codes__used_at=None))
        )
    )
    for officer in accounts:
        yield {
            "username": officer.username,
            "name": officer.get_full_name(),
            "role": officer.get_role_display(),
            "badge_number": officer.badge_number or "",
            "status": officer.get_status_display(),
            "certificate_expires_on": officer.certificate_expires_on or "",
            "last_login": (
                timezone.localtime(officer.last_login).strftime("%Y-%m-%d %H:%M")
                if officer.last_login
                else ""
            ),
            "mfa_devices": "; ".join(
                f"{label} x{counts[officer.pk]}"
                for label, counts in (
                    ("authenticator app", totp),
                    ("passkey", passkeys),
                )
                if counts.get(officer.pk)
            )
            or "none",
            "recovery_codes_left": recovery.get(officer.pk, 0),
            "locked": "yes" if officer.locked_at else "no",
        }


def account_review(request: HttpRequest) -> HttpResponse:
    """The yearly account review (CJIS AC-2 j) for the Captain, as page or CSV."""
    if rules.review_problem(request.user):
        raise PermissionDenied(rules.review_problem(request.user))
    rows = list(_review_rows())
    as_csv = request.GET.get("format") == "csv"
    record(
        EventType.ACCOUNT_REVIEW_VIEWED,
        actor=Actor.from_request(request),
        object_type="accounts.officer",
        summary=f"account review ({'CSV' if as_csv else 'page'}): {len(rows)} accounts",
        data={"format": "csv" if as_csv else "html", "accounts": len(rows)},
    )
    if as_csv:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="account-review-{stamp}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(REVIEW_COLUMNS)
        for row in rows:
            writer.writerow([formula_safe(row[column]) for column in REVIEW_COLUMNS])
        return response
    return render(
        request,
        "accounts/review.html",
        {"rows": rows, "columns": REVIEW_COLUMNS},
    )
