"""Accounts of the people who use flockgov."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import AUDIT_READING_ROLES, SEARCHING_ROLES, Role


class Officer(AbstractUser):
    """A person with an account: officer, supervisor, captain, records, admin, chief.

    One account per person (policy §7.B.1 forbids sharing).
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER)
    badge_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisees",
    )
    # Without a shift the department's normal hours apply to the off-shift rule.
    shift_start = models.TimeField(null=True, blank=True)
    shift_end = models.TimeField(null=True, blank=True)

    class Meta:
        verbose_name = "account"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def may_search(self) -> bool:
        return self.is_active and self.role in SEARCHING_ROLES

    def may_read_audit_trail(self) -> bool:
        return self.is_active and self.role in AUDIT_READING_ROLES


class Notice(models.Model):
    """One message in a person's notification centre (shown in every page header)."""

    class Level(models.TextChoices):
        INFO = "info", "Information"
        WARNING = "warning", "Warning"
        ALARM = "alarm", "Alarm"

    recipient = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="notices"
    )
    created_at = models.DateTimeField()
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.INFO)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject
