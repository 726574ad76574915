"""Hot lists (NCIC and custom), their entries and the alerts they raise.

Alerts, their dispositions and the stops recorded on them are audit-trail data
(append-only, kept 2 years): they copy what they need from the read, which is
destroyed after 21 days and cannot be a foreign-key target (it is partitioned).
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from queries.models import Camera
from queries.purposes import Purpose

from .lookalike import lookalike_key


def custom_entry_lifetime() -> timedelta:
    return timedelta(hours=settings.FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS)


def ncic_stale_after() -> timedelta:
    return timedelta(hours=settings.FLOCKGOV_NCIC_STALE_AFTER_HOURS)


class Category(models.TextChoices):
    """What an entry is about: only the §3.C notification reasons exist here."""

    AMBER = "amber", "AMBER alert"
    MISSING = "missing", "Missing or endangered person"
    WARRANT = "warrant", "Outstanding warrant"
    TRAFFICKING = "trafficking", "Human trafficking"
    STOLEN_VEHICLE = "stolen_vehicle", "Stolen vehicle"
    STOLEN_PLATE = "stolen_plate", "Stolen plate"
    STOLEN_CANADIAN = "stolen_canadian", "Stolen Canadian vehicle or plate"


class HotListQuerySet(models.QuerySet["HotList"]):
    def visible_to(self, user) -> "HotListQuerySet":
        """Department lists for everyone; an owner-only list for its owner and the
        owner's supervisor."""
        return self.filter(
            Q(audience=HotList.Audience.DEPARTMENT)
            | Q(owner=user)
            | Q(owner__supervisor=user)
        )


class HotList(models.Model):
    class Source(models.TextChoices):
        # Shown on vendor portals as "NCIC - VSP": NCIC via Virginia State Police.
        NCIC = "ncic", "NCIC - VSP"
        AMBER = "amber", "AMBER"
        CUSTOM = "custom", "Custom"

    class Audience(models.TextChoices):
        DEPARTMENT = "department", "Every officer"
        OWNER = "owner", "The owner and the owner's supervisor"

    name = models.CharField(max_length=80, unique=True)
    # Short stable name used for counters and the command line.
    key = models.SlugField(max_length=40, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotlists",
    )
    audience = models.CharField(
        max_length=12, choices=Audience.choices, default=Audience.DEPARTMENT
    )
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    # The last import that replaced the list (NCIC) and its file.
    last_import_at = models.DateTimeField(null=True, blank=True)
    last_import_file = models.CharField(max_length=255, blank=True)

    objects = HotListQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_custom(self) -> bool:
        return self.source != self.Source.NCIC

    def is_stale(self, now: datetime | None = None) -> bool:
        """An NCIC list whose last good import is older than policy allows (§4.A)."""
        if self.source != self.Source.NCIC:
            return False
        if self.last_import_at is None:
            return True
        return (now or timezone.now()) - self.last_import_at > ncic_stale_after()

    def visible_to(self, user) -> bool:
        return (
            self.audience == self.Audience.DEPARTMENT
            or self.owner_id == user.pk
            or (self.owner is not None and self.owner.supervisor_id == user.pk)
        )


class HotListEntryQuerySet(models.QuerySet["HotListEntry"]):
    def active(self, now: datetime | None = None) -> "HotListEntryQuerySet":
        """Entries that alert now: not removed, not expired (expiry is exclusive:
        an entry whose ``expires_at`` is this instant no longer alerts)."""
        now = now or timezone.now()
        return self.filter(removed_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class HotListEntry(models.Model):
    # No database constraint: an NCIC import inserts up to a million rows, each of
    # which would run a referential check against the one list row. Lists are
    # never deleted (no path deletes one; PROTECT at the model level).
    hotlist = models.ForeignKey(
        HotList,
        on_delete=models.PROTECT,
        related_name="entries",
        db_constraint=False,
    )
    plate = models.CharField(max_length=10)
    # The plate with OCR look-alike characters folded (O/D/Q->0, I->1, ...);
    # matching probes its index for exact and look-alike candidates alike.
    lookalike_key = models.CharField(max_length=10)
    state = models.CharField(max_length=2, blank=True)
    plate_type = models.CharField(max_length=2, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    # NCIC records: the NIC (list code + 9 digits) and the originating agency.
    ncic_number = models.CharField(max_length=10, blank=True)
    ori = models.CharField(max_length=9, blank=True)
    entered_on = models.DateField(null=True, blank=True)
    vehicle_year = models.CharField(max_length=4, blank=True)
    vehicle_make = models.CharField(max_length=4, blank=True)
    vehicle_model = models.CharField(max_length=3, blank=True)
    vehicle_style = models.CharField(max_length=2, blank=True)
    vehicle_color = models.CharField(max_length=7, blank=True)
    vehicle_description = models.CharField(max_length=200, blank=True)
    # Custom entries: the §3 purpose, the reason and the case (required there).
    purpose = models.CharField(max_length=1, choices=Purpose.choices, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    case_number = models.CharField(max_length=40, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    # Entries are retired, not deleted, while an alert still points at them.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = HotListEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "hot-list entries"
        ordering = ["plate"]
        indexes = [
            models.Index(
                fields=["lookalike_key"],
                name="hotlists_entry_live_key",
                condition=Q(removed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.state} ({self.get_category_display()})"

    def save(self, *args, **kwargs):
        self.lookalike_key = lookalike_key(self.plate)
        super().save(*args, **kwargs)

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.removed_at is None and (
            self.expires_at is None or self.expires_at > now
        )

    def time_left(self, now: datetime | None = None) -> timedelta | None:
        if self.expires_at is None:
            return None
        return max(self.expires_at - (now or timezone.now()), timedelta(0))

    def may_be_verified_by(self, user) -> bool:
        """Only the entering officer or that officer's supervisor (§4.B)."""
        if self.entered_by_id is None:
            return False
        return user.pk == self.entered_by_id or (
            self.entered_by.supervisor_id is not None
            and self.entered_by.supervisor_id == user.pk
        )

    def vehicle_summary(self) -> str:
        parts = [
            self.vehicle_year,
            self.vehicle_make,
            self.vehicle_model,
            self.vehicle_style,
            self.vehicle_color,
        ]
        text = " ".join(p for p in parts if p)
        if self.vehicle_description:
            text = (
                f"{text}; {self.vehicle_description}"
                if text
                else (self.vehicle_description)
            )
        return text


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user) -> "AlertQuerySet":
        return self.filter(
            Q(hotlist__audience=HotList.Audience.DEPARTMENT)
            | Q(hotlist__owner=user)
            | Q(hotlist__owner__supervisor=user)
        )

    def open(self) -> "AlertQuerySet":
        return self.filter(disposition__isnull=True)

    def live(self) -> "AlertQuerySet":
        """Alerts that may page an officer: not raised from an old read."""
        return self.filter(historical=False)


class MatchKind(models.TextChoices):
    EXACT = "exact", "Exact plate"
    LOOKALIKE = "lookalike", "Look-alike (lower confidence)"


class Alert(models.Model):
    """A read that matched an active entry. Audit-trail data: append-only."""

    entry = models.ForeignKey(
        HotListEntry, on_delete=models.PROTECT, related_name="alerts"
    )
    hotlist = models.ForeignKey(HotList, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    # Copied from the read (which is destroyed after 21 days).
    read_id = models.BigIntegerField()
    read_plate = models.CharField(max_length=64)
    read_state = models.CharField(max_length=2, blank=True)
    read_captured_at = models.DateTimeField()
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="+")
    camera_name = models.CharField(max_length=120)
    camera_location = models.CharField(max_length=200, blank=True)
    # Copied from the entry as it stood when the alert was raised.
    entry_plate = models.CharField(max_length=10)
    entry_state = models.CharField(max_length=2, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    match_kind = models.CharField(max_length=10, choices=MatchKind.choices)
    substitutions = models.PositiveSmallIntegerField(default=0)
    # The NCIC list was older than 24 h when this alert was raised.
    list_stale = models.BooleanField(default=False)
    # The read was captured longer before the alert than the live window (a bulk
    # or historical import): the vehicle is long gone, so nobody is paged.
    historical = models.BooleanField(default=False)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Alert {self.pk}: {self.read_plate} on {self.hotlist_id}"

    def may_be_seen_by(self, user) -> bool:
        return self.hotlist.visible_to(user)


class Disposition(models.Model):
    """What the officer did with an alert (§5). One per alert, append-only."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Plate and vehicle confirmed against the record"
        INDEPENDENT = "independent", "Independent reasonable suspicion"
        MISREAD = "misread", "Misread: the read does not match the record"
        NO_ACTION = "no_action", "No action"

    # Outcomes on which a stop may lawfully follow (§5.A.1 and §5.A.2).
    STOP_ALLOWED = frozenset({Outcome.CONFIRMED, Outcome.INDEPENDENT})

    alert = models.OneToOneField(
        Alert, on_delete=models.PROTECT, related_name="disposition"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    # CONFIRMED: the fresh NCIC (or records) check made before acting.
    fresh_check = models.CharField(max_length=300, blank=True)
    # INDEPENDENT: what the suspicion rests on.
    suspicion = models.CharField(max_length=500, blank=True)
    note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} (alert {self.alert_id})"

    @property
    def allows_stop(self) -> bool:
        return self.outcome in self.STOP_ALLOWED


class Stop(models.Model):
    """The stop record of Code of Virginia § 52-30.2 for a stop based on an ALPR
    notification. Demographic data stays in the department's records system."""

    class Result(models.TextChoices):
        ARREST = "arrest", "Arrest"
        CITATION = "citation", "Summons or citation"
        WARNING = "warning", "Warning"
        NO_ENFORCEMENT = "none", "No enforcement action"
        RECOVERED = "recovered", "Vehicle or plate recovered"
        LOCATED = "located", "Missing or endangered person located"

    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="stop")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # Always true here: the record exists because an ALPR notification led to it.
    based_on_alpr = models.BooleanField(default=True)
    stopped_at = models.DateTimeField()
    location = models.CharField(max_length=200)
    reason = models.CharField(max_length=500)
    result = models.CharField(max_length=10, choices=Result.choices)
    result_detail = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"Stop on alert {self.alert_id}"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class IngestSource(models.Model):
    """A camera system or vendor integration allowed to post reads.

    Its key is shown once and stored only as a SHA-256 digest (the key is 256
    random bits, so a slow hash buys nothing). It can post reads and nothing else.
    """

    name = models.CharField(max_length=80, unique=True)
    key_prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
