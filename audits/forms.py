from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Officer
from queries.purposes import Purpose

from .events import EventType, Outcome


class AuditFilterForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=Officer.objects.all(), required=False, empty_label="Any account"
    )
    event_type = forms.ChoiceField(
        choices=[("", "Any event")] + list(EventType.choices), required=False
    )
    purpose = forms.ChoiceField(
        choices=[("", "Any purpose")] + [(p.value, p.short_label) for p in Purpose],
        required=False,
    )
    outcome = forms.ChoiceField(
        choices=[("", "Any outcome")] + list(Outcome.choices), required=False
    )
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    date_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filter(self, events):
        """Applies the filters; dates are days in the department's time zone."""
        data = self.cleaned_data
        if data.get("officer"):
            events = events.filter(actor=data["officer"])
        if data.get("event_type"):
            events = events.filter(event_type=data["event_type"])
        if data.get("purpose"):
            # Refused attempts keep what was submitted, so a filter by purpose
            # shows the refusals made in its name too.
            events = events.filter(
                Q(data__purpose=data["purpose"])
                | Q(data__submitted__purpose=data["purpose"])
            )
        if data.get("outcome"):
            events = events.filter(outcome=data["outcome"])
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            start = datetime.combine(data["date_from"], time.min, tzinfo=zone)
            events = events.filter(occurred_at__gte=start)
        if data.get("date_to"):
            end = datetime.combine(
                data["date_to"] + timedelta(days=1), time.min, tzinfo=zone
            )
            events = events.filter(occurred_at__lt=end)
        return events

    def as_audit_data(self) -> dict[str, str]:
        return {
            key: str(value.pk if hasattr(value, "pk") else value)
            for key, value in self.cleaned_data.items()
            if value not in (None, "")
        }
