"""The audit trail in the browser. Reading it is itself recorded."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from queries.models import Camera

from .context import Actor
from .events import EventType, Outcome
from .forms import AuditFilterForm
from .models import AuditEvent
from .trail import AuditWriteError, record

PAGE_SIZE = 50


def trail(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if not request.user.may_read_audit_trail():
        # An attempt to look is itself worth knowing about.
        record(
            EventType.AUDIT_VIEWED,
            actor=actor,
            outcome=Outcome.REFUSED,
            object_type="audits.auditevent",
            summary="refused: this role does not read the audit trail",
        )
        raise PermissionDenied(
            "Only the Captain, the Chief and administrators read the audit trail."
        )
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-seq")
    if form.is_bound and form.is_valid():
        events = form.filter(events)
        filters = form.as_audit_data()
    elif form.is_bound:
        # Unfiltered records under a filter the Captain believes applied would
        # mislead; show the form's errors and nothing else.
        events = events.none()
        filters = {
            "invalid": {
                key[:50]: value[:200] for key, value in list(request.GET.items())[:20]
            }
        }
    else:
        filters = {}
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    try:
        _record_viewing(actor, page, filters)
    except AuditWriteError:
        # What cannot be recorded is not shown (the alarm is already up).
        return render(request, "audits/unavailable.html", status=503)
    params = request.GET.copy()
    params.pop("page", None)
    camera_ids = {
        camera_id
        for event in page.object_list
        for camera_id in (event.data or {}).get("camera_ids") or []
        if isinstance(camera_id, int)
    }
    cameras = dict(Camera.objects.filter(pk__in=camera_ids).values_list("pk", "name"))
    return render(
        request,
        "audits/trail.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "camera_names": cameras,
        },
    )


def _record_viewing(actor: Actor, page, filters: dict) -> None:
    record(
        EventType.AUDIT_VIEWED,
        actor=actor,
        object_type="audits.auditevent",
        summary=f"viewed audit trail page {page.number}",
        data={
            "filters": filters,
            "page": page.number,
            "seq_shown": [event.seq for event in page.object_list],
        },
    )
