"""Who may do what to an account, and what a training certificate must be.

Each function returns ``None`` when the act is allowed, or the sentence that
explains the refusal (shown to the person and kept in the audit record).
"""

from datetime import date, datetime, timedelta

from django.conf import settings

from .models import AccountStatus, Officer, SuspensionKind
from .roles import Role

SELF = "Nobody acts on their own account."
PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def _not_self(by: Officer | None, officer: Officer) -> str | None:
    if by is not None and by.pk == officer.pk:
        return SELF
    return None


def create_problem(by: Officer | None) -> str | None:
    if by is None or by.role != Role.ADMIN:
        return "Only an administrator creates accounts."
    return None


def certificate_problem(by: Officer | None, officer: Officer) -> str | None:
    if by is None or by.role != Role.ADMIN:
        return "Only an administrator records training certificates."
    return _not_self(by, officer)


def certificate_dates_problem(completed_on: date, today: date) -> str | None:
    if completed_on > today:
        return (
            f"The completion date {completed_on:%Y-%m-%d} is in the future: "
            "enter the date the course was finished."
        )
    expires = expiry_for(completed_on)
    if expires <= today:
        return (
            f"This certificate expired on {expires:%Y-%m-%d}: the officer must "
            "retrain before it can count."
        )
    return None


def expiry_for(completed_on: date) -> date:
    return completed_on + timedelta(days=settings.FLOCKGOV_TRAINING_VALID_DAYS)


def upload_problem(head: bytes, size: int) -> tuple[str | None, str]:
    """(problem, content type) of an uploaded certificate file."""
    limit = settings.FLOCKGOV_CERTIFICATE_MAX_BYTES
    if size > limit:
        return (
            f"The file is {size:,} bytes; the limit is {limit:,} bytes.",
            "",
        )
    if head.startswith(PDF_MAGIC):
        return None, "application/pdf"
    for magic, content_type in IMAGE_MAGIC.items():
        if head.startswith(magic):
            return None, content_type
    return "The file must be a PDF, PNG or JPEG scan of the certificate.", ""


def prepare_problem(by: Officer | None, officer: Officer) -> str | None:
    if by is None or by.role != Role.ADMIN:
        return "Only an administrator prepares an activation."
    if officer.status == AccountStatus.ACTIVE:
        return "This account is already active."
    return _not_self(by, officer)


def activation_problem(by: Officer | None, officer: Officer, today: date) -> str | None:
    if by is None or by.role != Role.CAPTAIN:
        return "Only the Captain of Police Services activates accounts (§7.B)."
    if problem := _not_self(by, officer):
        return problem
    if officer.status == AccountStatus.ACTIVE:
        return "This account is already active."
    if officer.status == AccountStatus.SUSPENDED and (
        officer.suspension_kind == SuspensionKind.VIOLATION
    ):
        return (
            "This account is suspended for a policy violation: only the Chief "
            "restores it (§7.B.2)."
        )
    if officer.current_certificate(today=today) is None:
        return (
            "This officer has no current training certificate: an administrator "
            "must record one before activation (§2)."
        )
    if officer.retraining_due_by and officer.retraining_due_by < today:
        return "This officer's retraining after a security incident is overdue."
    return None


def deactivation_problem(by: Officer | None, officer: Officer) -> str | None:
    if by is None or by.role != Role.CAPTAIN:
        return "Only the Captain of Police Services deactivates accounts (§7.B)."
    if problem := _not_self(by, officer):
        return problem
    if officer.status == AccountStatus.DEACTIVATED:
        return "This account is already deactivated."
    return None


def suspension_problem(
    by: Officer | None, officer: Officer, reference: str
) -> str | None:
    if by is None or by.role not in {Role.CAPTAIN, Role.ADMIN}:
        return "Only the Captain or an administrator suspends an account (§7.B.2)."
    if problem := _not_self(by, officer):
        return problem
    if not reference.strip():
        return "Name the finding that shows the violation."
    if officer.status == AccountStatus.SUSPENDED and (
        officer.suspension_kind == SuspensionKind.VIOLATION
    ):
        return "This account is already suspended for a violation."
    if officer.status == AccountStatus.DEACTIVATED:
        return "This account is deactivated."
    return None


def restoration_problem(
    by: Officer | None, officer: Officer, decision: str, today: date
) -> str | None:
    if by is None or by.role != Role.CHIEF:
        return "Only the Chief of Police restores a suspended account (§7.B.2)."
    if problem := _not_self(by, officer):
        return problem
    if not (
        officer.status == AccountStatus.SUSPENDED
        and officer.suspension_kind == SuspensionKind.VIOLATION
    ):
        return "This account is not suspended for a violation."
    if not decision.strip():
        return "Record the review decision."
    if officer.current_certificate(today=today) is None:
        return (
            "This officer's training has lapsed: an administrator must record a "
            "current certificate before the account is restored (§2)."
        )
    return None


def disable_problem(by: Officer | None, officer: Officer, reason: str) -> str | None:
    if by is None or by.role not in {Role.CAPTAIN, Role.ADMIN}:
        return "Only the Captain or an administrator disables an account."
    if problem := _not_self(by, officer):
        return problem
    if not reason.strip():
        return "Say what threat was found."
    if officer.status not in {AccountStatus.ACTIVE, AccountStatus.PENDING}:
        return "This account is not active."
    return None


def admin_only_problem(by: Officer | None, officer: Officer, act: str) -> str | None:
    if by is None or by.role != Role.ADMIN:
        return f"Only an administrator {act}."
    return _not_self(by, officer)


def incident_problem(
    by: Officer | None, officer: Officer, reference: str
) -> str | None:
    if by is None or by.role not in {Role.CAPTAIN, Role.ADMIN}:
        return "Only the Captain or an administrator records a security incident."
    if problem := _not_self(by, officer):
        return problem
    if not reference.strip():
        return "Name the security incident."
    return None


def review_problem(by: Officer | None) -> str | None:
    if by is None or by.role not in {Role.CAPTAIN, Role.CHIEF, Role.ADMIN}:
        return "Only the Captain, the Chief and administrators see the account review."
    return None


def enrolment_problem(officer: Officer, now: datetime) -> str | None:
    """Whether this password-only session may enrol a first authenticator.

    Only an account still holding the password an administrator issued (at
    creation or by a reset; it must be changed) may, and only within
    ``FLOCKGOV_ENROLMENT_WINDOW`` of that password or of the activation,
    whichever is later: knowing an officer's own password is not enough.
    """
    if not officer.must_change_password:
        return (
            "This account has no authenticator. Ask an administrator for a "
            "one-time password, then sign in with it to enrol one."
        )
    # The password's issue (creation, for accounts made without set_password).
    issued = officer.password_changed_at or officer.date_joined
    opened = max((t for t in (issued, officer.activated_at) if t), default=None)
    window = settings.FLOCKGOV_ENROLMENT_WINDOW
    if opened is None or now - opened > window:
        hours = int(window.total_seconds() // 3600)
        return (
            f"The one-time password is more than {hours} hours old, too old to "
            "enrol an authenticator with. Ask an administrator for a new one."
        )
    return None
