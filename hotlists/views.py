"""Hot-list pages (lists, entries with time left, re-verify, history) and the
alert pages (a polled feed, the alert, its disposition and the stop record)."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent
from audits.trail import record
from queries.purposes import Purpose

from . import services
from .models import Alert, Category, Disposition, HotList, HotListEntry, Stop
from .rules import RuleError

ENTRY_PAGE_SIZE = 100
FEED_SIZE = 50


def officer_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hot lists and alerts are for the roles that act on them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.may_search():
            raise PermissionDenied("Hot lists and alerts are for sworn officers.")
        return view(request, *args, **kwargs)

    return wrapper


def _visible_list(request: HttpRequest, pk: int) -> HotList:
    return get_object_or_404(HotList.objects.visible_to(request.user), pk=pk)


def _visible_entry(request: HttpRequest, pk: int) -> HotListEntry:
    return get_object_or_404(
        HotListEntry.objects.select_related("hotlist", "entered_by").filter(
            hotlist__in=HotList.objects.visible_to(request.user)
        ),
        pk=pk,
    )


def _visible_alert(request: HttpRequest, pk: int) -> Alert:
    return get_object_or_404(
        Alert.objects.visible_to(request.user).select_related(
            "hotlist", "entry", "camera"
        ),
        pk=pk,
    )


@officer_only
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    lists = HotList.objects.visible_to(request.user).annotate(
        live=Count(
            "entries",
            filter=Q(entries__removed_at__isnull=True)
            & (Q(entries__expires_at__isnull=True) | Q(entries__expires_at__gt=now)),
        )
    )
    return render(
        request,
        "hotlists/index.html",
        {"lists": lists, "now": now, "audiences": HotList.Audience.choices},
    )


@officer_only
@require_POST
def create_list(request: HttpRequest) -> HttpResponse:
    try:
        hotlist = services.create_hotlist(
            actor=Actor.from_request(request),
            name=request.POST.get("name", ""),
            audience=request.POST.get("audience") or HotList.Audience.OWNER,
            owner=request.user,
            description=request.POST.get("description", "")[:200],
        )
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("hotlists:index")
    return redirect("hotlists:detail", pk=hotlist.pk)


def _detail_context(request: HttpRequest, hotlist: HotList, **extra) -> dict:
    now = timezone.now()
    entries = hotlist.entries.select_related("entered_by", "verified_by").filter(
        removed_at__isnull=True
    )
    plate = request.GET.get("plate", "").strip().upper()
    if plate:
        entries = entries.filter(plate__startswith=plate)
    if hotlist.source == HotList.Source.NCIC:
        entries = entries.order_by("plate", "id")
    else:
        entries = entries.order_by("expires_at", "id")
    page = Paginator(entries, ENTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "hotlist": hotlist,
        "page": page,
        "now": now,
        "plate": plate,
        "may_add": services.may_add_entries(request.user, hotlist),
        "categories": Category.choices,
        "purposes": Purpose.choices,
        "stale": hotlist.is_stale(now),
        "query": urlencode({"plate": plate}) if plate else "",
        "max_hours": settings.FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS,
        **extra,
    }


@officer_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    hotlist = _visible_list(request, pk)
    return render(request, "hotlists/detail.html", _detail_context(request, hotlist))


@officer_only
@require_POST
def add_entry(request: HttpRequest, pk: int) -> HttpResponse:
    hotlist = _visible_list(request, pk)
    data = {key: request.POST.get(key, "") for key in request.POST}
    try:
        services.add_entry(
            actor=Actor.from_request(request), hotlist=hotlist, data=data
        )
    except RuleError as exc:
        context = _detail_context(request, hotlist, errors=exc.errors, submitted=data)
        return render(request, "hotlists/detail.html", context, status=400)
    except services.NotPermitted as exc:
        messages.error(request, str(exc))
        return redirect("hotlists:detail", pk=hotlist.pk)
    messages.success(request, "Entry added.")
    return redirect("hotlists:detail", pk=hotlist.pk)


@officer_only
@require_POST
def reverify(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible_entry(request, pk)
    try:
        services.reverify_entry(actor=Actor.from_request(request), entry=entry)
    except services.NotPermitted as exc:
        messages.error(request, str(exc))
        return redirect("hotlists:detail", pk=entry.hotlist_id)
    messages.success(request, f"{entry.plate} re-verified.")
    return redirect("hotlists:detail", pk=entry.hotlist_id)


@officer_only
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible_entry(request, pk)
    try:
        services.remove_entry(
            actor=Actor.from_request(request),
            entry=entry,
            reason=request.POST.get("reason", ""),
        )
    except services.NotPermitted as exc:
        messages.error(request, str(exc))
    return redirect("hotlists:detail", pk=entry.hotlist_id)


@officer_only
def history(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible_entry(request, pk)
    events = list(
        AuditEvent.objects.filter(
            object_type="hotlists.hotlistentry", object_id=str(entry.pk)
        ).order_by("seq")
    )
    # Reading the audit trail is itself audited.
    record(
        EventType.AUDIT_VIEWED,
        actor=Actor.from_request(request),
        target=entry,
        summary=f"viewed the history of hot-list entry {entry.pk}",
        data={"events": len(events)},
    )
    alerts = entry.alerts.select_related("disposition").order_by("-created_at")[:50]
    return render(
        request,
        "hotlists/history.html",
        {"entry": entry, "events": events, "alerts": alerts},
    )


@officer_only
def alerts(request: HttpRequest) -> HttpResponse:
    return render(request, "hotlists/alerts.html", _feed_context(request))


def _feed_context(request: HttpRequest) -> dict:
    visible = Alert.objects.visible_to(request.user).select_related("hotlist")
    return {
        # Alerts from old reads (historical imports) never page as live.
        "open_alerts": list(visible.open().live()[:FEED_SIZE]),
        "recent": list(
            visible.filter(disposition__isnull=False).select_related(
                "disposition", "disposition__officer"
            )[:20]
        ),
    }


@officer_only
def alert_feed(request: HttpRequest) -> HttpResponse:
    """The fragment htmx polls every few seconds."""
    return render(request, "hotlists/_alert_feed.html", _feed_context(request))


def _alert_context(alert: Alert, **extra) -> dict:
    disposition = Disposition.objects.filter(alert=alert).first()
    return {
        "alert": alert,
        "entry": alert.entry,
        "disposition": disposition,
        "stop": Stop.objects.filter(alert=alert).first(),
        "outcomes": Disposition.Outcome.choices,
        "results": Stop.Result.choices,
        **extra,
    }


@officer_only
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    record(
        EventType.ALERT_VIEWED,
        actor=Actor.from_request(request),
        target=alert,
        summary=f"viewed alert {alert.pk}",
    )
    return render(request, "hotlists/alert.html", _alert_context(alert))


def _alert_for_action(pk: int) -> Alert:
    """The alert, or 404 when it does not exist. One the officer may not see goes
    on to the service, which audits the refused attempt; the view then answers
    404 as well, so existence does not leak."""
    found = Alert.objects.select_related("hotlist", "entry", "camera").filter(pk=pk)
    alert = found.first()
    if alert is None:
        raise Http404("No such alert.")
    return alert


def _act_on_alert(
    request: HttpRequest, pk: int, act, *, errors_key: str, done: str
) -> HttpResponse:
    """Posts the form to ``act`` (a service taking actor, alert and data): the
    form again with its errors (400), the refusal as a message, or ``done``."""
    alert = _alert_for_action(pk)
    data = {key: request.POST.get(key, "") for key in request.POST}
    try:
        act(actor=Actor.from_request(request), alert=alert, data=data)
    except RuleError as exc:
        context = _alert_context(alert, submitted=data, **{errors_key: exc.errors})
        return render(request, "hotlists/alert.html", context, status=400)
    except services.NotPermitted as exc:
        if not alert.may_be_seen_by(request.user):
            raise Http404("No such alert.") from None
        messages.error(request, str(exc))
        return redirect("hotlists:alert", pk=alert.pk)
    messages.success(request, done)
    return redirect("hotlists:alert", pk=alert.pk)


@officer_only
@require_POST
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_alert(
        request,
        pk,
        services.record_disposition,
        errors_key="errors",
        done="Disposition recorded.",
    )


@officer_only
@require_POST
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_alert(
        request,
        pk,
        services.record_stop,
        errors_key="stop_errors",
        done="Stop recorded.",
    )
