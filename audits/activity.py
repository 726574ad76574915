"""Hot-list and sharing activity as the audit sees it (§7.A "Hot List data, and
Sharing data"): the dashboard panels, the drill-down record sets behind them,
the yearly State Police sections and the transparency page's figures.

Every figure is counted from the same queryset the drill-down lists, so a number
on the dashboard and the rows behind it cannot disagree. Only custom and AMBER
entries are counted as "created" or "expired": an NCIC import replaces up to a
million records a day, which says nothing about officers' use of hot lists.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from . import charts

OPEN = "open"  # an alert nobody has disposed of yet


# --- Record sets -------------------------------------------------------------------


def custom_entries() -> QuerySet:
    from hotlists.models import HotList, HotListEntry

    return HotListEntry.objects.exclude(hotlist__source=HotList.Source.NCIC)


def entries_created(start: datetime, end: datetime) -> QuerySet:
    return custom_entries().filter(entered_at__gte=start, entered_at__lt=end)


def entries_expired(start: datetime, end: datetime, *, now: datetime) -> QuerySet:
    """Entries that reached their expiry in the period (and had not been removed
    before it): they lapsed rather than being taken off."""
    return (
        custom_entries()
        .filter(expires_at__gte=start, expires_at__lt=min(end, now))
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=F("expires_at")))
    )


def entries_removed(start: datetime, end: datetime) -> QuerySet:
    return custom_entries().filter(removed_at__gte=start, removed_at__lt=end)


ENTRY_SETS: dict[str, str] = {
    "created": "Entered",
    "expired": "Expired without being removed",
    "removed": "Removed",
}


def entry_set(which: str, start: datetime, end: datetime, *, now: datetime):
    if which == "created":
        return entries_created(start, end)
    if which == "expired":
        return entries_expired(start, end, now=now)
    if which == "removed":
        return entries_removed(start, end)
    raise KeyError(which)


def alerts(start: datetime, end: datetime, disposition: str = "") -> QuerySet:
    from hotlists.models import Alert

    found = Alert.objects.filter(created_at__gte=start, created_at__lt=end)
    if disposition == OPEN:
        return found.filter(disposition__isnull=True)
    if disposition:
        return found.filter(disposition__outcome=disposition)
    return found


def disposition_choices() -> list[tuple[str, str]]:
    from hotlists.models import Disposition

    return [*Disposition.Outcome.choices, (OPEN, "Not yet disposed of")]


def shares(start: datetime, end: datetime, ground: int | None = None) -> QuerySet:
    from sharing.models import Dissemination

    found = Dissemination.objects.filter(sent_at__gte=start, sent_at__lt=end)
    return found if ground is None else found.filter(ground=ground)


# --- Dashboard panels ---------------------------------------------------------------


def _href(period, kind: str, **params) -> str:
    base = reverse("audits:activity", args=[period.pk, kind])
    return f"{base}?{urlencode(params)}" if params else base


def _panel(title: str, rows: list[tuple[str, int, str]]) -> dict:
    return {
        "title": title,
        "svg": mark_safe(charts.horizontal_bars(rows, title=title)),  # noqa: S308
        "rows": rows,
    }


def hotlist_panel(period, start: datetime, end: datetime) -> dict:
    now = timezone.now()
    rows = [
        (label, entry_set(key, start, end, now=now).count(), _href(period, key))
        for key, label in ENTRY_SETS.items()
    ]
    # Unverified entries are the findings of the §4.B rule: its queue is the
    # drill-down, where each one is reviewed.
    unverified = period.figures.get("rules", {}).get("hotlist_unverified", 0)
    queue = reverse("audits:findings", args=[period.pk])
    rows.append(
        (
            "Not re-verified within 24 h",
            unverified,
            f"{queue}?{urlencode({'rule': 'hotlist_unverified', 'status': ''})}",
        )
    )
    return _panel("Custom hot-list entries", rows)


def alerts_panel(period, start: datetime, end: datetime) -> dict:
    counts: dict[str, int] = {}
    for outcome, n in (
        alerts(start, end)
        .values_list("disposition__outcome")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[outcome or OPEN] = counts.get(outcome or OPEN, 0) + n
    rows = [
        (label, counts.get(value, 0), _href(period, "alerts", disposition=value))
        for value, label in disposition_choices()
    ]
    return _panel("Alerts by disposition", rows)


def shares_panel(period, start: datetime, end: datetime) -> dict:
    from sharing.rules import Ground

    counts = dict(
        shares(start, end).values_list("ground").annotate(n=Count("id")).order_by()
    )
    rows = [
        (g.label, counts.get(g.value, 0), _href(period, "shares", ground=g.value))
        for g in Ground
    ]
    return _panel("Shares by ground", rows)


PANELS: list[Callable[..., dict]] = [hotlist_panel, alerts_panel, shares_panel]


# --- The yearly State Police report -------------------------------------------------


def databases_rows(start: datetime, end: datetime) -> list[list[str]]:
    """The hot lists that existed during the year. Custom lists are summed, not
    named: their names are the department's own and may name people or cases."""
    from hotlists.models import HotList

    rows: list[list[str]] = [
        ["databases compared against", "list", "entries entered in the year"]
    ]
    lists = HotList.objects.filter(created_at__lt=end)
    for hotlist in lists.filter(source__in=[HotList.Source.NCIC, HotList.Source.AMBER]):
        entered = hotlist.entries.filter(
            entered_at__gte=start, entered_at__lt=end
        ).count()
        rows.append(["", f"{hotlist.name} ({hotlist.get_source_display()})", ""])
        if hotlist.source == HotList.Source.AMBER:
            rows[-1][2] = str(entered)
    custom_lists = lists.filter(source=HotList.Source.CUSTOM).count()
    if custom_lists:
        rows.append(
            [
                "",
                f"custom hot lists ({custom_lists})",
                str(
                    custom_entries()
                    .filter(hotlist__source=HotList.Source.CUSTOM)
                    .filter(entered_at__gte=start, entered_at__lt=end)
                    .count()
                ),
            ]
        )
    if len(rows) == 1:
        # No list in the system yet: what the department declares it compares
        # against.
        rows += [["", name] for name in settings.FLOCKGOV_REPORT_DATABASES]
    return rows


def stops_rows(start: datetime, end: datetime) -> list[list[str]]:
    from hotlists.models import Stop

    stops = Stop.objects.filter(stopped_at__gte=start, stopped_at__lt=end)
    by_result = dict(stops.values_list("result").annotate(n=Count("id")).order_by())
    by_ground = dict(
        stops.values_list("alert__disposition__outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    from hotlists.models import Disposition

    rows = [["stops based on notifications", "total", str(stops.count())]]
    for value, label in Stop.Result.choices:
        rows.append(["", f"result: {label}", str(by_result.get(value, 0))])
    for outcome in sorted(Disposition.STOP_ALLOWED):
        rows.append(
            [
                "",
                f"grounds: {Disposition.Outcome(outcome).label}",
                str(by_ground.get(outcome, 0)),
            ]
        )
    alerted = alerts(start, end)
    rows.append(["", "alerts raised", str(alerted.count())])
    for value, label in disposition_choices():
        rows.append(["", f"alerts: {label}", str(alerts(start, end, value).count())])
    return rows


def sharing_rows(start: datetime, end: datetime) -> list[list[str]]:
    from sharing.models import (
        FoiaRequest,
        NetworkAccessGrant,
        Organisation,
        SharingRequest,
    )
    from sharing.rules import Ground

    sent = shares(start, end)
    rows = [["shares and third-party requests", "shares made", str(sent.count())]]
    by_ground = dict(sent.values_list("ground").annotate(n=Count("id")).order_by())
    for ground in Ground:
        rows.append(["", f"ground {ground.label}", str(by_ground.get(ground.value, 0))])
    by_kind = dict(
        sent.values_list("recipient__kind").annotate(n=Count("id")).order_by()
    )
    for value, label in Organisation.Kind.choices:
        if by_kind.get(value):
            rows.append(["", f"to: {label}", str(by_kind[value])])
    requests = SharingRequest.objects.filter(
        requested_at__gte=start, requested_at__lt=end
    )
    by_status = dict(requests.values_list("status").annotate(n=Count("id")).order_by())
    rows.append(["", "requests to share received", str(requests.count())])
    for value, label in SharingRequest.Status.choices:
        rows.append(["", f"requests: {label}", str(by_status.get(value, 0))])
    foia = FoiaRequest.objects.filter(
        recorded_at__gte=start, recorded_at__lt=end
    ).count()
    # Every FOIA request for system or audit-trail data is refused (§9.A).
    rows.append(["", "FOIA requests received", str(foia)])
    rows.append(["", "FOIA requests refused (§9.A)", str(foia)])
    rows.append(
        [
            "",
            "vendor access records (ground 5, no request)",
            str(sent.filter(request__isnull=True, ground=Ground.VENDOR).count()),
        ]
    )
    grants = (
        NetworkAccessGrant.objects.filter(granted_at__lt=end)
        .filter(expires_at__gt=start)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=start))
    )
    rows.append(
        [
            "",
            "agencies with network query access during the year",
            str(grants.values("organisation").distinct().count()),
        ]
    )
    return rows


YEARLY: dict[str, Callable[[datetime, datetime], list[list[str]]]] = {
    "databases compared against": databases_rows,
    "stops based on notifications": stops_rows,
    "shares and third-party requests": sharing_rows,
}


# --- The transparency page ----------------------------------------------------------

# Recipient kinds whose registry names may be a person's name (a defendant, defence
# counsel, a private body): the public page shows the kind only.
UNNAMED_KINDS = frozenset({"defence", "private"})


def sharing_recipients(start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(organisation name, kind, shares) for shares made in [start, end)."""
    from sharing.models import Organisation

    totals: dict[tuple[str, str], int] = {}
    for name, kind, n in (
        shares(start, end)
        .values_list("recipient__name", "recipient__kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        label = (
            Organisation.Kind(kind).label if kind in Organisation.Kind.values else ""
        )
        shown = label if kind in UNNAMED_KINDS else name
        totals[(shown, label)] = totals.get((shown, label), 0) + n
    return sorted(
        ((name, kind, n) for (name, kind), n in totals.items()),
        key=lambda row: (-row[2], row[0]),
    )


def hit_lists(hits: QuerySet) -> list[dict]:
    """The hits counters (``DailyCount`` metric hits, keyed by list key) as the
    public sees them: NCIC and AMBER lists by name, custom lists summed under
    one line (their names may name people or cases)."""
    from hotlists.models import HotList

    lists = {h.key: h for h in HotList.objects.all()}
    totals: dict[str, int] = {}
    for key, n in hits.values_list("key").annotate(n=Sum("count")).order_by():
        hotlist = lists.get(key)
        if hotlist is None:
            label = key
        elif hotlist.source == HotList.Source.CUSTOM:
            label = "Custom hot lists"
        else:
            label = f"{hotlist.name} ({hotlist.get_source_display()})"
        totals[label] = totals.get(label, 0) + n
    return [
        {"key": label, "n": n}
        for label, n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]
