"""The monthly audit report (CSV or PDF) and the yearly State Police report.

Reports hold figures, rule names and finding references, never plates: a
report leaves the system (printed, filed, sent to the State Police).
"""

import csv
import io
from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from flockgov.spreadsheets import formula_safe

from . import activity, periods, rules
from .models import AuditPeriod, Finding


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z") if value else "—"


def period_rows(period: AuditPeriod) -> list[list[str]]:
    """The monthly report as rows of text: header block, per rule, statuses."""
    rows: list[list[str]] = [
        ["department", settings.FLOCKGOV_DEPARTMENT_NAME],
        ["period", period.label],
        ["kind", period.kind],
        ["from", period.start.isoformat()],
        ["to (exclusive)", period.end.isoformat()],
        ["rules last run", _local(period.last_run_at)],
        ["signed", _local(period.signed_at)],
        ["signed by", period.signed_by.display_name if period.signed_by else "—"],
        ["audit trail chain head seq", str(period.chain_head_seq or "—")],
        ["audit trail chain head hash", period.chain_head_hash or "—"],
        [],
        ["searches by source", "count"],
    ]
    for source, n in sorted(period.figures.get("searches_by_source", {}).items()):
        rows.append([source, str(n)])
    rows += [[], ["rule", "label", "policy", "findings"]]
    for name, n in period.figures.get("rules", {}).items():
        registered = rules.RULES.get(name)
        rows.append(
            [
                name,
                registered.label if registered else name,
                registered.policy if registered else "",
                str(n),
            ]
        )
    rows.append(["total", "", "", str(period.figures.get("findings", 0))])
    rows += [[], ["status", "findings"]]
    statuses = period.figures.get("statuses") or dict(
        period.findings.values_list("status").annotate(n=Count("id"))
    )
    for status in Finding.Status:
        rows.append([status.label, str(statuses.get(status.value, 0))])
    rows += [[], ["violations", "rule", "officer", "decided", "note"]]
    for finding in period.findings.filter(
        status=Finding.Status.VIOLATION
    ).select_related("officer"):
        rows.append(
            [
                str(finding.pk),
                finding.rule,
                finding.officer.display_name
                if finding.officer
                else finding.actor_label,
                _local(finding.decided_at),
                finding.note,
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        # Notes and rule names are free text written by people.
        writer.writerow([formula_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _latin(text: str) -> str:
    # The core PDF fonts are Latin-1 only; anything else is replaced, not dropped.
    return (
        text.replace("—", "-")
        .replace("§", "S")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def to_pdf(title: str, rows: list[list[str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for row in rows:
        if not row:
            pdf.ln(3)
            continue
        line = "   ".join(_latin(cell) for cell in row)
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def period_report(period: AuditPeriod, fmt: str) -> bytes:
    rows = period_rows(period)
    if fmt == "pdf":
        title = (
            f"{settings.FLOCKGOV_DEPARTMENT_NAME}: ALPR audit {period.label}"
            f"{'' if period.is_signed else ' (not signed)'}"
        )
        return to_pdf(title, rows)
    return to_csv(rows)


# --- The yearly report to the State Police (Code of Virginia § 2.2-5517) --------

# Sections filled from the hot-list and sharing records: databases compared
# against, stops based on notifications, shares and third-party requests. Each is
# a function of the year's bounds returning rows; a title without one says "not
# recorded here".
YEARLY_SECTIONS: dict[str, Callable[[datetime, datetime], list[list[str]]]] = dict(
    activity.YEARLY
)


def _section(title: str, start: datetime, end: datetime) -> list[list[str]]:
    section = YEARLY_SECTIONS.get(title)
    return section(start, end) if section else [[title, "not recorded here"]]


def yearly_rows(year: int) -> list[list[str]]:
    from queries.models import Camera, Search

    start = periods.local_midnight(date(year, 1, 1))
    end = periods.local_midnight(date(year + 1, 1, 1))
    year_end = date(year, 12, 31)
    rows: list[list[str]] = [
        ["agency", settings.FLOCKGOV_DEPARTMENT_NAME],
        ["ori", settings.FLOCKGOV_DEPARTMENT_ORI],
        ["year", str(year)],
        [],
        ["cameras at year end", "kind", "count"],
    ]
    cameras = (
        Camera.objects.exclude(installed_on__gt=year_end)
        .exclude(removed_on__lte=year_end)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    counts = dict(cameras)
    for kind in Camera.Kind:
        rows.append(["", kind.label, str(counts.get(kind.value, 0))])
    rows.append([])
    rows += _section("databases compared against", start, end)
    rows += [[], ["queries by purpose", "purpose", "count"]]
    by_purpose = dict(
        Search.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("purpose")
        .annotate(n=Count("id"))
    )
    from queries.purposes import Purpose

    for purpose in Purpose:
        rows.append(["", purpose.short_label, str(by_purpose.get(purpose.value, 0))])
    for title in ("stops based on notifications", "shares and third-party requests"):
        rows.append([])
        rows += _section(title, start, end)
    violations = Finding.objects.filter(
        status=Finding.Status.VIOLATION,
        subject_at__gte=start,
        subject_at__lt=end,
    )
    rows += [
        [],
        ["unauthorized access found", "confirmed violations", str(violations.count())],
        [
            "",
            "audit periods signed",
            str(
                AuditPeriod.objects.signed()
                .filter(start__gte=date(year, 1, 1), start__lt=date(year + 1, 1, 1))
                .count()
            ),
        ],
    ]
    return rows


def yearly_report(year: int, fmt: str) -> bytes:
    rows = yearly_rows(year)
    if fmt == "pdf":
        return to_pdf(
            f"{settings.FLOCKGOV_DEPARTMENT_NAME}: ALPR annual report {year} "
            "(Code of Virginia S 2.2-5517)",
            rows,
        )
    return to_csv(rows)
