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
    # Demonstration data (never in production: ``seed_demo`` refuses without DEBUG)
    DEMO_SEARCHES_SEEDED = "demo.searches_seeded", "Demo search history seeded"
    # The audit trail itself
    AUDIT_VIEWED = "audit.viewed", "Audit trail viewed"
    # A page answered 403 (a role's page opened by another role)
    PAGE_REFUSED = "access.page_refused", "Page refused"
    # Configuration (field-level history is in django-auditlog's LogEntry)
    CONFIG_CHANGED = "config.changed", "Configuration changed"
    # Operations
    PARTITIONS_CREATED = "ops.partitions_created", "Storage partitions created"
    # Retention. An ``AUDIT_PURGED`` record is the chain's tombstone: its data holds
    # ``purged_through_seq`` (the last destroyed record's seq) and ``anchor_hash``
    # (that record's hash), so verification continues across the gap.
    READS_PURGED = "retention.reads_purged", "Reads destroyed"
    AUDIT_PURGED = "retention.audit_purged", "Audit records destroyed"
    # accounts: training, activation, suspension, lockout, sessions, second factors
    ACCOUNT_ACTIVATION_PREPARED = "account.activation_prepared", "Activation prepared"
    ACCOUNT_ACTIVATED = "account.activated", "Account activated"
    ACCOUNT_DEACTIVATED = "account.deactivated", "Account deactivated"
    ACCOUNT_SUSPENDED = "account.suspended", "Account suspended"
    ACCOUNT_RESTORED = "account.restored", "Account restored"
    ACCOUNT_DISABLED = "account.disabled", "Account disabled"
    ACCOUNT_LOCKED = "account.locked", "Account locked"
    ACCOUNT_UNLOCKED = "account.unlocked", "Account unlocked"
    ACCOUNT_REVIEW_VIEWED = "account.review_viewed", "Account review viewed"
    TRAINING_RECORDED = "account.training_recorded", "Training certificate recorded"
    TRAINING_NOTICE = "account.training_notice", "Training expiry notice sent"
    RETRAINING_REQUIRED = "account.retraining_required", "Retraining required"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    PASSWORD_RESET = "auth.password_reset", "Password reset by an administrator"
    RECOVERY_CODES_ISSUED = "auth.recovery_codes_issued", "Recovery codes issued"
    RECOVERY_CODE_USED = "auth.recovery_code_used", "Recovery code used"
    SESSION_ENDED = "auth.session_ended", "Session ended by the system"
    SHARED_ACCOUNT_SUSPECTED = "auth.shared_account", "Account used from two places"
    TOTP_KEYS_ROTATED = "auth.totp_keys_rotated", "TOTP seed key rotated"
    ACCOUNT_ROLE_CHANGED = "account.role_changed", "Account role changed"
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
    # The Captain's audit (audits app): periods, findings, sign-off, vendor imports
    AUDIT_RUN = "audit.run", "Audit rules run"
    FINDING_REVIEWED = "audit.finding_reviewed", "Finding given a first review"
    FINDING_DECIDED = "audit.finding_decided", "Finding decided"
    FINDING_REFUSED = "audit.finding_refused", "Finding review refused"
    PERIOD_SIGNED = "audit.period_signed", "Audit period signed off"
    PERIOD_SIGN_REFUSED = "audit.period_sign_refused", "Audit sign-off refused"
    VENDOR_AUDIT_IMPORTED = "audit.vendor_imported", "Vendor audit export imported"
    AUDIT_REPORT_MADE = "audit.report_made", "Audit report produced"
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
    INGEST_SOURCE_REVOKED = "reads.source_revoked", "Read source key revoked"
    INGEST_SOURCE_REVOKE_REFUSED = (
        "reads.source_revoke_refused",
        "Read source key revocation refused",
    )


def describe(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type
