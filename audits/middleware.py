from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .context import Actor, acting_as
from .events import EventType, Outcome
from .trail import record, refusals_recorded

# Routes that write nothing and must not read the session: the health page has to
# answer while the database, where sessions live, is down.
UNATTRIBUTED_PREFIXES = ("/health/", "/static/")


class AuditContextMiddleware:
    """Makes the signed-in person the actor of anything recorded during the request,
    including django-auditlog entries written by model signals, and records a page
    refused with 403 unless the view already recorded why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(UNATTRIBUTED_PREFIXES):
            return self.get_response(request)
        with acting_as(Actor.from_request(request)), refusals_recorded() as seen:
            request.audit_refusals = seen
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not isinstance(exception, PermissionDenied):
            return
        if getattr(request, "audit_refusals", None):
            return  # the view or its service recorded the refusal already
        reason = str(exception)
        record(
            EventType.PAGE_REFUSED,
            actor=Actor.from_request(request),
            outcome=Outcome.REFUSED,
            object_type="page",
            object_repr=request.path[:200],
            summary=f"{request.method} {request.path} refused: {reason}"[:300],
            data={
                "method": request.method,
                "path": request.path[:500],
                "reason": reason[:500],
            },
        )
