"""The organisation registry, and (with the sharing work) requests to share data.

Every body the department deals with is registered once with what the statute
cares about: where its authority comes from (Virginia, another state, federal) and
what kind of body it is. Sharing, network-audit review and reports all read it.
"""

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
