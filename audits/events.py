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
    # The Captain's audit (audits app): periods, findings, sign-off, vendor imports
    AUDIT_RUN = "audit.run", "Audit rules run"
    FINDING_REVIEWED = "audit.finding_reviewed", "Finding given a first review"
    FINDING_DECIDED = "audit.finding_decided", "Finding decided"
    FINDING_REFUSED = "audit.finding_refused", "Finding review refused"
    PERIOD_SIGNED = "audit.period_signed", "Audit period signed off"
    PERIOD_SIGN_REFUSED = "audit.period_sign_refused", "Audit sign-off refused"
    VENDOR_AUDIT_IMPORTED = "audit.vendor_imported", "Vendor audit export imported"
    AUDIT_REPORT_MADE = "audit.report_made", "Audit report produced"


def describe(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type
