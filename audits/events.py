"""The one registry of audit event types.

Every ``AuditEvent`` names one of these. Adding an act to the product means adding
its type here, so the Captain's filters, the reports and the tests all see the same
vocabulary. Values are stable strings stored in the trail: never rename one.
"""

from django.db import models


class Outcome(models.TextChoices):
    SUCCESS = "success", "Succeeded"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class EventType(models.TextChoices):
    # Authentication and sessions
    LOGIN = "auth.login", "Password accepted"
    LOGIN_FAILED = "auth.login_failed", "Password refused"
    LOGOUT = "auth.logout", "Signed out"
    MFA_VERIFIED = "auth.mfa_verified", "Second factor accepted"
    MFA_FAILED = "auth.mfa_failed", "Second factor refused"
    MFA_ENROLLED = "auth.mfa_enrolled", "Second factor enrolled"
    # Accounts
    ACCOUNT_CREATED = "account.created", "Account created"
    ACCOUNT_CHANGED = "account.changed", "Account changed"
    # Plate searches
    SEARCH = "search.performed", "Plate search"
    SEARCH_REFUSED = "search.refused", "Plate search refused"
    # Reads
    READS_IMPORTED = "reads.imported", "Reads imported"
    # The audit trail itself
    AUDIT_VIEWED = "audit.viewed", "Audit trail viewed"
    # Configuration (field-level history is in django-auditlog's LogEntry)
    CONFIG_CHANGED = "config.changed", "Configuration changed"
    # Operations
    PARTITIONS_CREATED = "ops.partitions_created", "Storage partitions created"
    # Retention. An ``AUDIT_PURGED`` record is the chain's tombstone: its data holds
    # ``purged_through_seq`` (the last destroyed record's seq) and ``anchor_hash``
    # (that record's hash), so verification continues across the gap.
    READS_PURGED = "retention.reads_purged", "Reads destroyed"
    AUDIT_PURGED = "retention.audit_purged", "Audit records destroyed"
    # retention: legal holds, purge runs and their checks
    HOLD_OPENED = "retention.hold_opened", "Legal hold opened"
    HOLD_EXTENDED = "retention.hold_extended", "Data placed under a legal hold"
    HOLD_RELEASED = "retention.hold_released", "Legal hold released"
    HOLD_REFUSED = "retention.hold_refused", "Legal hold request refused"
    PURGE_PREVIEWED = "retention.purge_previewed", "Purge previewed (dry run)"
    PURGE_BUSY = "retention.purge_busy", "Purge not started: another one runs"
    PURGE_REFUSED = "retention.purge_refused", "Purge refused"
    PURGE_FAILED = "retention.purge_failed", "Purge failed"
    PURGE_OVERDUE = "retention.purge_overdue", "No purge has succeeded in time"
    RETENTION_VERIFIED = "retention.verified", "Retention verified"


def describe(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type
