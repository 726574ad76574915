"""The audit trail in the browser. Reading it is itself recorded."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from queries.models import Camera

from .context import Actor
from .events import EventType
from .forms import AuditFilterForm
from .models import AuditEvent
from .trail import record

PAGE_SIZE = 50


def trail(request: HttpRequest) -> HttpResponse:
    if not request.user.may_read_audit_trail():
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
        filters = {"invalid": request.GET.dict()}
    else:
        filters = {}
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    record(
        EventType.AUDIT_VIEWED,
        actor=Actor.from_request(request),
        object_type="audits.auditevent",
        summary=f"viewed audit trail page {page.number}",
        data={
            "filters": filters,
            "page": page.number,
            "seq_shown": [event.seq for event in page.object_list],
        },
    )
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
