"""The Captain's audit: the only write paths for periods, findings and sign-off.

Every function takes a keyword-only ``actor``, runs in one transaction and writes
its audit record in that transaction. Refusals are recorded too.
"""

import csv
import heapq
import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.roles import Role

from . import periods, rules
from .context import Actor
from .events import EventType, Outcome
from .models import AuditEvent, AuditPeriod, Finding
from .signals import violation_confirmed
from .trail import record

logger = logging.getLogger(__name__)

DECIDING_ROLES = frozenset({Role.CAPTAIN, Role.CHIEF})
FIRST_REVIEW_ROLES = frozenset({Role.SUPERVISOR, Role.CAPTAIN})
NULL = "\\N"


class AuditError(Exception):
    """An audit act that cannot be done; the message says why."""


@dataclass(frozen=True)
class RunResult:
    period: AuditPeriod
    per_rule: dict[str, int]
    frozen: bool

    @property
    def total(self) -> int:
        return sum(self.per_rule.values())


# --- Loading what the rules read ---------------------------------------------------

OWN_SEARCHES = """
SELECT s.id, s.created_at, s.officer_id, o.username, s.purpose, s.case_number,
       s.justification, s.plate_query, s.created_at - s.window_start,
       (extract(hour FROM s.created_at AT TIME ZONE %(tz)s) * 60
        + extract(minute FROM s.created_at AT TIME ZONE %(tz)s))::int,
       (s.created_at AT TIME ZONE %(tz)s)::date
FROM queries_search s JOIN accounts_officer o ON o.id = s.officer_id
WHERE s.created_at >= %(start)s AND s.created_at < %(end)s
ORDER BY s.created_at, s.id
"""

VENDOR_SEARCHES = """
SELECT v.id, v.searched_at, v.officer_id, v.kind, v.user_label, v.org_name,
       v.case_number, v.reason, v.plate, v.searched_at - v.window_start,
       (extract(hour FROM v.searched_at AT TIME ZONE %(tz)s) * 60
        + extract(minute FROM v.searched_at AT TIME ZONE %(tz)s))::int,
       (v.searched_at AT TIME ZONE %(tz)s)::date,
       v.networks_searched, v.organisation_id, NOT (v.masked ? 'case number')
FROM audits_vendorsearch v
WHERE v.searched_at >= %(start)s AND v.searched_at < %(end)s
ORDER BY v.searched_at, v.id
"""

MASKED_USERS = {"", "***", "redacted", "[redacted]", "###", "* * *"}


def _vendor_actor(kind: str, officer_id: int | None, user: str, org: str) -> str:
    if officer_id:
        return f"officer:{officer_id}"
    if user.strip().lower() in MASKED_USERS:
        # Masked user ids are lumped together: per-person rules cannot use them.
        return f"vendor:{kind}:{org}:masked"
    return f"vendor:{kind}:{org}:{user}"


def load_context(period: AuditPeriod) -> rules.AuditContext:
    from accounts.models import Officer
    from queries.models import ProhibitedTerm
    from sharing.models import Organisation

    start, end = periods.bounds(period)
    params = {"tz": str(timezone.get_current_timezone()), "start": start, "end": end}
    own: list[rules.SearchRow] = []
    bought: list[rules.SearchRow] = []
    row = rules.SearchRow
    with connection.cursor() as cursor:
        cursor.execute(OWN_SEARCHES, params)
        for r in cursor.fetchall():
            own.append(
                row(
                    "queries.search", r[0], r[1], "own", f"officer:{r[2]}", r[3],
                    r[2], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                )
            )  # fmt: skip
        cursor.execute(VENDOR_SEARCHES, params)
        for r in cursor.fetchall():
            bought.append(
                row(
                    "audits.vendorsearch", r[0], r[1], r[3],
                    _vendor_actor(r[3], r[2], r[4], r[5]),
                    r[4] or r[5], r[2], "", r[6], r[7], r[8], r[9], r[10], r[11],
                    r[12], r[13], r[14],
                )
            )  # fmt: skip
        cursor.execute(
            "SELECT officer_id, max(created_at) FROM queries_search "
            "WHERE created_at < %s GROUP BY officer_id",
            [start],
        )
        last_before = {f"officer:{o}": at for o, at in cursor.fetchall()}
        cursor.execute(
            "SELECT kind, officer_id, user_label, org_name, max(searched_at) "
            "FROM audits_vendorsearch WHERE searched_at < %s "
            "GROUP BY kind, officer_id, user_label, org_name",
            [start],
        )
        for kind, officer_id, user, org, at in cursor.fetchall():
            key = _vendor_actor(kind, officer_id, user, org)
            if key not in last_before or last_before[key] < at:
                last_before[key] = at
    # Both lists come sorted by time; the rules rely on that order.
    rows = list(heapq.merge(own, bought, key=attrgetter("at"))) if bought else own
    for key in [k for k in last_before if k.endswith(":masked")]:
        del last_before[key]
    shifts = {
        o.pk: (o.shift_start, o.shift_end) if o.shift_start and o.shift_end else None
        for o in Officer.objects.only("id", "shift_start", "shift_end")
    }
    organisations = {
        o.pk: (o.jurisdiction, o.kind, o.needs_classification, o.name)
        for o in Organisation.objects.all()
    }
    return rules.AuditContext(
        label=period.label,
        start=start,
        end=end,
        rows=rows,
        shifts=shifts,
        last_before=last_before,
        organisations=organisations,
        prohibited_terms=list(ProhibitedTerm.objects.filter(active=True)),
    )


def _figures(ctx: rules.AuditContext, per_rule: dict[str, int]) -> dict[str, Any]:
    """What the dashboard draws, computed in the same pass as the rules."""
    by_day: dict[str, Counter] = defaultdict(Counter)
    by_actor: Counter = Counter()
    vendor_by_day: dict[str, Counter] = defaultdict(Counter)
    sources: Counter = Counter()
    for row in ctx.rows:
        day = row.local_day.isoformat()
        sources[row.source] += 1
        if row.source == "own":
            by_day[day][row.purpose] += 1
            by_actor[row.actor_label] += 1
        else:
            vendor_by_day[day][row.source] += 1
            if row.officer_id:
                by_actor[row.actor_label] += 1
    return {
        "rules": per_rule,
        "findings": sum(per_rule.values()),
        "searches_by_day_purpose": {d: dict(c) for d, c in sorted(by_day.items())},
        "searches_by_officer": by_actor.most_common(),
        "vendor_by_day_kind": {d: dict(c) for d, c in sorted(vendor_by_day.items())},
        "searches_by_source": dict(sources),
    }


# --- Running the rules -------------------------------------------------------------

FINDING_COLUMNS = (
    "rule, severity, subject_type, subject_id, subject_at, officer_id, actor_label, "
    "detail"
)


def _insert_findings(period: AuditPeriod, hits: list[tuple], now: datetime) -> None:
    """Adds findings not already recorded for the period.

    A month can yield hundreds of thousands of findings; one COPY into a scratch
    table and one INSERT ... ON CONFLICT is two orders of magnitude faster than
    ORM inserts, and the unique constraint keeps re-runs from adding duplicates.
    """
    if not hits:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in hits:
        writer.writerow([NULL if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE audits_new_finding (rule varchar(40), severity "
            "varchar(6), subject_type varchar(40), subject_id varchar(64), "
            "subject_at timestamptz, officer_id bigint, actor_label varchar(200), "
            "detail varchar(300)) ON COMMIT DROP"
        )
        cursor.copy_expert(
            f"COPY audits_new_finding ({FINDING_COLUMNS}) FROM STDIN "  # noqa: S608
            "WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
        cursor.execute(
            f"INSERT INTO audits_finding (period_id, status, created_at, "  # noqa: S608
            f"first_review_recommendation, first_review_note, note, {FINDING_COLUMNS}) "
            f"SELECT %s, %s, %s, '', '', '', {FINDING_COLUMNS} FROM audits_new_finding "
            "ON CONFLICT (period_id, rule, subject_type, subject_id) DO NOTHING",
            [period.pk, Finding.Status.NEEDS_REVIEW, now],
        )
        cursor.execute("DROP TABLE audits_new_finding")


def get_or_create_period(kind: str, start: date, end: date) -> AuditPeriod:
    period, _ = AuditPeriod.objects.get_or_create(
        kind=kind, start=start, defaults={"end": end}
    )
    return period


def run_period(
    *, actor: Actor, kind: str, start: date, end: date, now: datetime | None = None
) -> RunResult:
    """Runs every enabled rule over the period and stores new findings.

    A signed period is frozen: its stored figures come back and nothing changes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        get_or_create_period(kind, start, end)
        period = AuditPeriod.objects.select_for_update().get(kind=kind, start=start)
        if period.is_signed:
            return RunResult(period, dict(period.figures.get("rules", {})), frozen=True)
        ctx = load_context(period)
        new: list[tuple] = []
        for rule in rules.enabled_rules():
            for hit in rule.run(ctx):
                new.append(
                    (
                        rule.name,
                        hit.severity or rule.severity,
                        hit.subject_type,
                        hit.subject_id,
                        hit.subject_at,
                        hit.officer_id,
                        hit.actor_label[:200],
                        hit.detail[:300],
                    )
                )
        _insert_findings(period, new, now)
        counts = dict(
            Finding.objects.filter(period=period)
            .values_list("rule")
            .annotate(n=Count("id"))
            .values_list("rule", "n")
        )
        per_rule = {
            rule.name: counts.get(rule.name, 0) for rule in rules.RULES.values()
        }
        for name, n in counts.items():
            per_rule.setdefault(name, n)
        period.figures = _figures(ctx, per_rule)
        period.last_run_at = now
        period.save(update_fields=["figures", "last_run_at"])
        record(
            EventType.AUDIT_RUN,
            actor=actor,
            target=period,
            summary=f"audit rules run over {period.label}: {sum(per_rule.values())} "
            "findings",
            data={
                "period": period.label,
                "kind": period.kind,
                "searches": len(ctx.rows),
                "rules": per_rule,
            },
        )
    logger.info("audit of %s: %s searches read", period.label, len(ctx.rows))
    return RunResult(period, per_rule, frozen=False)


# --- Reviewing findings -----------------------------------------------------------


class _Refused(Exception):
    """Raised inside a service's transaction so nothing of the act is kept; the
    refusal is then recorded in a transaction of its own."""

    def __init__(self, reason: str, target) -> None:
        super().__init__(reason)
        self.reason = reason
        self.target = target


def _refuse(actor: Actor, finding: Finding, reason: str) -> None:
    raise _Refused(reason, finding)


def _record_refusal(actor: Actor, refused: _Refused, event_type: EventType) -> None:
    target = refused.target
    record(
        event_type,
        actor=actor,
        outcome=Outcome.REFUSED,
        target=target,
        summary=refused.reason,
        data={
            "object": target.pk,
            "label": str(target),
            "reason": refused.reason,
        },
    )
    raise AuditError(refused.reason) from None


def _check_reviewer(actor: Actor, finding: Finding) -> str | None:
    officer = actor.officer
    if officer is None:
        return "Findings are reviewed by a person, not a system job."
    if finding.officer_id is not None and finding.officer_id == officer.pk:
        return "Nobody reviews their own search."
    if finding.period.is_signed:
        return f"{finding.period} is signed off; its findings are final."
    if not finding.is_open:
        return "This finding is already decided."
    return None


def first_review(
    *, actor: Actor, finding: Finding, recommendation: str, note: str
) -> Finding:
    """A supervisor's (or the Captain's) first look: a recommendation and a note."""
    try:
        with transaction.atomic():
            finding = (
                Finding.objects.select_for_update(of=("self",))
                .select_related("period", "officer")
                .get(pk=finding.pk)
            )
            reason = _check_reviewer(actor, finding)
            officer = actor.officer
            if reason is None and officer.role not in FIRST_REVIEW_ROLES:
                reason = "Only a supervisor or the Captain gives a first review."
            if (
                reason is None
                and officer.role == Role.SUPERVISOR
                and finding.officer is not None
                and finding.officer.supervisor_id != officer.pk
            ):
                reason = "A supervisor reviews findings of the officers they supervise."
            if reason is None and recommendation not in (
                Finding.Status.JUSTIFIED,
                Finding.Status.VIOLATION,
            ):
                reason = "Recommend either Justified or Violation."
            if reason is None and not note.strip():
                reason = "A first review needs a note saying what was checked."
            if reason:
                _refuse(actor, finding, reason)
            finding.first_review_by = officer
            finding.first_review_at = timezone.now()
            finding.first_review_recommendation = recommendation
            finding.first_review_note = note.strip()
            finding.save()
            record(
                EventType.FINDING_REVIEWED,
                actor=actor,
                target=finding,
                summary=(
                    f"first review of finding {finding.pk}: recommends {recommendation}"
                ),
                data={
                    "finding": finding.pk,
                    "rule": finding.rule,
                    "recommendation": recommendation,
                    "note": finding.first_review_note,
                },
            )
    except _Refused as refused:
        _record_refusal(actor, refused, EventType.FINDING_REFUSED)
    return finding


def decide(*, actor: Actor, finding: Finding, status: str, note: str) -> Finding:
    """The Captain's (or the Chief's) decision: Justified, with a note, or
    Violation, which starts the suspension (§7.B.2) through ``violation_confirmed``.
    """
    try:
        with transaction.atomic():
            finding = (
                Finding.objects.select_for_update(of=("self",))
                .select_related("period", "officer", "officer__supervisor")
                .get(pk=finding.pk)
            )
            reason = _check_reviewer(actor, finding)
            officer = actor.officer
            if reason is None and officer.role not in DECIDING_ROLES:
                reason = "Only the Captain decides findings."
            if reason is None and status not in (
                Finding.Status.JUSTIFIED,
                Finding.Status.VIOLATION,
            ):
                reason = "Decide either Justified or Violation."
            if reason is None and not note.strip():
                reason = (
                    "A justified finding needs a note saying why."
                    if status == Finding.Status.JUSTIFIED
                    else "A violation needs a note saying what was wrong."
                )
            supervisor = finding.officer.supervisor if finding.officer else None
            if (
                reason is None
                and supervisor is not None
                and supervisor.pk != officer.pk
                and supervisor.is_active
                and finding.first_review_at is None
            ):
                reason = (
                    f"{supervisor.display_name} (the officer's supervisor) gives the "
                    "first review before the Captain decides."
                )
            if reason:
                _refuse(actor, finding, reason)
            finding.status = status
            finding.note = note.strip()
            finding.decided_by = officer
            finding.decided_at = timezone.now()
            finding.save()
            record(
                EventType.FINDING_DECIDED,
                actor=actor,
                target=finding,
                summary=f"finding {finding.pk} ({finding.rule}) decided: {status}",
                data={
                    "finding": finding.pk,
                    "rule": finding.rule,
                    "status": status,
                    "note": finding.note,
                    "officer": finding.officer_id,
                },
            )
            if status == Finding.Status.VIOLATION and finding.officer is not None:
                violation_confirmed.send(
                    sender=Finding,
                    finding=finding,
                    officer=finding.officer,
                    actor=actor,
                    reference=f"audit finding {finding.pk} ({finding.rule}, "
                    f"{finding.period.label})",
                )
    except _Refused as refused:
        _record_refusal(actor, refused, EventType.FINDING_REFUSED)
    return finding


# --- Sign-off ----------------------------------------------------------------------


def chain_head() -> tuple[int, str] | None:
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (head[0], head[1]) if head else None


def sign_off(
    *, actor: Actor, period: AuditPeriod, note: str = "", now: datetime | None = None
) -> AuditPeriod:
    """The Captain signs a reviewed period: its figures freeze and the audit
    trail's chain head at this moment is recorded with them."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            period = AuditPeriod.objects.select_for_update().get(pk=period.pk)
            officer = actor.officer
            reason = ""
            if officer is None or officer.role != Role.CAPTAIN:
                reason = (
                    "Only the Captain of Police Services signs an audit period (§7.A)."
                )
            elif period.is_signed:
                reason = (
                    f"{period} was already signed on "
                    f"{timezone.localtime(period.signed_at):%Y-%m-%d %H:%M} "
                    f"by {period.signed_by.display_name}."
                )
            elif not periods.has_ended(period, now=now):
                reason = f"{period} has not ended yet."
            elif (
                period.last_run_at is None
                or period.last_run_at < periods.bounds(period)[1]
            ):
                reason = f"Run the audit over all of {period} before signing it."
            else:
                open_count = period.findings.open().count()
                if open_count:
                    reason = f"{open_count} finding(s) still need review."
            if reason:
                raise _Refused(reason, period)
            # Serialise with appends so the head read is the true last record.
            with connection.cursor() as cursor:
                from .trail import CHAIN_LOCK_KEY

                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            head = chain_head()
            status_counts = dict(
                period.findings.values_list("status").annotate(n=Count("id"))
            )
            period.figures = {**period.figures, "statuses": status_counts}
            period.signed_at = now
            period.signed_by = officer
            period.sign_off_note = note.strip()
            period.chain_head_seq, period.chain_head_hash = head or (0, "")
            period.save()
            record(
                EventType.PERIOD_SIGNED,
                actor=actor,
                target=period,
                summary=f"{period} signed off",
                data={
                    "period": period.label,
                    "kind": period.kind,
                    "chain_head_seq": period.chain_head_seq,
                    "chain_head_hash": period.chain_head_hash,
                    "rules": period.figures.get("rules", {}),
                    "statuses": status_counts,
                    "note": period.sign_off_note,
                },
            )
    except _Refused as refused:
        _record_refusal(actor, refused, EventType.PERIOD_SIGN_REFUSED)
    return period
