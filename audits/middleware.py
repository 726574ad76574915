from django.http import HttpRequest, HttpResponse

from .context import Actor, acting_as

# Routes that write nothing and must not read the session: the health page has to
# answer while the database, where sessions live, is down.
UNATTRIBUTED_PREFIXES = ("/health/", "/static/")


class AuditContextMiddleware:
    """Makes the signed-in person the actor of anything recorded during the request,
    including django-auditlog entries written by model signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(UNATTRIBUTED_PREFIXES):
            return self.get_response(request)
        with acting_as(Actor.from_request(request)):
            return self.get_response(request)
