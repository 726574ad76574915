"""REST endpoints for sharing, behind the same gate and rules as the browser.

Objects a caller may not see answer 404. Decisions and dissemination need a fresh
second factor (``step_up_required`` answers 403 with a step-up link otherwise).
"""

import base64

from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.stepup import step_up_required
from audits.context import Actor
from audits.events import EventType

from . import permissions, services
from .models import Dissemination, Organisation, SharingRequest
from .rules import SharingRefused
from .serializers import (
    AcknowledgmentSerializer,
    DecisionSerializer,
    DisseminateSerializer,
    DisseminationSerializer,
    OrganisationSerializer,
    PackageSerializer,
    ShareRequestCreateSerializer,
    SharingRequestSerializer,
)


def _refused(exc: SharingRefused, code: int = status.HTTP_400_BAD_REQUEST):
    return Response({"errors": exc.errors, "rules": exc.codes}, status=code)


def _visible(request: Request, pk: int) -> SharingRequest:
    return get_object_or_404(
        SharingRequest.objects.visible_to(request.user).select_related(
            "recipient", "requested_by", "decided_by"
        ),
        pk=pk,
    )


class SharingRequestListCreate(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=SharingRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Requests the caller may see: their own, or all for the Captain,
        the Chief and records staff."""
        requests = (
            SharingRequest.objects.visible_to(request.user)
            .select_related("recipient", "requested_by", "decided_by")
            .order_by("-requested_at")[:200]
        )
        return Response(SharingRequestSerializer(requests, many=True).data)

    @extend_schema(
        request=ShareRequestCreateSerializer,
        responses={201: SharingRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        """Asks to share; a refusal is audited and answered 400 with the rules."""
        serializer = ShareRequestCreateSerializer(
            data=request.data, context={"request": request}
        )
        actor = Actor.from_request(request)
        if not serializer.is_valid():
            error = getattr(serializer, "refusal", None) or SharingRefused(
                {k: [str(m) for m in v] for k, v in serializer.errors.items()},
                ["input_invalid"],
            )
            submitted = {
                key: value
                for key, value in request.data.items()
                if key != "document_file"
            }
            services.refuse(
                EventType.SHARE_REFUSED, actor=actor, error=error, submitted=submitted
            )
            return _refused(error)
        try:
            made = services.request_share(
                actor=actor, data=serializer.validated_data["share"]
            )
        except SharingRefused as exc:
            return _refused(exc)
        return Response(
            SharingRequestSerializer(made).data, status=status.HTTP_201_CREATED
        )


class SharingRequestDetail(APIView):
    @extend_schema(responses=SharingRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SharingRequestSerializer(_visible(request, pk)).data)


def _decision(request: Request, pk: int, decide) -> Response:
    """The Captain's decision through ``decide`` (approve or decline)."""
    sharing_request = _visible(request, pk)
    body = DecisionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        done = decide(
            actor=Actor.from_request(request),
            sharing_request=sharing_request,
            note=body.validated_data["note"],
        )
    except SharingRefused as exc:
        return _refused(exc, status.HTTP_403_FORBIDDEN)
    return Response(SharingRequestSerializer(done).data)


@method_decorator(step_up_required, name="dispatch")
class SharingRequestApprove(APIView):
    @extend_schema(request=DecisionSerializer, responses=SharingRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """The Captain approves (never their own request)."""
        return _decision(request, pk, services.approve_share)


@method_decorator(step_up_required, name="dispatch")
class SharingRequestDecline(APIView):
    @extend_schema(request=DecisionSerializer, responses=SharingRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decision(request, pk, services.decline_share)


class SharingRequestAcknowledge(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=AcknowledgmentSerializer, responses={201: SharingRequestSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Records the receiving agency's written acknowledgment of §9."""
        sharing_request = _visible(request, pk)
        body = AcknowledgmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.record_acknowledgment(
                actor=Actor.from_request(request),
                sharing_request=sharing_request,
                **body.validated_data,
            )
        except SharingRefused as exc:
            return _refused(exc)
        sharing_request.refresh_from_db()
        return Response(
            SharingRequestSerializer(sharing_request).data,
            status=status.HTTP_201_CREATED,
        )


@method_decorator(step_up_required, name="dispatch")
class SharingRequestDisseminate(APIView):
    @extend_schema(request=DisseminateSerializer, responses={201: PackageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Builds what leaves, records it with its SHA-256, and returns it."""
        sharing_request = _visible(request, pk)
        body = DisseminateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            record, package = services.disseminate(
                actor=Actor.from_request(request),
                sharing_request=sharing_request,
                **body.validated_data,
            )
        except SharingRefused as exc:
            return _refused(exc)
        return Response(
            PackageSerializer(
                {
                    "dissemination": record,
                    "filename": package.filename,
                    "content_type": package.content_type,
                    "content_base64": base64.b64encode(package.content).decode(),
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


class OrganisationListCreate(APIView):
    @extend_schema(responses=OrganisationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The organisation registry."""
        return Response(
            OrganisationSerializer(
                Organisation.objects.order_by("name"), many=True
            ).data
        )

    @extend_schema(
        request=OrganisationSerializer, responses={201: OrganisationSerializer}
    )
    def post(self, request: Request) -> Response:
        """Registers an organisation (Captain, records or administrator)."""
        body = OrganisationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            made = services.register_organisation(
                actor=Actor.from_request(request), values=body.validated_data
            )
        except SharingRefused as exc:
            return _refused(exc, status.HTTP_403_FORBIDDEN)
        return Response(
            OrganisationSerializer(made).data, status=status.HTTP_201_CREATED
        )


class DisseminationList(APIView):
    @extend_schema(responses=DisseminationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The dissemination log, narrowed to what the caller may see."""
        records = (
            Dissemination.objects.visible_to(request.user)
            .select_related("recipient", "sent_by")
            .order_by("-sent_at")[:500]
        )
        return Response(DisseminationSerializer(records, many=True).data)


class PendingApprovals(APIView):
    @extend_schema(responses=SharingRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Requests awaiting the Captain's decision (Captain only)."""
        if not permissions.may_approve_share(request.user):
            return Response(
                {"detail": "Only the Captain decides on shares."},
                status=status.HTTP_403_FORBIDDEN,
            )
        pending = (
            SharingRequest.objects.pending()
            .select_related("recipient", "requested_by", "decided_by")
            .order_by("requested_at")
        )
        return Response(SharingRequestSerializer(pending, many=True).data)
