"""Who may do what with shares. Views and services ask these; none compares roles."""

from accounts.roles import Role

# See every request and dissemination record.
OVERSIGHT_ROLES = frozenset({Role.CAPTAIN, Role.CHIEF, Role.RECORDS})
# Ask for a share (records staff answer subpoenas and discovery).
REQUESTING_ROLES = frozenset(
    {Role.OFFICER, Role.SUPERVISOR, Role.CAPTAIN, Role.RECORDS}
)
# Record that data left (the requester may too, for their own request).
DISSEMINATING_ROLES = frozenset({Role.RECORDS, Role.CAPTAIN})
# Keep the organisation registry.
REGISTRY_ROLES = frozenset({Role.CAPTAIN, Role.RECORDS, Role.ADMIN})
# Record FOIA requests and vendor maintenance access.
RECORDS_ROLES = frozenset({Role.RECORDS, Role.CAPTAIN})


def _has(user, roles) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.role in roles
    )


def oversees_sharing(user) -> bool:
    return _has(user, OVERSIGHT_ROLES)


def may_request_share(user) -> bool:
    return _has(user, REQUESTING_ROLES)


def may_approve_share(user) -> bool:
    """Policy §7.A puts sharing under the Captain of Police Services."""
    return _has(user, {Role.CAPTAIN})


def may_disseminate(user, sharing_request) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        user.role in DISSEMINATING_ROLES or sharing_request.requested_by_id == user.pk
    )


def may_keep_registry(user) -> bool:
    return _has(user, REGISTRY_ROLES)


def may_keep_records(user) -> bool:
    return _has(user, RECORDS_ROLES)


def may_download_audit_trail(user) -> bool:
    """§6.A: audit-trail downloads are for audit reports, which the Captain makes."""
    return _has(user, {Role.CAPTAIN})
