"""REST endpoints for searching, behind the same gate as the browser."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import Actor
from audits.trail import AuditWriteError

from .models import Search
from .serializers import (
    SearchRequestSerializer,
    SearchResultSerializer,
    SearchSerializer,
)
from .services import NotPermitted, perform_search, refuse_search


class SearchListCreate(APIView):
    @extend_schema(responses=SearchSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The caller's own searches, newest first (criteria only, no reads)."""
        searches = Search.objects.filter(officer=request.user).order_by("-created_at")[
            :200
        ]
        return Response(SearchSerializer(searches, many=True).data)

    @extend_schema(
        request=SearchRequestSerializer,
        responses={
            201: SearchResultSerializer,
            400: OpenApiResponse(
                description="Refused: field name to messages; the refusal is audited."
            ),
            403: OpenApiResponse(description="This account may not search plates."),
            503: OpenApiResponse(
                description="Not carried out: its audit record could not be written."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Runs a purpose-bound search; a refusal is audited and answered with 400."""
        serializer = SearchRequestSerializer(data=request.data)
        actor = Actor.from_request(request)
        try:
            if not request.user.may_search():
                message = "This account may not search plates."
                refuse_search(
                    actor=actor,
                    submitted=_submitted(request, serializer),
                    errors={"__all__": [message]},
                )
                return Response({"detail": message}, status=status.HTTP_403_FORBIDDEN)
            if not serializer.is_valid():
                refuse_search(
                    actor=actor,
                    submitted=_submitted(request, serializer),
                    errors={
                        k: [str(m) for m in v] for k, v in serializer.errors.items()
                    },
                )
                return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
            outcome = perform_search(
                actor=actor, criteria=serializer.validated_data["criteria"]
            )
        except NotPermitted as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except AuditWriteError:
            # No result may leave without its audit record (the alarm is already up).
            return Response(
                {
                    "detail": "The search was not carried out: its audit record "
                    "could not be written. Administrators have been alerted."
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        body = SearchResultSerializer(
            {
                "search": outcome.search,
                "truncated": outcome.truncated,
                "reads": outcome.reads,
                "legal_hold_case": outcome.legal_hold_case,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


def _submitted(request: Request, serializer: SearchRequestSerializer) -> dict:
    """The fields of the request the serializer knows, for the refusal's record.

    Unknown keys are left out: a caller cannot fill the audit trail with whatever
    it posts. ``refuse_search`` bounds each value's size.
    """
    data = request.data
    if not hasattr(data, "get"):
        return {"body": f"not an object ({type(data).__name__})"}
    submitted = {}
    for name in serializer.fields:
        if name not in data:
            continue
        if name == "cameras" and hasattr(data, "getlist"):
            submitted[name] = data.getlist(name)
        else:
            submitted[name] = data.get(name)
    return submitted
