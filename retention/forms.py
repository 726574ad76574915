"""Forms parse what the captain or records clerk typed; the rules are in
``retention.services``, which names the field that is wrong."""

from django import forms

from .models import HoldCoverage, LegalHold


class OpenHoldForm(forms.Form):
    case_number = forms.CharField(max_length=60, required=False)
    kind = forms.ChoiceField(choices=LegalHold.Kind.choices, required=False)
    reference = forms.CharField(
        max_length=300,
        required=False,
        help_text="Court docket, prosecutor's file or agency reference.",
    )


class ExtendHoldForm(forms.Form):
    method = forms.ChoiceField(choices=HoldCoverage.Method.choices)
    search_id = forms.IntegerField(required=False, min_value=1)
    plate = forms.CharField(max_length=64, required=False)
    window_start = forms.DateTimeField(required=False)
    window_end = forms.DateTimeField(required=False)


class ReleaseHoldForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[("", "—"), *LegalHold.ReleaseReason.choices], required=False
    )
    release_date = forms.DateField(required=False)
