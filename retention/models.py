"""Legal holds, the hold vault, and the record of each purge run.

A legal hold (policy §8.C) keeps the reads and audit records an investigation,
prosecution or civil action needs past their normal destruction date. What a hold
covers is *copied* into the vault (``HeldRead``, ``HeldAuditRecord``) when the hold
takes it, so the purge never has to reason row by row: it drops whole expired
partitions and deletes boundary rows without looking at holds, and the vault keeps
the held copies until the hold is released and they fall due under the normal rule.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> "LegalHoldQuerySet":
        return self.filter(released_at__isnull=True)

    def for_case(self, case_number: str) -> "LegalHoldQuerySet":
        return self.filter(case_number=case_number)

    def with_vault_counts(self) -> "LegalHoldQuerySet":
        """Adds ``reads_kept`` and ``audit_records_kept``: this hold's own vault
        copies (a subquery each, so a list page costs one query)."""

        def kept(model) -> models.Func:
            counted = (
                model.objects.filter(hold=models.OuterRef("pk"))
                .order_by()
                .values("hold")
                .annotate(n=models.Count("*"))
                .values("n")
            )
            return Coalesce(models.Subquery(counted), 0)

        return self.annotate(
            reads_kept=kept(HeldRead), audit_records_kept=kept(HeldAuditRecord)
        )


class LegalHold(models.Model):
    class Kind(models.TextChoices):
        INVESTIGATION = "investigation", "Ongoing investigation"
        PROSECUTION = "prosecution", "Prosecution"
        CIVIL_ACTION = "civil_action", "Civil action"

    class ReleaseReason(models.TextChoices):
        NO_CHARGES = "no_charges", "Investigation concluded without criminal charges"
        FINAL_DISPOSITION = (
            "final_disposition",
            "Final disposition, including direct appeals and habeas corpus",
        )

    case_number = models.CharField(max_length=40, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The court docket, prosecutor's file or agency reference the hold answers to.
    reference = models.CharField(max_length=200)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    release_reason = models.CharField(
        max_length=20, choices=ReleaseReason.choices, blank=True
    )
    # The day the investigation closed or the matter reached final disposition.
    release_date = models.DateField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # One open hold per case: more coverage is added to it, not a twin.
            models.UniqueConstraint(
                fields=["case_number"],
                condition=models.Q(released_at__isnull=True),
                name="retention_one_active_hold_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.case_number} ({self.get_kind_display()})"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class HoldCoverage(models.Model):
    """One request to extend a hold: what was asked for and what it took."""

    class Method(models.TextChoices):
        SEARCH = "search", "Reads returned by a search"
        PLATE = "plate", "A plate within a time window"
        CASE = "case", "Everything recorded under a case number"

    hold = models.ForeignKey(
        LegalHold, on_delete=models.PROTECT, related_name="coverage"
    )
    method = models.CharField(max_length=8, choices=Method.choices)
    search_id = models.BigIntegerField(null=True, blank=True)
    plate = models.CharField(max_length=64, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    case_number = models.CharField(max_length=40, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    reads_taken = models.IntegerField(default=0)
    reads_missing = models.IntegerField(default=0)
    audit_records_taken = models.IntegerField(default=0)

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} for {self.hold}"


class HeldReadQuerySet(models.QuerySet["HeldRead"]):
    def under_active_hold(self) -> "HeldReadQuerySet":
        return self.filter(hold__released_at__isnull=True)

    def for_case(self, case_number: str) -> "HeldReadQuerySet":
        return self.filter(
            hold__released_at__isnull=True, hold__case_number=case_number
        )

    def due_for_purge(self, cutoff: datetime) -> "HeldReadQuerySet":
        """Copies whose hold was released and whose read is past retention."""
        return self.filter(hold__released_at__isnull=False, captured_at__lte=cutoff)


class HeldRead(models.Model):
    """The vault copy of a read under legal hold (the read's own columns)."""

    hold = models.ForeignKey(LegalHold, on_delete=models.PROTECT, related_name="reads")
    read_id = models.BigIntegerField()
    captured_at = models.DateTimeField()
    plate = models.CharField(max_length=64)
    plate_hashed = models.BooleanField(default=False)
    state = models.CharField(max_length=2, blank=True, default="")
    camera = models.ForeignKey(
        "queries.Camera", on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    make = models.CharField(max_length=32, blank=True, default="")
    color = models.CharField(max_length=32, blank=True, default="")
    confidence = models.FloatField(null=True)
    image_ref = models.CharField(max_length=255, blank=True, default="")
    source = models.CharField(max_length=100, blank=True, default="")
    held_at = models.DateTimeField()

    objects = HeldReadQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hold", "read_id"], name="retention_heldread_once_per_hold"
            )
        ]
        indexes = [
            models.Index(fields=["plate", "captured_at"], name="retention_held_plate"),
            models.Index(fields=["captured_at"], name="retention_held_captured"),
        ]

    def __str__(self) -> str:
        return f"held read {self.read_id} ({self.hold.case_number})"


class HeldAuditRecord(models.Model):
    """The vault copy of an audit-trail record under legal hold.

    ``content`` is the whole row as the trail stored it (hash included), so a held
    audit record can still be checked against its chain neighbours' copies.
    """

    class Source(models.TextChoices):
        AUDIT_EVENT = "audits.auditevent", "Audit event"
        SEARCH = "queries.search", "Search"
        # Evidence held from other apps' audit-trail data (with what hangs on it:
        # an alert's disposition and stop, a dissemination's request).
        ALERT = "hotlists.alert", "Hot-list alert"
        DISSEMINATION = "sharing.dissemination", "Dissemination"

    hold = models.ForeignKey(
        LegalHold, on_delete=models.PROTECT, related_name="audit_records"
    )
    source = models.CharField(max_length=32, choices=Source.choices)
    record_id = models.BigIntegerField()
    recorded_at = models.DateTimeField()
    content = models.JSONField()
    held_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hold", "source", "record_id"],
                name="retention_heldaudit_once_per_hold",
            )
        ]
        indexes = [models.Index(fields=["recorded_at"], name="retention_heldaudit_at")]

    def __str__(self) -> str:
        return f"held {self.source} {self.record_id} ({self.hold.case_number})"


class PurgeRunQuerySet(models.QuerySet["PurgeRun"]):
    def succeeded(self) -> "PurgeRunQuerySet":
        return self.filter(status=PurgeRun.Status.SUCCEEDED, dry_run=False)

    def last_success_at(self) -> datetime | None:
        run = self.succeeded().order_by("-finished_at").first()
        return run.finished_at if run else None


class PurgeRun(models.Model):
    """One purge attempt: when, how it ended and what it destroyed (counts only)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (worker or database lost)"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    dry_run = models.BooleanField(default=False)
    actor_label = models.CharField(max_length=150)
    reads_purged = models.BigIntegerField(default=0)
    audit_purged = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    partitions_dropped = models.JSONField(default=list)
    detail = models.CharField(max_length=300, blank=True)

    objects = PurgeRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"purge {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    def finish(self, status: str, *, now: datetime | None = None) -> None:
        self.status = status
        self.finished_at = now or timezone.now()
