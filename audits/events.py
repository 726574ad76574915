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
    # hotlists
    HOTLIST_CREATED = "hotlist.created", "Hot list created"
    HOTLIST_IMPORTED = "hotlist.imported", "Hot list imported"
    HOTLIST_IMPORT_REFUSED = "hotlist.import_refused", "Hot-list import refused"
    HOTLIST_ENTRY_ADDED = "hotlist.entry_added", "Hot-list entry added"
    HOTLIST_ENTRY_REFUSED = "hotlist.entry_refused", "Hot-list entry refused"
    HOTLIST_ENTRY_VERIFIED = "hotlist.entry_verified", "Hot-list entry re-verified"
    HOTLIST_ENTRY_REMOVED = "hotlist.entry_removed", "Hot-list entry removed"
    HOTLIST_NCIC_STALE = "hotlist.ncic_stale", "NCIC list stale"
    HOTLIST_NCIC_FRESH = "hotlist.ncic_fresh", "NCIC list fresh again"
    ALERTS_RAISED = "alert.raised", "Hot-list alerts raised"
    ALERT_VIEWED = "alert.viewed", "Alert viewed"
    ALERT_DISPOSED = "alert.disposed", "Alert disposition recorded"
    ALERT_DISPOSITION_REFUSED = "alert.disposition_refused", "Alert disposition refused"
    STOP_RECORDED = "alert.stop_recorded", "Stop on an alert recorded"
    STOP_REFUSED = "alert.stop_refused", "Stop on an alert refused"
    READS_POSTED = "reads.posted", "Reads posted by a source"
    READS_POST_REFUSED = "reads.post_refused", "Reads post refused"
    INGEST_SOURCE_CREATED = "reads.source_created", "Read source key issued"


def describe(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type
