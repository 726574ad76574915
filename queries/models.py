"""Cameras, plate reads (system data) and the purpose-bound searches made of them."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from flockgov.db.expressions import DatabaseGenerated

from .purposes import Purpose


class Camera(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", "Fixed"
        VEHICLE = "vehicle", "Vehicle-mounted"
        TEMPORARY = "temporary", "Temporary"

    # The vendor's device id (e.g. "SPD2020621MDC"); how imports recognise a camera.
    device_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FIXED)
    location = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    installed_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def read_retention() -> timedelta:
    return timedelta(days=settings.FLOCKGOV_READ_RETENTION_DAYS)


def read_cutoff(now: datetime | None = None) -> datetime:
    """Reads captured at or before this instant are due for destruction.

    A read captured at ``t`` is due at ``t + period``: a read exactly the period old
    is due, one a microsecond younger is not. Counted in UTC: subtracting days from
    a local time would count wall-clock days, an hour off across a DST change.
    """
    return (now or timezone.now()).astimezone(UTC) - read_retention()


class PlateReadQuerySet(models.QuerySet["PlateRead"]):
    def retained(self, now: datetime | None = None) -> "PlateReadQuerySet":
        """Reads still inside the retention period."""
        return self.filter(captured_at__gt=read_cutoff(now))

    def due_for_purge(self, now: datetime | None = None) -> "PlateReadQuerySet":
        return self.filter(captured_at__lte=read_cutoff(now))


class PlateRead(models.Model):
    """One plate read: system data, destroyed 21 days after capture (§8.A).

    Partitioned by UTC capture day (see ``queries/sql.py``). The primary key
    includes ``captured_at``; records that refer to a read copy what they need and
    keep its id as a plain value.
    """

    pk = models.CompositePrimaryKey("id", "captured_at")
    id = models.BigIntegerField(db_default=DatabaseGenerated(), editable=False)
    captured_at = models.DateTimeField()
    # Normalised (upper case letters and digits), or a lower-case hex digest when
    # the plate arrived already hashed; hashed plates match exact searches only.
    plate = models.CharField(max_length=64)
    plate_hashed = models.BooleanField(default=False)
    state = models.CharField(max_length=2, blank=True, default="")
    # No database-level foreign key: PostgreSQL would check every stored read
    # against the camera table at commit, a sixth of what storing a read costs.
    # The guarantee stays: reads are stored only by ``queries.ingest`` with the id
    # of a camera it looked up or creates in the same transaction, and the
    # database refuses to delete a camera (``sql.CAMERAS_NEVER_DELETED``).
    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    make = models.CharField(max_length=32, blank=True, default="")
    color = models.CharField(max_length=32, blank=True, default="")
    confidence = models.FloatField(null=True)
    image_ref = models.CharField(max_length=255, blank=True, default="")
    source = models.CharField(max_length=100, blank=True, default="")

    objects = PlateReadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["plate", "captured_at"], name="queries_read_plate"),
            models.Index(fields=["captured_at"], name="queries_read_captured"),
            models.Index(fields=["camera", "captured_at"], name="queries_read_camera"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.state} at {self.captured_at:%Y-%m-%d %H:%M}"


class OffenseType(models.Model):
    """A value of the offense-type dropdown (the vendor's own list by default)."""

    name = models.CharField(max_length=120, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProhibitedTerm(models.Model):
    """A word or phrase that marks a purpose forbidden by §6.B.

    Justifications are screened against these at entry; a match refuses the search.
    """

    class Category(models.TextChoices):
        ASSEMBLY = "assembly", "Protest or lawful assembly"
        IMMIGRATION = "immigration", "Immigration status"
        REPRODUCTIVE = "reproductive", "Reproductive health care"
        SPEECH = "speech", "Protected speech"

    term = models.CharField(max_length=60, unique=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "term"]

    def __str__(self) -> str:
        return self.term


class SearchQuerySet(models.QuerySet["Search"]):
    def visible_to(self, user) -> "SearchQuerySet":
        """Officers see their own searches; auditors see all."""
        if user.may_read_audit_trail():
            return self
        return self.filter(officer=user)


class Search(models.Model):
    """A purpose-tagged plate search, kept as audit-trail data (2 years).

    Rows are append-only like the audit trail itself. ``read_ids`` holds the ids of
    the reads the search returned, so holds, exports and shares can be taken from
    it after the fact.
    """

    class Kind(models.TextChoices):
        EXACT = "exact", "Exact plate"
        PATTERN = "pattern", "Pattern"
        HASHED = "hashed", "Hashed plate (exact)"

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="searches"
    )
    created_at = models.DateTimeField(db_index=True)
    purpose = models.CharField(max_length=1, choices=Purpose.choices)
    case_number = models.CharField(max_length=40, blank=True)
    offense_type = models.CharField(max_length=120)
    justification = models.TextField()
    plate_query = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    camera_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    result_count = models.IntegerField()
    read_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    objects = SearchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "searches"
        indexes = [models.Index(fields=["officer", "created_at"])]

    def __str__(self) -> str:
        return f"Search {self.pk} by {self.officer_id} ({self.get_purpose_display()})"
