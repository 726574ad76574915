"""The audit trail: one append-only, hash-chained record per act."""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.db import models

from flockgov.db.expressions import DatabaseGenerated

from .events import EventType, Outcome

GENESIS_HASH = "0" * 64


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def in_chain_order(self) -> "AuditEventQuerySet":
        return self.order_by("seq")

    def between(self, start: datetime, end: datetime) -> "AuditEventQuerySet":
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)

    def searches(self) -> "AuditEventQuerySet":
        return self.filter(event_type__in=[EventType.SEARCH, EventType.SEARCH_REFUSED])


class AuditEvent(models.Model):
    """One act, who did it, when, from where, and its outcome.

    The table is partitioned by month (see ``audits/sql.py``); its primary key
    includes ``occurred_at``, so nothing holds a foreign key into it. Rows are never
    updated: a database trigger refuses it, and the application's database role has
    no UPDATE or DELETE privilege. Each row carries the hash of the previous one, so
    an edit, a deletion or a reordering made behind the application's back is found
    by ``manage.py verify_audit_trail``.
    """

    pk = models.CompositePrimaryKey("id", "occurred_at")
    id = models.BigIntegerField(db_default=DatabaseGenerated(), editable=False)
    occurred_at = models.DateTimeField()
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    event_type = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copied so the record reads on its own, whatever happens to the account.
    actor_label = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=16)
    os_user = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True)
    request_id = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    data = models.JSONField()
    # The django-auditlog entry with field-level changes, when there is one.
    logentry_id = models.BigIntegerField(null=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["seq"], name="audits_auditevent_seq"),
            models.Index(
                fields=["event_type", "occurred_at"], name="audits_auditevent_type_time"
            ),
            models.Index(
                fields=["actor", "occurred_at"], name="audits_auditevent_actor_time"
            ),
            models.Index(
                fields=["object_type", "object_id"], name="audits_auditevent_object"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} by {self.actor_label}"

    @property
    def event_label(self) -> str:
        try:
            return EventType(self.event_type).label
        except ValueError:
            return self.event_type

    def chained_fields(self) -> dict[str, object]:
        """Everything the hash covers: the whole record but its id and hash."""
        return {
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(
                timespec="microseconds"
            ),
            "event_type": self.event_type,
            "outcome": self.outcome,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "actor_role": self.actor_role,
            "os_user": self.os_user,
            "ip": self.ip,
            "request_id": self.request_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "summary": self.summary,
            "data": self.data,
            "logentry_id": self.logentry_id,
        }

    def compute_hash(self) -> str:
        payload = canonical_json(self.chained_fields()).encode("utf-8")
        return hashlib.sha256(payload).hexdigest()


class DailyCount(models.Model):
    """A statistic with no plate in it: one counter per metric, key and day.

    Reads live 21 days, but reports and the transparency page need longer figures
    (reads per camera per day, hits per hot list per day, searches per purpose).
    ``day`` is a calendar day in the department's time zone.
    """

    class Metric(models.TextChoices):
        READS = "reads", "Reads per camera"
        HITS = "hits", "Hot-list hits per list"
        SEARCHES = "searches", "Searches per purpose"

    day = models.DateField()
    metric = models.CharField(max_length=16, choices=Metric.choices)
    key = models.CharField(max_length=100)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "key"], name="audits_dailycount_unique"
            )
        ]
        indexes = [models.Index(fields=["metric", "day"])]

    def __str__(self) -> str:
        return f"{self.metric}/{self.key} on {self.day}: {self.count}"


# --- The Captain's audit: periods, findings, vendor audit rows --------------------


class AuditPeriodQuerySet(models.QuerySet["AuditPeriod"]):
    def signed(self) -> "AuditPeriodQuerySet":
        return self.filter(signed_at__isnull=False)


class AuditPeriod(models.Model):
    """A month (§7.A) or a week (the CJIS weekly review) of use under audit.

    ``start`` and ``end`` are calendar days in the department's time zone; ``end``
    is exclusive. Once the Captain signs the period its figures are frozen: a
    later run of the rules reports them and changes nothing.
    """

    class Kind(models.TextChoices):
        MONTH = "month", "Month"
        WEEK = "week", "Week"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    # Per-rule finding counts and dashboard aggregates as of the last run.
    figures = models.JSONField(default=dict, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sign_off_note = models.TextField(blank=True)
    # The audit trail's last record when the period was signed: anyone can later
    # prove the trail up to this point is the one the Captain signed.
    chain_head_seq = models.BigIntegerField(null=True, blank=True)
    chain_head_hash = models.CharField(max_length=64, blank=True)

    objects = AuditPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="audit_period_once")
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.MONTH:
            return f"{self.start:%B %Y}"
        return f"week of {self.start:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def label(self) -> str:
        if self.kind == self.Kind.MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%G-W%V}"


class FindingQuerySet(models.QuerySet["Finding"]):
    def open(self) -> "FindingQuerySet":
        return self.filter(status=Finding.Status.NEEDS_REVIEW)

    def visible_to(self, user) -> "FindingQuerySet":
        """Auditors see every finding; a supervisor those of the officers they
        supervise; nobody sees findings about their own searches."""
        if user.may_read_audit_trail():
            return self.exclude(officer=user)
        if user.role == "supervisor":
            return self.filter(officer__supervisor=user)
        return self.none()


class Finding(models.Model):
    """One record a rule flagged, and what review made of it.

    The subject is named by type and id (``queries.search``, ``audits.vendorsearch``
    and, after the hot-list and sharing work, their records), so new rules need no
    schema change. Status moves Needs review -> Justified (with a note) or
    Violation; a supervisor may give a first review, the Captain decides.
    """

    class Status(models.TextChoices):
        NEEDS_REVIEW = "needs_review", "Needs review"
        JUSTIFIED = "justified", "Justified"
        VIOLATION = "violation", "Violation"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    # Indexes are kept to what the queue and the dashboard read: a month can
    # bring hundreds of thousands of findings, and each index slows their insert.
    # No database-level foreign keys at all: PostgreSQL queues a check of every
    # inserted row for each one, even for the reviewers' columns that a run
    # leaves empty, and runs them at commit (seconds for a million-search month).
    # Periods and accounts are never deleted (PROTECT, enforced by Django); the
    # run writes its ids from rows it just read, and the review services theirs
    # from the signed-in account.
    period = models.ForeignKey(
        AuditPeriod,
        on_delete=models.PROTECT,
        related_name="findings",
        db_index=False,
        db_constraint=False,
    )
    # Byte-order collation: these columns make up the unique key, and comparing
    # them byte by byte instead of by locale halves the cost of each insert.
    rule = models.CharField(max_length=40, db_collation="C")
    severity = models.CharField(max_length=6, choices=Severity.choices)
    subject_type = models.CharField(max_length=40, db_collation="C")
    # Every subject (a search, a vendor's search, a hot-list entry, a request,
    # a dissemination, a grant) has a numeric key; a number is also a cheaper
    # part of the unique key than text, for the hundreds of thousands of
    # findings a month can bring.
    subject_id = models.BigIntegerField()
    subject_at = models.DateTimeField()
    # The department's account, when the subject is the department's own act.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_findings",
        db_index=False,
        db_constraint=False,
    )
    # Who acted, as the record names it (a vendor export's user or organisation).
    actor_label = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300)
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.NEEDS_REVIEW,
        db_collation="C",
    )
    first_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    first_review_at = models.DateTimeField(null=True, blank=True)
    first_review_recommendation = models.CharField(
        max_length=12, choices=Status.choices, blank=True
    )
    first_review_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-severity", "subject_at"]
        constraints = [
            # Re-running the rules over a period adds nothing already found.
            models.UniqueConstraint(
                fields=["period", "rule", "subject_type", "subject_id"],
                name="finding_once_per_rule",
            )
        ]
        indexes = [
            # Only reviewed findings: they are the few the dashboard counts by
            # status, and a run's hundreds of thousands of new findings, all
            # still to review, then add nothing to this index.
            models.Index(
                fields=["period", "status"],
                condition=~models.Q(status="needs_review"),
                name="finding_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Finding {self.pk}: {self.rule} on {self.subject_type} {self.subject_id}"
        )

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.NEEDS_REVIEW

    @property
    def rule_label(self) -> str:
        """The rule as people read it (a retired rule by its stored name)."""
        from .rules import RULES

        found = RULES.get(self.rule)
        return found.label if found else self.rule


class VendorSearch(models.Model):
    """One search from a vendor audit export (Flock's Organization Audit, Network
    Audit or transparency-portal search audit).

    Officers can search in the vendor's own system too, so these rows go through
    the same rules as the department's own searches. ``row_hash`` is the hash of
    the normalised row: importing the same row again is recognised and skipped.
    """

    class Kind(models.TextChoices):
        ORG = "org", "Organization audit (our officers)"
        NETWORK = "network", "Network audit (others searching our cameras)"
        PORTAL = "portal", "Transparency portal search audit"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    row_hash = models.CharField(max_length=64, unique=True)
    source_file = models.CharField(max_length=200)
    source_line = models.IntegerField()
    vendor_id = models.CharField(max_length=100, blank=True)
    user_label = models.CharField(max_length=200, blank=True)
    org_name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "sharing.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vendor_searches",
    )
    # The department's account behind the row, when its name matches one.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    searched_at = models.DateTimeField(db_index=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    networks_searched = models.IntegerField(null=True, blank=True)
    devices_searched = models.IntegerField(null=True, blank=True)
    plate = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    case_number = models.CharField(max_length=100, blank=True)
    offense_type = models.CharField(max_length=300, blank=True)
    filters = models.TextField(blank=True)
    search_type = models.CharField(max_length=60, blank=True)
    text_prompt = models.TextField(blank=True)
    moderation = models.CharField(max_length=20, blank=True)
    # Column names whose value the vendor masked (``***``, ``REDACTED`` ...).
    masked = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-searched_at"]
        indexes = [models.Index(fields=["kind", "searched_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} search {self.vendor_id or self.pk}"
