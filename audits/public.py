"""The public transparency page: no login, no plates, no names.

Figures come from the aggregate counters (reads per camera per day, hits per list
per day), because reads themselves live only 21 days, and from the audit's own
records (searches by purpose, findings and their outcomes).
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from queries.models import Camera, Search
from queries.purposes import Purpose

from . import activity
from .models import AuditPeriod, DailyCount, Finding

WINDOW_DAYS = 30
CACHE_SECONDS = 300

# Recipients of shared data: functions of (start, end) returning
# [(organisation name, kind, count)]; no personal data (see activity.UNNAMED_KINDS).
SHARING_RECIPIENTS = [activity.sharing_recipients]


def figures(*, now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    since_day = today - timedelta(days=WINDOW_DAYS - 1)
    since = now - timedelta(days=WINDOW_DAYS)
    counters = DailyCount.objects.filter(day__gte=since_day, day__lte=today)
    reads = counters.filter(metric=DailyCount.Metric.READS).aggregate(n=Sum("count"))
    hits = counters.filter(metric=DailyCount.Metric.HITS)
    by_purpose = dict(
        Search.objects.filter(created_at__gte=since, created_at__lt=now)
        .values_list("purpose")
        .annotate(n=Count("id"))
    )
    cameras = dict(
        Camera.objects.filter(removed_on__isnull=True)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    year_ago = today - timedelta(days=365)
    outcomes = dict(
        Finding.objects.filter(period__start__gte=year_ago)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    recipients: list[tuple[str, str, int]] = []
    for source in SHARING_RECIPIENTS:
        recipients += source(since, now)
    return {
        "since": since_day,
        "until": today,
        "reads": reads["n"] or 0,
        "hits": hits.aggregate(n=Sum("count"))["n"] or 0,
        "hit_lists": activity.hit_lists(hits),
        "searches": [(p.short_label, by_purpose.get(p.value, 0)) for p in Purpose],
        "search_total": sum(by_purpose.values()),
        "cameras": [(k.label, cameras.get(k.value, 0)) for k in Camera.Kind],
        "camera_total": sum(cameras.values()),
        "periods_signed": AuditPeriod.objects.signed()
        .filter(kind=AuditPeriod.Kind.MONTH, start__gte=year_ago)
        .count(),
        "findings": [(s.label, outcomes.get(s.value, 0)) for s in Finding.Status],
        "recipients": recipients,
    }


def transparency(request: HttpRequest) -> HttpResponse:
    data = cache.get("audits:transparency")
    if data is None:
        data = figures()
        cache.set("audits:transparency", data, CACHE_SECONDS)
    return render(
        request,
        "audits/transparency.html",
        {
            **data,
            "read_days": settings.FLOCKGOV_READ_RETENTION_DAYS,
            "audit_years": settings.FLOCKGOV_AUDIT_RETENTION_YEARS,
            "window_days": WINDOW_DAYS,
        },
    )
