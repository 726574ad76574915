"""REST endpoints for searching, behind the same gate as the browser."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import Actor

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
        request=SearchRequestSerializer, responses={201: SearchResultSerializer}
    )
    def post(self, request: Request) -> Response:
        """Runs a purpose-bound search; a refusal is audited and answered with 400."""
        serializer = SearchRequestSerializer(data=request.data)
        actor = Actor.from_request(request)
        if not serializer.is_valid():
            submitted = request.data if isinstance(request.data, dict) else {}
            refuse_search(
                actor=actor,
                submitted=dict(submitted),
                errors={k: [str(m) for m in v] for k, v in serializer.errors.items()},
            )
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            outcome = perform_search(
                actor=actor, criteria=serializer.validated_data["criteria"]
            )
        except NotPermitted as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        body = SearchResultSerializer(
            {
                "search": outcome.search,
                "truncated": outcome.truncated,
                "reads": outcome.reads,
                "legal_hold_case": outcome.legal_hold_case,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)
