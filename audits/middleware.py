from django.http import HttpRequest, HttpResponse

from .context import Actor, acting_as


class AuditContextMiddleware:
    """Makes the signed-in person the actor of anything recorded during the request,
    including django-auditlog entries written by model signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(Actor.from_request(request)):
            return self.get_response(request)
