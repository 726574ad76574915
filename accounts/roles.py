"""Roles and what each may do. Views ask these questions; they never compare roles."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    SUPERVISOR = "supervisor", "Supervisor"
    CAPTAIN = "captain", "Captain of Police Services"
    RECORDS = "records", "Records"
    ADMIN = "admin", "Administrator"
    CHIEF = "chief", "Chief of Police"


# Roles that search plates in the course of their duties.
SEARCHING_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.CAPTAIN})
# Roles that read the audit trail.
AUDIT_READING_ROLES = frozenset({Role.CAPTAIN, Role.CHIEF, Role.ADMIN})
