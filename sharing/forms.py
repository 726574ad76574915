"""Browser forms. They parse what the browser sends and hand it to the rules
module (``sharing.rules``); no rule is written here."""

import re
from typing import Any

from django import forms
from django.utils import timezone

from queries.models import PlateRead, Search
from queries.purposes import Purpose

from . import rules
from .models import Dissemination, Organisation
from .rules import Basis, Ground, SharingRefused
from .services import ShareInput, share_draft

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def parse_id_list(raw: str) -> tuple[int, ...]:
    """'12, 13 14' -> (12, 13, 14); anything else is a clear error."""
    parts = [p for p in re.split(r"[\s,;]+", raw or "") if p]
    bad = [p for p in parts if not p.isdigit()]
    if bad:
        raise forms.ValidationError(
            f"Use whole numbers separated by commas; {', '.join(bad[:5])} is not one."
        )
    return tuple(int(p) for p in parts)


def apply_refusal(form: forms.Form, exc: SharingRefused) -> None:
    for name, messages in exc.errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class ShareRequestForm(forms.Form):
    recipient = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, empty_label="Choose"
    )
    ground = forms.TypedChoiceField(
        choices=[("", "Choose the §9.C ground")] + list(Ground.choices),
        coerce=int,
        required=False,
        empty_value=None,
    )
    basis = forms.ChoiceField(
        choices=[("", "Choose what it serves")] + list(Basis.choices), required=False
    )
    purpose = forms.ChoiceField(
        choices=[("", "—")] + list(Purpose.choices), required=False
    )
    case_number = forms.CharField(required=False, label="Case or incident number")
    proceeding_number = forms.CharField(
        required=False, label="Criminal proceeding (court case) number"
    )
    document_number = forms.CharField(required=False, label="Order or subpoena number")
    document_court = forms.CharField(required=False, label="Issuing court")
    document_date = forms.DateField(
        required=False,
        label="Date issued",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    document_file = forms.FileField(required=False, label="Copy of the document")
    sale = forms.BooleanField(
        required=False,
        label="Payment or anything of value is received in exchange",
        help_text="A share in exchange for anything of value is a sale: refused.",
    )
    alert_text = forms.CharField(
        required=False,
        label="Text to publish (ground 6)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    justification = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    search = forms.ModelChoiceField(
        queryset=Search.objects.none(), required=False, widget=forms.HiddenInput
    )
    read_ids = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    hotlist_entry_ids = forms.CharField(
        required=False, label="Hot-list entry ids", help_text="Comma-separated."
    )
    audit_seqs = forms.CharField(
        required=False,
        label="Audit record numbers",
        help_text="Comma-separated chain numbers (#). Auditors only.",
    )

    def __init__(self, *args, user, search: Search | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        searches = Search.objects.visible_to(user)
        self.fields["search"].queryset = searches
        chosen = search
        if self.is_bound and self.data.get("search"):
            chosen = searches.filter(pk=self.data.get("search")).first() or chosen
        self.chosen_search = chosen
        self.search_reads: list[PlateRead] = []
        if chosen is not None:
            self.initial.setdefault("search", chosen.pk)
            self.initial.setdefault("case_number", chosen.case_number)
            self.initial.setdefault("purpose", chosen.purpose)
            self.search_reads = list(
                PlateRead.objects.filter(id__in=chosen.read_ids)
                .select_related("camera")
                .order_by("-captured_at")
            )
        # Every read the search returned is a valid choice, including purged
        # ones: the service then refuses them with the reason.
        self.fields["read_ids"].choices = [
            (read_id, str(read_id)) for read_id in (chosen.read_ids if chosen else [])
        ]

    def clean_hotlist_entry_ids(self) -> tuple[int, ...]:
        return parse_id_list(self.cleaned_data.get("hotlist_entry_ids", ""))

    def clean_audit_seqs(self) -> tuple[int, ...]:
        return parse_id_list(self.cleaned_data.get("audit_seqs", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        share = ShareInput(
            recipient=data.get("recipient"),
            ground=data.get("ground"),
            basis=data.get("basis") or "",
            purpose=data.get("purpose") or "",
            case_number=data.get("case_number", ""),
            proceeding_number=data.get("proceeding_number", ""),
            document_number=data.get("document_number", ""),
            document_court=data.get("document_court", ""),
            document_date=data.get("document_date"),
            document_file=data.get("document_file"),
            sale=bool(data.get("sale")),
            alert_text=data.get("alert_text", ""),
            justification=data.get("justification", ""),
            search=data.get("search"),
            read_ids=tuple(data.get("read_ids") or ()),
            hotlist_entry_ids=data.get("hotlist_entry_ids") or (),
            audit_seqs=data.get("audit_seqs") or (),
        )
        data["share"] = share
        try:
            rules.check_share(share_draft(share, self.user), today=timezone.localdate())
        except SharingRefused as exc:
            self.refusal = exc
            apply_refusal(self, exc)
        return data

    def submitted(self) -> dict[str, Any]:
        """What was sent, for the audit record of a refusal (no file contents)."""
        values: dict[str, Any] = {}
        for name in self.fields:
            if name == "document_file":
                values[name] = bool(self.files.get(name))
            elif name == "read_ids":
                values[name] = self.data.getlist(name)
            else:
                values[name] = self.data.get(name, "")
        return values


class DecisionForm(forms.Form):
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note"
    )


class AcknowledgmentForm(forms.Form):
    signed_by = forms.CharField(required=False, label="Signed by (name, title)")
    signed_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    statement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=(
            "The receiving agency will use this data only for the purposes of "
            "policy §3, will not sell it, and will not share it with any database "
            "of another state, federal, private or commercial entity (§9)."
        ),
    )
    file = forms.FileField(required=False, label="Signed copy")


class DisseminateForm(forms.Form):
    method = forms.ChoiceField(
        choices=[
            c
            for c in Dissemination.Method.choices
            if c[0] != Dissemination.Method.VENDOR_ACCESS
        ]
    )
    received_by = forms.CharField(
        required=False, label="Received by (person, or channel for an alert)"
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "ori", "jurisdiction", "state", "kind", "notes"]
        # Field names read as words; the ORI is an acronym and wants a hint.
        labels = {"ori": "ORI", "state": "State (two letters)"}
        help_texts = {
            "ori": "Originating Agency Identifier, 9 characters (e.g. VA0000000)"
        }


class FoiaForm(forms.Form):
    requester = forms.CharField(required=False)
    received_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class VendorAccessForm(forms.Form):
    vendor = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.VENDOR),
        required=False,
    )
    basis = forms.ChoiceField(
        choices=[
            (Basis.MAINTENANCE.value, Basis.MAINTENANCE.label),
            (Basis.QUALITY_ASSURANCE.value, Basis.QUALITY_ASSURANCE.label),
            (Basis.OTHER.value, Basis.OTHER.label),
        ]
    )
    accessed_by = forms.CharField(required=False, label="Vendor engineer")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GrantForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False
    )
    expires_at = forms.DateTimeField(
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    justification = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SearchExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("pdf", "PDF")])
    purpose = forms.ChoiceField(
        choices=[("", "Choose the purpose")] + list(Purpose.choices), required=False
    )
    case_number = forms.CharField(required=False, label="Case or incident number")


class AuditExportForm(forms.Form):
    report = forms.CharField(required=False, label="Audit report")
    start = forms.DateTimeField(
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    end = forms.DateTimeField(
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
