from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Password sign-in, with the system-use notice acknowledged (CJIS AC-8)."""

    acknowledge = forms.BooleanField(
        required=True,
        label="I have read the notice above and will use the system only as it allows",
        error_messages={"required": "Acknowledge the system-use notice to sign in."},
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        label="Six-digit code from your authenticator",
        error_messages={"invalid": "Enter the six digits your authenticator shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )
