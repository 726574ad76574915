"""The Captain's dashboard, review queue and sign-off in the browser.

Figures come from the period's last run (computed in the same pass as the rules),
so the first paint does not scan a month of searches. Every figure links to its
records. Reading these pages is recorded like any reading of the audit trail.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.stepup import step_up_required, take_pending
from queries.models import Search
from queries.purposes import Purpose

from . import activity, charts, periods, reports, rules, services
from .context import Actor
from .events import EventType
from .models import AuditPeriod, Finding, VendorSearch
from .trail import record

PAGE_SIZE = 50
REPORT_FORMATS = ("csv", "pdf")

# Panels beyond the searches: hot-list entries created, expired and unverified;
# alerts by disposition; shares by ground. Each is a function of (period, start,
# end) returning {"title": ..., "svg": ...}; each figure links to its records.
DASHBOARD_PANELS: list = list(activity.PANELS)


def _require_auditor(request: HttpRequest) -> None:
    if not request.user.may_read_audit_trail():
        raise PermissionDenied(
            "Only the Captain, the Chief and administrators open the audit dashboard."
        )


def _may_review(user) -> bool:
    return user.may_read_audit_trail() or user.role == "supervisor"


def _viewed(request: HttpRequest, summary: str, **data) -> None:
    record(
        EventType.AUDIT_VIEWED,
        actor=Actor.from_request(request),
        object_type="audits.auditperiod",
        summary=summary[:300],
        data=data,
    )


def _chosen_period(request: HttpRequest) -> tuple[AuditPeriod | None, date, date]:
    text = request.GET.get("month")
    if text:
        try:
            start, end = periods.parse_month(text)
        except periods.PeriodError as exc:
            messages.error(request, str(exc))
            start, end = periods.previous_month(timezone.now())
    else:
        start, end = periods.previous_month(timezone.now())
    period = AuditPeriod.objects.filter(
        kind=AuditPeriod.Kind.MONTH, start=start
    ).first()
    return period, start, end


def dashboard(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    period, start, end = _chosen_period(request)
    context = {
        "period": period,
        "month": f"{start:%Y-%m}",
        "months": AuditPeriod.objects.filter(kind=AuditPeriod.Kind.MONTH)[:24],
        "weeks": AuditPeriod.objects.filter(kind=AuditPeriod.Kind.WEEK)[:8],
        "panels": [],
    }
    if period is not None and period.last_run_at is not None:
        figures = period.figures
        base = reverse("audits:records", args=[period.pk])
        bars = []
        for day, by_purpose in figures.get("searches_by_day_purpose", {}).items():
            bars.append(
                charts.Bar(
                    day,
                    [
                        charts.Segment(
                            p,
                            by_purpose.get(p, 0),
                            f"{base}?{urlencode({'day': day, 'purpose': p})}",
                        )
                        for p in Purpose.values
                    ],
                )
            )
        context["by_day_svg"] = mark_safe(  # noqa: S308 (escaped in charts)
            charts.stacked_columns(
                bars, Purpose.values, title="Searches per day by purpose"
            )
        )
        context["by_officer_svg"] = mark_safe(  # noqa: S308
            charts.horizontal_bars(
                [
                    (label, n, f"{base}?{urlencode({'actor': label})}")
                    for label, n in figures.get("searches_by_officer", [])
                ],
                title="Searches per officer",
            )
        )
        queue = reverse("audits:findings", args=[period.pk])
        # Decided findings are few; the open ones are the rest of each rule's
        # total from the last run, so the page never counts a month's findings.
        decided = (
            Finding.objects.filter(period=period)
            .exclude(status=Finding.Status.NEEDS_REVIEW)
            .values_list("rule", "status")
            .annotate(n=Count("id"))
        )
        table: dict[str, dict[str, int]] = {}
        for rule_name, status, n in decided:
            table.setdefault(rule_name, {})[status] = n
        for rule_name, total in figures.get("rules", {}).items():
            done = sum(table.get(rule_name, {}).values())
            table.setdefault(rule_name, {})[Finding.Status.NEEDS_REVIEW] = total - done
        context["rule_rows"] = [
            {
                "name": name,
                "label": rules.RULES[name].label if name in rules.RULES else name,
                "counts": [
                    (
                        status,
                        table.get(name, {}).get(status.value, 0),
                        f"{queue}?{urlencode({'rule': name, 'status': status.value})}",
                    )
                    for status in Finding.Status
                ],
            }
            for name in figures.get("rules", {})
        ]
        context["by_rule_svg"] = mark_safe(  # noqa: S308
            charts.horizontal_bars(
                [
                    (
                        rules.RULES[name].label if name in rules.RULES else name,
                        n,
                        f"{queue}?{urlencode({'rule': name})}",
                    )
                    for name, n in figures.get("rules", {}).items()
                ],
                title="Findings by rule",
            )
        )
        context["sources"] = figures.get("searches_by_source", {})
        context["open_count"] = sum(
            counts.get(Finding.Status.NEEDS_REVIEW, 0) for counts in table.values()
        )
        pstart, pend = periods.bounds(period)
        context["panels"] = [panel(period, pstart, pend) for panel in DASHBOARD_PANELS]
    _viewed(
        request, f"opened the audit dashboard for {start:%Y-%m}", month=f"{start:%Y-%m}"
    )
    return render(request, "audits/dashboard.html", context)


@require_POST
def run(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    try:
        start, end = periods.parse_month(request.POST.get("month", ""))
    except periods.PeriodError as exc:
        messages.error(request, str(exc))
        return redirect("audits:dashboard")
    result = services.run_period(
        actor=Actor.from_request(request),
        kind=AuditPeriod.Kind.MONTH,
        start=start,
        end=end,
    )
    if result.frozen:
        messages.info(request, f"{result.period} is signed off; nothing changed.")
    else:
        messages.info(
            request, f"Rules run over {result.period}: {result.total} findings."
        )
    return redirect(f"{reverse('audits:dashboard')}?month={start:%Y-%m}")


def findings(request: HttpRequest, pk: int) -> HttpResponse:
    """The review queue of one period, filtered by rule and status."""
    if not _may_review(request.user):
        raise PermissionDenied("Only reviewers see findings.")
    period = get_object_or_404(AuditPeriod, pk=pk)
    items = (
        Finding.objects.visible_to(request.user)
        .filter(period=period)
        .select_related("officer")
    )
    rule_name = request.GET.get("rule", "")
    status = request.GET.get("status", Finding.Status.NEEDS_REVIEW)
    if rule_name:
        items = items.filter(rule=rule_name)
    if status in Finding.Status.values:
        items = items.filter(status=status)
    page = Paginator(
        items.order_by("-severity", "subject_at", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    _viewed(
        request,
        f"opened findings of {period.label}",
        period=period.label,
        rule=rule_name,
        status=status,
        findings_shown=[f.pk for f in page.object_list],
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audits/findings.html",
        {
            "period": period,
            "page": page,
            "rule": rule_name,
            "status": status,
            "statuses": Finding.Status.choices,
            "rules": rules.RULES.values(),
            "query": params.urlencode(),
        },
    )


SUBJECT_MODELS = {
    "hotlists.entry": ("hotlists", "HotListEntry"),
    "sharing.dissemination": ("sharing", "Dissemination"),
    "sharing.request": ("sharing", "SharingRequest"),
    "sharing.grant": ("sharing", "NetworkAccessGrant"),
}


def _subject(finding: Finding):
    if finding.subject_type in SUBJECT_MODELS:
        from django.apps import apps

        model = apps.get_model(*SUBJECT_MODELS[finding.subject_type])
        return model.objects.filter(pk=finding.subject_id).first()
    if finding.subject_type == "queries.search":
        return (
            Search.objects.select_related("officer")
            .filter(pk=finding.subject_id)
            .first()
        )
    if finding.subject_type == "audits.vendorsearch":
        return VendorSearch.objects.filter(pk=finding.subject_id).first()
    return None


def _awaiting_first_review(user):
    """Findings the user (a supervisor) still has to give a first review on:
    open, in a period not signed off, of the officers they supervise."""
    return (
        Finding.objects.visible_to(user)
        .filter(
            status=Finding.Status.NEEDS_REVIEW,
            first_review_at__isnull=True,
            period__signed_at__isnull=True,
        )
        .order_by("-severity", "subject_at", "pk")
    )


def review_queue(request: HttpRequest) -> HttpResponse:
    """A supervisor's queue: every finding still waiting for their first review,
    across periods, so the menu needs no period to link to."""
    if request.user.role != "supervisor":
        raise PermissionDenied("This queue lists a supervisor's first reviews.")
    page = Paginator(
        _awaiting_first_review(request.user).select_related("officer", "period"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    _viewed(
        request,
        "opened the first-review queue",
        findings_shown=[f.pk for f in page.object_list],
    )
    return render(request, "audits/review_queue.html", {"page": page, "query": ""})


def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_review(request.user):
        raise Http404
    finding = get_object_or_404(
        Finding.objects.visible_to(request.user).select_related(
            "period", "officer", "officer__supervisor", "first_review_by", "decided_by"
        ),
        pk=pk,
    )
    may_decide = request.user.role in services.DECIDING_ROLES
    # What was typed survives a refusal: the page is drawn again with it rather
    # than redirected to an empty form (the Decision must not fall back to
    # Justified unnoticed).
    typed = {"status": "", "note": ""}
    status_code = 200
    if request.method == "POST":
        actor = Actor.from_request(request)
        action = request.POST.get("action")
        status = request.POST.get("status", "")
        note = request.POST.get("note", "")
        try:
            if action == "first_review":
                services.first_review(
                    actor=actor, finding=finding, recommendation=status, note=note
                )
                messages.info(request, "First review recorded.")
            else:
                services.decide(actor=actor, finding=finding, status=status, note=note)
                messages.info(request, f"Finding {finding.pk} decided.")
        except services.AuditError as exc:
            messages.error(request, str(exc))
            typed = {"status": status, "note": note}
            status_code = 400
            finding.refresh_from_db()
        else:
            if action == "first_review":
                # On to the next finding this supervisor has not yet reviewed
                # in the same period, not the period's first open one.
                nxt = (
                    _awaiting_first_review(request.user)
                    .filter(period=finding.period)
                    .exclude(pk=finding.pk)
                    .first()
                )
                if nxt:
                    return redirect("audits:finding", pk=nxt.pk)
                return redirect("audits:review-queue")
            nxt = (
                Finding.objects.visible_to(request.user)
                .filter(period=finding.period, status=Finding.Status.NEEDS_REVIEW)
                .order_by("-severity", "subject_at", "pk")
                .first()
            )
            if nxt:
                return redirect("audits:finding", pk=nxt.pk)
            return redirect("audits:findings", pk=finding.period_id)
    else:
        _viewed(
            request,
            f"opened finding {finding.pk}",
            finding=finding.pk,
            subject=f"{finding.subject_type}:{finding.subject_id}",
        )
    awaited = (
        services.awaited_first_reviewer(finding, request.user) if may_decide else None
    )
    reviewed_by_me = not may_decide and finding.first_review_by_id == request.user.pk
    return render(
        request,
        "audits/finding.html",
        {
            "finding": finding,
            "subject": _subject(finding),
            "rule": rules.RULES.get(finding.rule),
            "may_decide": may_decide,
            "awaited_reviewer": awaited,
            "awaited_message": (
                services.first_review_awaited_message(awaited) if awaited else ""
            ),
            "reviewed_by_me": reviewed_by_me,
            "show_form": (
                finding.is_open
                and not finding.period.is_signed
                and awaited is None
                and not reviewed_by_me
            ),
            "typed": typed,
        },
        status=status_code,
    )


def records(request: HttpRequest, pk: int) -> HttpResponse:
    """Drill-down from a dashboard figure to the searches behind it."""
    _require_auditor(request)
    period = get_object_or_404(AuditPeriod, pk=pk)
    start, end = periods.bounds(period)
    day = request.GET.get("day", "")
    if day:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            raise Http404 from None
        start = max(start, periods.local_midnight(chosen))
        end = min(end, periods.local_midnight(chosen + timedelta(days=1)))
    searches = Search.objects.filter(created_at__gte=start, created_at__lt=end)
    if request.GET.get("purpose") in Purpose.values:
        searches = searches.filter(purpose=request.GET["purpose"])
    actor_label = request.GET.get("actor", "")
    if actor_label:
        searches = searches.filter(officer__username=actor_label)
    page = Paginator(
        searches.select_related("officer").order_by("created_at", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    _viewed(
        request,
        f"drilled into searches of {period.label}",
        period=period.label,
        filters={k: v for k, v in request.GET.items() if k != "page"},
        searches_shown=[s.pk for s in page.object_list],
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audits/records.html",
        {"period": period, "page": page, "query": params.urlencode()},
    )


ACTIVITY_KINDS = ("created", "expired", "removed", "alerts", "shares")


def activity_records(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Drill-down from a hot-list or sharing figure to the records behind it."""
    _require_auditor(request)
    period = get_object_or_404(AuditPeriod, pk=pk)
    if kind not in ACTIVITY_KINDS:
        raise Http404
    start, end = periods.bounds(period)
    title = ""
    if kind in activity.ENTRY_SETS:
        items = (
            activity.entry_set(kind, start, end, now=timezone.now())
            .select_related("hotlist", "entered_by", "verified_by")
            .order_by("entered_at", "pk")
        )
        title = f"Custom hot-list entries: {activity.ENTRY_SETS[kind].lower()}"
    elif kind == "alerts":
        chosen = request.GET.get("disposition", "")
        labels = dict(activity.disposition_choices())
        if chosen and chosen not in labels:
            raise Http404
        items = (
            activity.alerts(start, end, chosen)
            .select_related("hotlist", "disposition__officer")
            .order_by("created_at", "pk")
        )
        title = f"Alerts: {labels.get(chosen, 'all').lower()}"
    else:
        from sharing.rules import Ground

        try:
            ground = Ground(int(request.GET.get("ground", "")))
        except ValueError:
            ground = None
        items = (
            activity.shares(start, end, ground.value if ground else None)
            .select_related("recipient", "sent_by", "request")
            .order_by("sent_at", "pk")
        )
        title = f"Shares: ground {ground.label}" if ground else "Shares"
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    _viewed(
        request,
        f"drilled into {kind} of {period.label}",
        period=period.label,
        kind=kind,
        filters={k: v for k, v in request.GET.items() if k != "page"},
        shown=[item.pk for item in page.object_list],
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audits/activity.html",
        {
            "period": period,
            "page": page,
            "kind": kind,
            "title": title,
            "query": params.urlencode(),
        },
    )


@step_up_required(action="sign the period off")
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign-off, behind a fresh second factor."""
    _require_auditor(request)
    period = get_object_or_404(AuditPeriod, pk=pk)
    if request.method == "POST":
        try:
            services.sign_off(
                actor=Actor.from_request(request),
                period=period,
                note=request.POST.get("note", ""),
            )
        except services.AuditError as exc:
            messages.error(request, str(exc))
            return redirect("audits:sign", pk=period.pk)
        messages.info(request, f"{period} signed off.")
        return redirect(f"{reverse('audits:dashboard')}?month={period.start:%Y-%m}")
    open_count = period.findings.open().count()
    return render(
        request,
        "audits/sign.html",
        {
            "period": period,
            "open_count": open_count,
            "head": services.chain_head(),
            # The note typed before a step-up interrupted the sign-off.
            "note": take_pending(request, request.path).get("note", ""),
        },
    )


def report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _require_auditor(request)
    if fmt not in REPORT_FORMATS:
        raise Http404
    period = get_object_or_404(AuditPeriod, pk=pk)
    data = reports.period_report(period, fmt)
    record(
        EventType.AUDIT_REPORT_MADE,
        actor=Actor.from_request(request),
        target=period,
        summary=f"audit report {period.label} downloaded ({fmt})",
        data={"format": fmt},
    )
    return _download(data, fmt, f"alpr-audit-{period.label}")


def yearly(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    _require_auditor(request)
    if fmt not in REPORT_FORMATS or not 2000 <= year <= timezone.localdate().year:
        raise Http404
    data = reports.yearly_report(year, fmt)
    record(
        EventType.AUDIT_REPORT_MADE,
        actor=Actor.from_request(request),
        object_type="audits.yearly_report",
        summary=f"State Police annual report {year} produced ({fmt})",
        data={"year": year, "format": fmt},
    )
    return _download(data, fmt, f"alpr-annual-report-{year}")


def _download(data: bytes, fmt: str, stem: str) -> HttpResponse:
    kind = "application/pdf" if fmt == "pdf" else "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
