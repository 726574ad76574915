"""The Captain's audit: the only write paths for periods, findings and sign-off.

Every function takes a keyword-only ``actor``, runs in one transaction and writes
its audit record in that transaction. Refusals are recorded too.
"""

import csv
import io
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.roles import Role

from . import periods, rules
from .context import Actor
from .events import EventType
from .models import AuditEvent, AuditPeriod, Finding
from .signals import violation_confirmed
from .trail import record, record_refusal

if TYPE_CHECKING:
    from accounts.models import Officer

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

MASKED_USERS = ["", "***", "redacted", "[redacted]", "###", "* * *"]

# Every search of the period, own and imported, in one shape (see ``rules``): the
# department's own first, then the vendors' (counted apart, so that rules about
# vendors' searches can be skipped in a month without any). Each subquery works
# out the local time once; ``OFFSET 0`` keeps PostgreSQL from folding it into
# the outer query, which would convert every time zone three times.
AUDIT_ROWS = """
CREATE TEMP TABLE audit_rows ON COMMIT DROP AS
SELECT 'queries.search'::text AS subject_type, s.id, s.created_at AS at,
       'own'::text AS source,
       ('officer:' || s.officer_id) COLLATE "C" AS actor_key,
       o.username::text AS actor_label, s.officer_id, s.purpose::text AS purpose,
       s.case_number::text AS case_number, s.justification AS reason,
       s.plate_query::text AS plate, s.created_at - s.window_start AS lookback,
       (date_part('hour', s.local) * 60 + date_part('minute', s.local))::int
           AS local_minute,
       s.local::date AS local_day,
       NULL::int AS networks, NULL::bigint AS organisation_id,
       true AS has_case_column
FROM (
    SELECT *, created_at AT TIME ZONE %(tz)s AS local FROM queries_search
    WHERE created_at >= %(start)s AND created_at < %(end)s OFFSET 0
) s
JOIN accounts_officer o ON o.id = s.officer_id
"""
VENDOR_ROWS = """
INSERT INTO audit_rows
SELECT 'audits.vendorsearch', v.id, v.searched_at, v.kind::text,
       CASE WHEN v.officer_id IS NOT NULL THEN 'officer:' || v.officer_id
            WHEN lower(trim(v.user_label)) = ANY(%(masked)s)
            THEN 'vendor:' || v.kind || ':' || v.org_name || ':masked'
            ELSE 'vendor:' || v.kind || ':' || v.org_name || ':' || v.user_label END,
       coalesce(nullif(v.user_label, ''), v.org_name)::text, v.officer_id, '',
       v.case_number::text, v.reason, v.plate::text, v.searched_at - v.window_start,
       (date_part('hour', v.local) * 60 + date_part('minute', v.local))::int,
       v.local::date,
       v.networks_searched, v.organisation_id, NOT (v.masked ? 'case number')
FROM (
    SELECT *, searched_at AT TIME ZONE %(tz)s AS local FROM audits_vendorsearch
    WHERE searched_at >= %(start)s AND searched_at < %(end)s OFFSET 0
) v
"""

# Each person's last search before the period (masked vendor users excluded:
# they are not one person).
LAST_BEFORE = """
CREATE TEMP TABLE audit_last_before ON COMMIT DROP AS
SELECT ('officer:' || officer_id) COLLATE "C" AS actor_key, max(created_at) AS last_at
FROM queries_search WHERE created_at < %(start)s GROUP BY officer_id
UNION ALL
SELECT key COLLATE "C", max(searched_at) FROM (
    SELECT CASE WHEN officer_id IS NOT NULL THEN 'officer:' || officer_id
                ELSE 'vendor:' || kind || ':' || org_name || ':' || user_label END
           AS key, searched_at
    FROM audits_vendorsearch
    WHERE searched_at < %(start)s
      AND (officer_id IS NOT NULL OR NOT lower(trim(user_label)) = ANY(%(masked)s))
) v GROUP BY key
"""


def open_context(period: AuditPeriod, cursor) -> rules.AuditContext:
    """Fills the scratch tables the rules read; they live until the commit."""
    start, end = periods.bounds(period)
    params = {
        "tz": str(timezone.get_current_timezone()),
        "start": start,
        "end": end,
        "masked": MASKED_USERS,
    }
    began = time.monotonic()
    # Sorting a month for the window functions must not spill to disk.
    cursor.execute("SET LOCAL work_mem = '256MB'")
    # Compiling each rule's query to machine code costs more than it saves on a
    # table already in memory.
    cursor.execute("SET LOCAL jit = off")
    try:
        with transaction.atomic():
            # Only possible before the session's first temporary table; where it
            # is too late, the default applies and the run is merely slower.
            cursor.execute("SET temp_buffers = '512MB'")
    except DatabaseError:
        logger.debug("temp_buffers already fixed for this session")
    cursor.execute("DROP TABLE IF EXISTS audit_rows, audit_last_before")
    cursor.execute(AUDIT_ROWS, params)
    cursor.execute(VENDOR_ROWS, params)
    vendor_rows = cursor.rowcount
    cursor.execute(LAST_BEFORE, params)
    # The planner needs the month's size and rough spread, not fine histograms:
    # a tenth of the default sample is enough and a tenth of the time.
    cursor.execute("SET LOCAL default_statistics_target = 10")
    cursor.execute("ANALYZE audit_rows")
    cursor.execute("RESET default_statistics_target")
    # Without its statistics the planner hashes the month to join this small
    # table, not the other way round.
    cursor.execute("ANALYZE audit_last_before")
    logger.info(
        "audit rows of %s loaded: %.2f s", period.label, time.monotonic() - began
    )
    return rules.AuditContext(
        label=period.label,
        start=start,
        end=end,
        cursor=cursor,
        vendor_rows=vendor_rows,
    )


# Everything the dashboard draws, counted in one pass over the period's searches:
# per day and source (with the purpose of the department's own), per person
# (the department's accounts, whether they searched here or on a vendor's
# portal), and per source.
FIGURES = """
SELECT GROUPING(local_day) = 1 AS by_person, local_day, source, purpose,
       actor_label, (source = 'own' OR officer_id IS NOT NULL) AS departments,
       count(*)
FROM audit_rows
GROUP BY GROUPING SETS (
    (local_day, source, purpose),
    (actor_label, (source = 'own' OR officer_id IS NOT NULL))
)
ORDER BY by_person, local_day, source, purpose, count(*) DESC, actor_label
"""


def _figures(cursor, per_rule: dict[str, int]) -> dict[str, Any]:
    """What the dashboard draws, counted while the scratch table is there."""
    by_day: dict[str, dict[str, int]] = defaultdict(dict)
    vendor_by_day: dict[str, dict[str, int]] = defaultdict(dict)
    by_actor: list[list[Any]] = []
    sources: dict[str, int] = defaultdict(int)
    cursor.execute(FIGURES)
    for by_person, day, source, purpose, label, departments, n in cursor.fetchall():
        if by_person:
            # Searches by no account of the department are not drawn per person.
            if departments:
                by_actor.append([label, n])
            continue
        sources[source] += n
        if source == "own":
            by_day[day.isoformat()][purpose] = n
        else:
            vendor_by_day[day.isoformat()][source] = n
    return {
        "rules": per_rule,
        "findings": sum(per_rule.values()),
        "searches_by_day_purpose": dict(by_day),
        "searches_by_officer": by_actor,
        "vendor_by_day_kind": dict(vendor_by_day),
        "searches_by_source": dict(sources),
        "searches": sum(sources.values()),
    }


# --- Running the rules -------------------------------------------------------------

FINDING_COLUMNS = (
    "rule, severity, subject_type, subject_id, subject_at, officer_id, actor_label, "
    "detail"
)

INSERT_SQL_FINDINGS = """
INSERT INTO audits_finding (period_id, status, created_at, first_review_recommendation,
    first_review_note, note, rule, severity, subject_type, subject_id, subject_at,
    officer_id, actor_label, detail)
SELECT %(period)s, %(status)s, %(now)s, '', '', '', %(rule)s,
       coalesce(q.severity, %(severity)s), q.subject_type, q.subject_id,
       q.subject_at, q.officer_id, left(q.actor_label, 200), left(q.detail, 300)
FROM ({select}) AS q ({columns})
{guard}
"""

# On a re-run, what the rule found before is left alone (and stays as reviewed).
# Only then is ON CONFLICT needed: on a rule's first run over the period, its
# speculative insertion of every row is pure cost, and the unique constraint
# stands behind the plain INSERT (the period is locked, nothing else adds
# findings meanwhile). An anti-join instead is no cheaper: just after a bulk
# insert the table's statistics are stale and the planner may loop over it.
RERUN_GUARD = """
ON CONFLICT (period_id, rule, subject_type, subject_id) DO NOTHING
"""


def _insert_findings(cursor, period: AuditPeriod, hits: list[tuple], now) -> None:
    """Adds Python rules' findings not already recorded for the period, by COPY
    into a scratch table and one INSERT ... ON CONFLICT."""
    if not hits:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in hits:
        writer.writerow([NULL if value is None else value for value in row])
    buffer.seek(0)
    cursor.execute(
        "CREATE TEMP TABLE audits_new_finding (rule varchar(40), severity "
        "varchar(6), subject_type varchar(40), subject_id bigint, "
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
        with connection.cursor() as cursor:
            ctx = open_context(period, cursor)
            ctx.now = now

            found_before = set(
                Finding.objects.filter(period=period)
                .order_by()
                .values_list("rule", flat=True)
                .distinct()
            )
            python_hits: list[tuple] = []
            for rule in rules.enabled_rules():
                began = time.monotonic()
                if rule.kind == "sql":
                    built = rule.func(ctx, rule.params())
                    if built is None:
                        continue
                    select, params = built
                    cursor.execute(
                        INSERT_SQL_FINDINGS.format(
                            select=select,
                            columns=rules.FINDING_SELECT,
                            guard=RERUN_GUARD if rule.name in found_before else "",
                        ),
                        {
                            **params,
                            "period": period.pk,
                            "status": Finding.Status.NEEDS_REVIEW,
                            "now": now,
                            "rule": rule.name,
                            "severity": rule.severity,
                        },
                    )
                    logger.debug("rule %s: %.2f s", rule.name, time.monotonic() - began)
                    continue
                for hit in rules.python_hits(rule, ctx):
                    python_hits.append(
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
            _insert_findings(cursor, period, python_hits, now)
            began = time.monotonic()
            counts = dict(
                Finding.objects.filter(period=period)
                .values_list("rule")
                .annotate(n=Count("id"))
                .values_list("rule", "n")
            )
            per_rule = {name: counts.get(name, 0) for name in rules.RULES}
            for name, n in counts.items():
                per_rule.setdefault(name, n)
            figures = _figures(cursor, per_rule)
            scratch = ["audit_rows", "audit_last_before", *ctx.scratch_tables()]
            cursor.execute(f"DROP TABLE {', '.join(scratch)}")
        period.figures = figures
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
                "searches": figures["searches"],
                "rules": per_rule,
            },
        )
    logger.info(
        "audit of %s: %s searches read, committed %.2f s after the rules",
        period.label,
        figures["searches"],
        time.monotonic() - began,
    )
    return RunResult(period, per_rule, frozen=False)


# --- Reviewing findings -----------------------------------------------------------


class _Refused(Exception):
    """Raised inside a service's transaction so nothing of the act is kept; the
    refusal is then recorded in a transaction of its own."""

    def __init__(self, reason: str, target) -> None:
        super().__init__(reason)
        self.reason = reason
        self.target = target


def _record_refusal(actor: Actor, refused: _Refused, event_type: EventType) -> None:
    target = refused.target
    record_refusal(
        event_type,
        actor=actor,
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


def awaited_first_reviewer(finding: Finding, decider: "Officer") -> "Officer | None":
    """The supervisor whose first review must come before ``decider`` decides, or
    None when nothing stands in the way (no supervisor, an inactive one, the
    decider is that supervisor, or the first review is given)."""
    supervisor = finding.officer.supervisor if finding.officer else None
    if (
        supervisor is not None
        and supervisor.pk != decider.pk
        and supervisor.is_active
        and finding.first_review_at is None
    ):
        return supervisor
    return None


def first_review_awaited_message(supervisor: "Officer") -> str:
    return (
        f"{supervisor.display_name} (the officer's supervisor) gives the "
        "first review before the Captain decides."
    )


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
                raise _Refused(reason, finding)
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
            supervisor = awaited_first_reviewer(finding, officer)
            if reason is None and supervisor is not None:
                reason = first_review_awaited_message(supervisor)
            if reason:
                raise _Refused(reason, finding)
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
