"""REST serializers. Parsing only: the rules are ``sharing.rules``'s."""

from django.utils import timezone
from rest_framework import serializers

from queries.models import Search

from . import rules
from .models import Dissemination, Organisation, SharingRequest
from .rules import SharingRefused
from .services import ShareInput, share_draft


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "ori",
            "jurisdiction",
            "state",
            "kind",
            "needs_classification",
            "notes",
        ]
        read_only_fields = ["id", "needs_classification"]


class ShareRequestCreateSerializer(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    ground = serializers.IntegerField(
        required=False, allow_null=True, help_text="Policy §9.C ground, 1 to 6."
    )
    basis = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="purpose, discovery, court_order, subpoena, maintenance, "
        "quality_assurance, emergency, missing_person, trafficking or warrant.",
    )
    purpose = serializers.CharField(required=False, allow_blank=True, default="")
    case_number = serializers.CharField(required=False, allow_blank=True, default="")
    proceeding_number = serializers.CharField(
        required=False, allow_blank=True, default=""
    )
    document_number = serializers.CharField(
        required=False, allow_blank=True, default=""
    )
    document_court = serializers.CharField(required=False, allow_blank=True, default="")
    document_date = serializers.DateField(required=False, allow_null=True)
    document_file = serializers.FileField(required=False, allow_null=True)
    sale = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True when anything of value is received in exchange (refused).",
    )
    alert_text = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(required=False, allow_blank=True, default="")
    search = serializers.PrimaryKeyRelatedField(
        queryset=Search.objects.none(), required=False, allow_null=True
    )
    read_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    hotlist_entry_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    audit_seqs = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # The schema generator builds this without a request: no searches then.
        if request is not None:
            self.fields["search"].queryset = Search.objects.visible_to(request.user)

    def validate(self, attrs):
        share = ShareInput(
            recipient=attrs.get("recipient"),
            ground=attrs.get("ground"),
            basis=attrs.get("basis", ""),
            purpose=attrs.get("purpose", ""),
            case_number=attrs.get("case_number", ""),
            proceeding_number=attrs.get("proceeding_number", ""),
            document_number=attrs.get("document_number", ""),
            document_court=attrs.get("document_court", ""),
            document_date=attrs.get("document_date"),
            document_file=attrs.get("document_file"),
            sale=attrs.get("sale", False),
            alert_text=attrs.get("alert_text", ""),
            justification=attrs.get("justification", ""),
            search=attrs.get("search"),
            read_ids=tuple(attrs.get("read_ids", [])),
            hotlist_entry_ids=tuple(attrs.get("hotlist_entry_ids", [])),
            audit_seqs=tuple(attrs.get("audit_seqs", [])),
        )
        try:
            rules.check_share(
                share_draft(share, self.context["request"].user),
                today=timezone.localdate(),
            )
        except SharingRefused as exc:
            self.refusal = exc
            raise serializers.ValidationError(exc.errors) from exc
        attrs["share"] = share
        return attrs


class SharingRequestSerializer(serializers.ModelSerializer):
    recipient = OrganisationSerializer(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(
        source="decided_by.username", allow_null=True, default=None
    )
    acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = SharingRequest
        fields = [
            "id",
            "recipient",
            "ground",
            "basis",
            "purpose",
            "case_number",
            "proceeding_number",
            "document_number",
            "document_court",
            "document_date",
            "alert_text",
            "justification",
            "search",
            "read_copies",
            "hotlist_entry_ids",
            "audit_seqs",
            "requested_by",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "acknowledged",
        ]
        read_only_fields = fields

    def get_acknowledged(self, obj) -> bool:
        return hasattr(obj, "acknowledgment")


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AcknowledgmentSerializer(serializers.Serializer):
    signed_by = serializers.CharField(required=False, allow_blank=True, default="")
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)


class DisseminateSerializer(serializers.Serializer):
    method = serializers.CharField(required=False, allow_blank=True, default="")
    received_by = serializers.CharField(required=False, allow_blank=True, default="")


class DisseminationSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="recipient.name")
    sent_by = serializers.CharField(source="sent_by.username")

    class Meta:
        model = Dissemination
        fields = [
            "id",
            "request",
            "recipient",
            "ground",
            "method",
            "received_by",
            "sent_by",
            "sent_at",
            "contents",
            "description",
            "sha256",
            "size_bytes",
        ]
        read_only_fields = fields


class PackageSerializer(serializers.Serializer):
    dissemination = DisseminationSerializer()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    content_base64 = serializers.CharField()
