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
    # sharing
    SHARE_REQUESTED = "sharing.requested", "Share requested"
    SHARE_REFUSED = "sharing.refused", "Share refused"
    SHARE_APPROVED = "sharing.approved", "Share approved"
    SHARE_DECLINED = "sharing.declined", "Share declined by the Captain"
    SHARE_ACKNOWLEDGED = "sharing.acknowledged", "Receiver's acknowledgment recorded"
    SHARE_DISSEMINATED = "sharing.disseminated", "Data disseminated"
    VENDOR_ACCESS = "sharing.vendor_access", "Vendor maintenance access recorded"
    EXPORT = "sharing.exported", "Data exported"
    EXPORT_REFUSED = "sharing.export_refused", "Export refused"
    FOIA_REFUSED = "sharing.foia_refused", "FOIA request answered as refused"
    ORGANISATION_REGISTERED = (
        "sharing.organisation_registered",
        "Organisation registered",
    )
    NETWORK_GRANTED = "sharing.network_granted", "Network query access granted"
    NETWORK_GRANT_REFUSED = (
        "sharing.network_grant_refused",
        "Network query access refused",
    )
    NETWORK_REVIEWED = "sharing.network_reviewed", "Network query access reviewed"
    NETWORK_REVOKED = "sharing.network_revoked", "Network query access revoked"
    SHARING_SETTINGS_SNAPSHOT = "sharing.settings_snapshot", "Sharing settings checked"
    SHARING_SETTINGS_CHANGED = (
        "sharing.settings_changed",
        "Sharing settings differ from the approved set",
    )
    SHARING_SETTINGS_APPROVED = (
        "sharing.settings_approved",
        "Sharing settings approved",
    )


def describe(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type
