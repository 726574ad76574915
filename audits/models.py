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
