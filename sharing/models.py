"""The organisation registry, and (with the sharing work) requests to share data.

Every body the department deals with is registered once with what the statute
cares about: where its authority comes from (Virginia, another state, federal) and
what kind of body it is. Sharing, network-audit review and reports all read it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def virginia_law_enforcement(self) -> "OrganisationQuerySet":
        return self.filter(
            jurisdiction=Organisation.Jurisdiction.VIRGINIA,
            kind=Organisation.Kind.LAW_ENFORCEMENT,
        )

    def awaiting_classification(self) -> "OrganisationQuerySet":
        return self.filter(needs_classification=True)


class Organisation(models.Model):
    class Jurisdiction(models.TextChoices):
        VIRGINIA = "virginia", "Virginia"
        OTHER_STATE = "other_state", "Another state"
        FEDERAL = "federal", "Federal"

    class Kind(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
        PROSECUTOR = "prosecutor", "Prosecutor (attorney for the Commonwealth)"
        COURT = "court", "Court"
        DEFENCE = "defence", "Defendant or defence counsel"
        VENDOR = "vendor", "Vendor"
        PRIVATE = "private", "Private entity"
        COMMERCIAL = "commercial", "Commercial entity"
        PUBLIC = "public", "The public"

    name = models.CharField(max_length=200, unique=True)
    # Originating Agency Identifier (9 characters, e.g. VA0000000), when it has one.
    ori = models.CharField(max_length=9, blank=True)
    jurisdiction = models.CharField(max_length=12, choices=Jurisdiction.choices)
    state = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Names seen in vendor exports that mean this organisation.
    aliases = models.JSONField(default=list, blank=True)
    # Set when an import met this name and nobody has classified it yet; the
    # Captain confirms jurisdiction and kind before it counts as known.
    needs_classification = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ori"], condition=~models.Q(ori=""), name="organisation_ori"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_virginia_law_enforcement(self) -> bool:
        return (
            self.jurisdiction == self.Jurisdiction.VIRGINIA
            and self.kind == self.Kind.LAW_ENFORCEMENT
        )


class SharingRequestQuerySet(models.QuerySet["SharingRequest"]):
    def visible_to(self, user) -> "SharingRequestQuerySet":
        """Requesters see their own requests; the Captain, the Chief and records
        staff see all (approval, oversight, dissemination records)."""
        from .permissions import oversees_sharing

        if oversees_sharing(user):
            return self
        return self.filter(requested_by=user)

    def pending(self) -> "SharingRequestQuerySet":
        return self.filter(status=SharingRequest.Status.PENDING)


def _document_path(instance: "SharingRequest", filename: str) -> str:
    # Uploaded legal documents live under MEDIA_ROOT, which no URL serves: they
    # are read back only through the sharing views, behind the same checks.
    return f"private/sharing/documents/{instance.requested_at:%Y/%m}/{filename}"


def _acknowledgment_path(instance: "Acknowledgment", filename: str) -> str:
    return f"private/sharing/acknowledgments/{instance.recorded_at:%Y/%m}/{filename}"


class SharingRequest(models.Model):
    """A request to share exact data with one recipient on one §9.C ground.

    The rules it must satisfy are ``sharing.rules.check_share``; the only write
    paths are in ``sharing.services``. Reads are copied (plate, state, time,
    camera, id) because the read itself is destroyed after 21 days and nothing
    holds a foreign key into the partitioned reads table.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting the Captain"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        DISSEMINATED = "disseminated", "Disseminated"

    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sharing_requests"
    )
    ground = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=20)
    purpose = models.CharField(max_length=1, blank=True)
    case_number = models.CharField(max_length=40, blank=True)
    proceeding_number = models.CharField(max_length=60, blank=True)
    document_number = models.CharField(max_length=60, blank=True)
    document_court = models.CharField(max_length=200, blank=True)
    document_date = models.DateField(null=True, blank=True)
    document_file = models.FileField(upload_to=_document_path, blank=True)
    alert_text = models.TextField(blank=True)
    justification = models.TextField()
    # The data: the search its reads came from, the reads' copies, and plain ids
    # of hot-list entries and audit records (by chain sequence number).
    search = models.ForeignKey(
        "queries.Search",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    read_copies = models.JSONField(default=list, blank=True)
    # Checked at request, approval and sending (exist, on a list the requester
    # may see); what leaves is copied into the package (``services.entry_copies``).
    hotlist_entry_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    audit_seqs = ArrayField(models.BigIntegerField(), default=list, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = SharingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ground__gte=1, ground__lte=6),
                name="sharing_request_ground_1_to_6",
            ),
            # Separation of duties, enforced by the database as well.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="sharing_request_not_self_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Sharing request {self.pk} to {self.recipient}"

    @property
    def read_ids(self) -> list[int]:
        return [copy["id"] for copy in self.read_copies]

    @property
    def read_copies_for_display(self) -> list[dict]:
        """The copies with their capture time as a datetime, for templates."""
        return [
            {**copy, "captured_at": datetime.fromisoformat(copy["captured_at"])}
            for copy in self.read_copies
        ]

    @property
    def item_count(self) -> int:
        return (
            len(self.read_copies) + len(self.hotlist_entry_ids) + len(self.audit_seqs)
        )

    def get_ground_display(self) -> str:
        from .rules import Ground

        return Ground(self.ground).label

    def get_basis_display(self) -> str:
        from .rules import Basis

        return Basis(self.basis).label if self.basis in Basis.values else self.basis


class Acknowledgment(models.Model):
    """A receiving agency's written undertaking to follow §9 with the data.

    Recorded before anything leaves for a law-enforcement recipient.
    """

    request = models.OneToOneField(
        SharingRequest, on_delete=models.PROTECT, related_name="acknowledgment"
    )
    signed_by = models.CharField(max_length=200)
    signed_on = models.DateField()
    statement = models.TextField()
    file = models.FileField(upload_to=_acknowledgment_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Acknowledgment by {self.signed_by} for request {self.request_id}"


class DisseminationQuerySet(models.QuerySet["Dissemination"]):
    def visible_to(self, user) -> "DisseminationQuerySet":
        from .permissions import oversees_sharing

        if oversees_sharing(user):
            return self
        return self.filter(request__requested_by=user)


class Dissemination(models.Model):
    """What left the department, when, how, to whom, and a checksum of it.

    Audit-trail data: append-only in the database (``audits.sql.protect_table``).
    """

    class Method(models.TextChoices):
        ELECTRONIC = "electronic", "Secure electronic transfer"
        MEDIA = "media", "Physical media handed over"
        IN_PERSON = "in_person", "Shown in person"
        PUBLIC = "public", "Published to the public"
        VENDOR_ACCESS = "vendor_access", "Vendor access for maintenance"

    request = models.OneToOneField(
        SharingRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dissemination",
    )
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="disseminations"
    )
    ground = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=16, choices=Method.choices)
    # The person at the recipient who received it.
    received_by = models.CharField(max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(db_index=True)
    # What left: counts and ids (never the plates themselves).
    contents = models.JSONField(default=dict)
    description = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()

    objects = DisseminationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Dissemination {self.pk} to {self.recipient}"


class Export(models.Model):
    """One download: search results (CSV or PDF) or an audit-trail extract.

    Audit-trail data: append-only. The file itself is not kept; its checksum is,
    so a copy found later can be traced to this row by its watermark and hash.
    """

    class Kind(models.TextChoices):
        SEARCH_CSV = "search_csv", "Search results (CSV)"
        SEARCH_PDF = "search_pdf", "Search results (PDF)"
        AUDIT_CSV = "audit_csv", "Audit trail for an audit report (CSV)"

    public_id = models.UUIDField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    search = models.ForeignKey(
        "queries.Search",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(max_length=1, blank=True)
    case_number = models.CharField(max_length=40, blank=True)
    # For audit-trail downloads: the report they serve and the period covered.
    report = models.CharField(max_length=200, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    row_count = models.IntegerField()
    read_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.public_id}"


class FoiaRequest(models.Model):
    """A Virginia FOIA request for system or audit-trail data: recorded, and
    answered as refused under §9.A (Code of Virginia § 2.2-5517). Never fulfilled.
    """

    received_on = models.DateField()
    requester = models.CharField(max_length=200)
    description = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    answer = models.TextField()
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = "FOIA request"

    def __str__(self) -> str:
        return f"FOIA request {self.pk} from {self.requester}"


class NetworkAccessGrantQuerySet(models.QuerySet["NetworkAccessGrant"]):
    def active(self, now: datetime) -> "NetworkAccessGrantQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def due_for_review(self, now: datetime) -> "NetworkAccessGrantQuerySet":
        """Active grants not reviewed in the last review period (monthly)."""
        cutoff = now - timedelta(days=settings.FLOCKGOV_NETWORK_GRANT_REVIEW_DAYS)
        return self.active(now).filter(reviewed_at__lte=cutoff)


class NetworkAccessGrant(models.Model):
    """§9.C.1: another Virginia law-enforcement agency may query our data.

    Granted per agency by the Captain, with an expiry, reviewed monthly.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="network_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    justification = models.TextField()
    # A grant counts as reviewed when it is made.
    reviewed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = NetworkAccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(revoked_at__isnull=True),
                name="sharing_one_open_grant_per_agency",
            )
        ]

    def __str__(self) -> str:
        return (
            f"Network access for {self.organisation} until {self.expires_at:%Y-%m-%d}"
        )

    def is_active(self, *, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class SharingSettings(models.Model):
    """A record of the department's sharing settings: either the set the Captain
    approved, or a daily snapshot compared against it. Append-only history."""

    class Kind(models.TextChoices):
        APPROVED = "approved", "Approved by the Captain"
        SNAPSHOT = "snapshot", "Daily snapshot"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    taken_at = models.DateTimeField(db_index=True)
    values = models.JSONField()
    digest = models.CharField(max_length=64)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Snapshots only: whether it matched the approved set, and how not.
    matches_approved = models.BooleanField(null=True)
    differences = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name_plural = "sharing settings"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.taken_at:%Y-%m-%d %H:%M}"
