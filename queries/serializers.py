from django.utils import timezone
from rest_framework import serializers

from .criteria import CriteriaError, validate
from .models import PlateRead, Search
from .purposes import Purpose


class SearchRequestSerializer(serializers.Serializer):
    """A search request. Rules are ``criteria.validate``'s; see its messages."""

    purpose = serializers.CharField(
        required=False, allow_blank=True, help_text="Policy §3 purpose: A, B or C."
    )
    case_number = serializers.CharField(required=False, allow_blank=True, default="")
    offense_type = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    plate = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Plate, 40/64-hex hashed plate, or pattern with * and ?.",
    )
    window_start = serializers.DateTimeField(required=False, allow_null=True)
    window_end = serializers.DateTimeField(required=False, allow_null=True)
    cameras = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        # More cameras than a department has is a mistake, not a search.
        max_length=500,
    )

    def validate(self, attrs):
        try:
            attrs["criteria"] = validate(
                purpose=attrs.get("purpose"),
                case_number=attrs.get("case_number", ""),
                offense_type=attrs.get("offense_type", ""),
                justification=attrs.get("justification", ""),
                plate=attrs.get("plate", ""),
                window_start=attrs.get("window_start"),
                window_end=attrs.get("window_end"),
                camera_ids=attrs.get("cameras", []),
                now=timezone.now(),
            )
        except CriteriaError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return attrs


class ReadSerializer(serializers.ModelSerializer):
    camera = serializers.CharField(source="camera.name")
    location = serializers.CharField(source="camera.location")

    class Meta:
        model = PlateRead
        fields = [
            "id",
            "captured_at",
            "plate",
            "plate_hashed",
            "state",
            "camera",
            "location",
            "latitude",
            "longitude",
        ]


class SearchSerializer(serializers.ModelSerializer):
    purpose = serializers.ChoiceField(choices=Purpose.choices)

    class Meta:
        model = Search
        fields = [
            "id",
            "created_at",
            "purpose",
            "case_number",
            "offense_type",
            "justification",
            "plate_query",
            "kind",
            "window_start",
            "window_end",
            "camera_ids",
            "result_count",
        ]
        read_only_fields = fields


class SearchResultSerializer(serializers.Serializer):
    search = SearchSerializer()
    truncated = serializers.BooleanField()
    reads = ReadSerializer(many=True)
    # Non-empty when reads kept under that case's legal hold are included.
    legal_hold_case = serializers.CharField(default="")
