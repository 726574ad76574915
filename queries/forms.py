from django import forms
from django.conf import settings
from django.utils import timezone

from .criteria import CriteriaError, validate
from .models import Camera, OffenseType
from .purposes import Purpose

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Browsers send seconds when the value has them; both mean department time.
WINDOW_INPUT_FORMATS = [
    DATETIME_LOCAL,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
]


class SearchForm(forms.Form):
    """Browser search form. Every rule lives in ``criteria.validate``; the fields
    here only parse what the browser sends, so all of them are optional at this
    level and the officer sees the rule's own message."""

    # A plain field with a select widget, like the offense type: an unknown value
    # reaches ``validate`` and gets the rule's own message.
    purpose = forms.CharField(
        required=False,
        widget=forms.Select(
            choices=[("", "Choose the purpose")] + list(Purpose.choices)
        ),
    )
    case_number = forms.CharField(required=False, label="Case or incident number")
    # A plain field with a select widget: unknown values reach ``validate``, which
    # names them in its own message.
    offense_type = forms.CharField(required=False, widget=forms.Select())
    justification = forms.CharField(
        required=False,
        # The browser stops at the limit; ``validate`` still checks it.
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": settings.FLOCKGOV_JUSTIFICATION_MAX_LENGTH}
        ),
        help_text="Why this search serves the purpose you chose.",
    )
    plate = forms.CharField(
        required=False,
        label="Plate or pattern",
        help_text="* matches any run of characters, ? one character; at least three "
        "letters or digits.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    window_start = forms.DateTimeField(
        required=False,
        input_formats=WINDOW_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
        label="From",
    )
    window_end = forms.DateTimeField(
        required=False,
        input_formats=WINDOW_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
        label="To",
    )
    cameras = forms.ModelMultipleChoiceField(
        queryset=Camera.objects.all(),
        required=False,
        help_text="None chosen: all cameras.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = OffenseType.objects.filter(active=True).values_list("name", flat=True)
        self.fields["offense_type"].widget.choices = [
            ("", "Choose the offense type")
        ] + [(name, name) for name in names]

    def clean(self):
        data = super().clean()
        # Fields that failed to parse (a malformed date) already carry their own
        # error; every other rule is still checked, so the officer sees all of
        # what to correct at once.
        try:
            data["criteria"] = validate(
                purpose=data.get("purpose"),
                case_number=data.get("case_number", ""),
                offense_type=data.get("offense_type", ""),
                justification=data.get("justification", ""),
                plate=data.get("plate", ""),
                window_start=data.get("window_start"),
                window_end=data.get("window_end"),
                camera_ids=[camera.pk for camera in data.get("cameras") or []],
                now=timezone.now(),
            )
        except CriteriaError as exc:
            for name, messages in exc.errors.items():
                if name in self.errors:
                    continue
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data

    def submitted(self) -> dict[str, object]:
        """What the officer sent, for the audit record of a refusal."""
        return {
            name: (
                self.data.getlist(name)
                if name == "cameras"
                else self.data.get(name, "")
            )
            for name in self.fields
        }
