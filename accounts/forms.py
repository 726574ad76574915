from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record

from .models import AccountStatus, Officer, SuspensionKind, normalise_recovery_code
from .roles import Role
from .services import unknown_name_locked

LOCKED_MESSAGE = (
    "This account is locked after 5 failed attempts. An administrator must unlock it."
)


def inactive_message(officer: Officer) -> str:
    if officer.status == AccountStatus.PENDING:
        return (
            "This account is not active yet: it needs a current training certificate "
            "and the Captain's activation (§7.B)."
        )
    if officer.status == AccountStatus.SUSPENDED:
        if officer.suspension_kind == SuspensionKind.VIOLATION:
            return (
                "This account is suspended for a policy violation until the Chief "
                "of Police decides (§7.B.2)."
            )
        return (
            "This account is suspended because its ALPR training lapsed. Retrain, "
            "then ask an administrator to record the certificate."
        )
    if officer.status == AccountStatus.DISABLED:
        return "This account is disabled. Ask an administrator."
    return "This account is deactivated."


class SignInForm(AuthenticationForm):
    """Password sign-in, with the system-use notice acknowledged (CJIS AC-8)."""

    acknowledge = forms.BooleanField(
        required=True,
        label="I have read the notice above and will use the system only as it allows",
        error_messages={"required": "Acknowledge the system-use notice to sign in."},
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            officer = Officer.objects.filter(username=username).first()
            if officer is not None and officer.is_locked():
                # Not counted and not checked: a locked account answers the same
                # whether the password is right or wrong.
                self._refuse(officer, "locked", LOCKED_MESSAGE)
            if officer is None and unknown_name_locked(username):
                # A name no account has answers as a locked account does.
                self._refuse(None, "locked", LOCKED_MESSAGE, username=username)
        return super().clean()

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active:
            self._refuse(user, f"status {user.status}", inactive_message(user))

    def _refuse(
        self,
        officer: Officer | None,
        reason: str,
        message: str,
        *,
        username: str = "",
    ) -> None:
        username = officer.username if officer is not None else username[:150]
        record(
            EventType.LOGIN_FAILED,
            actor=Actor.from_request(self.request),
            outcome=Outcome.REFUSED,
            target=officer,
            object_type="" if officer is not None else "accounts.officer",
            object_repr="" if officer is not None else username,
            summary=f"sign-in refused: {reason}",
            data={"username": username, "reason": reason},
        )
        raise ValidationError(message, code="refused")


class TokenForm(forms.Form):
    """A six-digit authenticator code, or (at sign-in) a recovery code."""

    token = forms.CharField(
        label="Six-digit code from your authenticator",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, allow_recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_recovery = allow_recovery
        if allow_recovery:
            self.fields[
                "token"
            ].label = "Six-digit code from your authenticator (or a recovery code)"

    def clean_token(self) -> tuple[str, str]:
        value = self.cleaned_data["token"].strip().replace(" ", "")
        if value.isdigit() and len(value) == 6:
            return ("totp", value)
        if self.allow_recovery and len(normalise_recovery_code(value)) == 12:
            return ("recovery", value)
        raise ValidationError("Enter the six digits your authenticator shows.")


class NewAccountForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{2,150}$", max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    badge_number = forms.CharField(max_length=20, required=False)
    password = forms.CharField(
        label="Initial password (the officer must change it)",
        widget=forms.PasswordInput(render_value=False),
        strip=False,
    )


class CertificateForm(forms.Form):
    course = forms.CharField(
        max_length=200, initial="ALPR system and department policy"
    )
    completed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    issuer_reference = forms.CharField(
        max_length=100, label="Certificate id on the training platform"
    )
    file = forms.FileField(
        required=False, label="Scan of the certificate (PDF, PNG or JPEG)"
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SuspendForm(forms.Form):
    reference = forms.CharField(max_length=200, label="Finding reference")
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RestoreForm(forms.Form):
    decision = forms.CharField(
        max_length=1000,
        label="Review decision",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisableForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Threat found",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    password_compromised = forms.BooleanField(
        required=False, label="The password may be compromised: force a change"
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="New role")


class IncidentForm(forms.Form):
    incident = forms.CharField(max_length=200, label="Security incident reference")


class EmptyForm(forms.Form):
    pass
