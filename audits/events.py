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


def describe(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type
