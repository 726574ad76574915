"""Every write to an account goes through here.

Each function takes a keyword-only ``actor``, checks the rule in ``rules`` inside a
transaction that holds the account's row, writes, and records the act in the audit
trail in the same transaction. A refused act is recorded too (outcome refused),
in its own transaction after the first one is left unchanged, and raises
``AccountRuleError`` carrying the sentence to show.
"""

import functools
import hashlib
import logging
import secrets
from binascii import hexlify
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits import trail
from audits.context import Actor, collecting_field_history, pending_field_history
from audits.events import EventType
from audits.receivers import record_field_history
from flockgov import alarms

from . import notices, rules
from .models import (
    RECOVERY_CODE_COUNT,
    AccountStatus,
    Notice,
    Officer,
    RecoveryCode,
    RecoveryCodeDevice,
    SealedTOTPDevice,
    SuspensionKind,
    TrainingCertificate,
    hash_recovery_code,
    new_recovery_code,
)
from .roles import Role

logger = logging.getLogger(__name__)

DEFAULT_COURSE = "ALPR system and department policy"


class AccountRuleError(Exception):
    """The act was refused; the message says why (and was audited)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _act(func):
    """Marks an account act: the field history it writes (django-auditlog) is
    linked to the act's own ``account.*`` / ``auth.*`` event rather than recorded
    as a generic change of its own."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outermost = pending_field_history() is None
        with collecting_field_history() as pending:
            result = func(*args, **kwargs)
            if outermost and pending:
                # Saved after the act's last record (should not happen): kept as
                # a generic change rather than lost.
                with transaction.atomic():
                    for instance, entry in pending:
                        record_field_history(instance, entry)
                pending.clear()
        return result

    return wrapper


def _link_field_history(target, data, logentry_id):
    """``data`` and ``logentry_id`` for the act's record, linking the field
    history this act wrote.

    The entries for ``target`` are linked to this record (the last one as its
    ``logentry_id``, all of them in ``data["field_history"]``); entries for
    anything else keep a generic record of their own, in this transaction.
    """
    pending = pending_field_history()
    if pending:
        mine = [
            entry
            for instance, entry in pending
            if target is not None
            and instance._meta.label_lower == target._meta.label_lower
            and instance.pk == target.pk
        ]
        others = [(i, e) for i, e in pending if e not in mine]
        pending.clear()
        for instance, entry in others:
            record_field_history(instance, entry)
        if mine:
            data = {**(data or {}), "field_history": [entry.pk for entry in mine]}
            logentry_id = mine[-1].pk
    return data, logentry_id


def record(event_type, *, target=None, data=None, logentry_id=None, **kwargs):
    """``audits.trail.record``, linking the field history this act wrote."""
    data, logentry_id = _link_field_history(target, data, logentry_id)
    return trail.record(
        event_type, target=target, data=data, logentry_id=logentry_id, **kwargs
    )


def _refuse(
    event_type: EventType,
    *,
    actor: Actor,
    message: str,
    target: Officer | None = None,
    data: dict | None = None,
    field: str | None = None,
) -> None:
    # One transaction for the refusal and the field history it links or
    # records beside it.
    with transaction.atomic():
        data, logentry_id = _link_field_history(target, data or {}, None)
        trail.record_refusal(
            event_type,
            actor=actor,
            target=target,
            object_type="" if target else "accounts.officer",
            summary=message,
            data=data,
            logentry_id=logentry_id,
        )
    raise AccountRuleError(message, field=field)


def _lock(officer: Officer) -> Officer:
    return Officer.objects.select_for_update().get(pk=officer.pk)


def _today() -> date:
    return timezone.localdate()


def _set_status(
    officer: Officer,
    status: str,
    *,
    actor: Actor,
    reason: str,
    kind: str = SuspensionKind.NONE,
    reference: str = "",
) -> None:
    officer.status = status
    officer.is_active = status == AccountStatus.ACTIVE
    officer.suspension_kind = kind
    officer.status_reason = reason
    officer.status_reference = reference
    officer.status_changed_at = timezone.now()
    officer.status_changed_by = actor.officer
    if status != AccountStatus.ACTIVE:
        end_sessions(officer, actor=actor)
    officer.save()


def _sync_staff(officer: Officer) -> bool:
    """Staff status follows the role (the caller saves and audits); True if changed.

    Administrators prepare accounts and record training, and keep the system:
    they use the Django admin (staff, all model permissions; what it may change
    is limited in ``accounts.admin``). No other role does.
    """
    staff = officer.role == Role.ADMIN
    changed = officer.is_staff != staff or officer.is_superuser != staff
    officer.is_staff = officer.is_superuser = staff
    return changed


def end_sessions(officer: Officer, *, actor: Actor | None = None) -> int:
    """Ends the officer's live session now (the caller saves ``officer``).

    The session keeps no sign-in, only the sentence saying why it ended, so the
    browser or API client still holding its cookie is told rather than just
    turned away. Any other session of an account that is no longer active is
    ended by ``InactiveAccountMiddleware`` on its next request.
    """
    from .forms import inactive_message
    from .middleware import ENDED_MESSAGE_KEY, ENDED_OFFICER_KEY

    ended = 0
    key = officer.live_session_key
    if key:
        store = SessionStore(session_key=key)
        if store.exists(key):
            store.clear()
            store[ENDED_MESSAGE_KEY] = inactive_message(officer)
            store[ENDED_OFFICER_KEY] = officer.pk
            store.save()
            ended = 1
            record(
                EventType.SESSION_ENDED,
                actor=actor,
                target=officer,
                summary=f"session ended: account {officer.status}",
                data={"reason": f"account {officer.status}"},
            )
    officer.live_session_key = ""
    officer.live_session_ip = None
    return ended


# --- creating accounts and recording training --------------------------------------


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    badge_number: str = ""


@_act
def create_account(*, actor: Actor, account: NewAccount, password: str) -> Officer:
    """A pending account: it signs in only after training and the Captain."""
    if problem := rules.create_problem(actor.officer):
        _refuse(EventType.ACCOUNT_CREATED, actor=actor, message=problem)
    candidate = Officer(
        username=account.username,
        first_name=account.first_name,
        last_name=account.last_name,
        email=account.email,
    )
    problem, field = None, None
    if Officer.objects.filter(username__iexact=account.username).exists():
        problem, field = f"The username {account.username} is taken.", "username"
    elif (
        account.badge_number
        and Officer.objects.filter(badge_number=account.badge_number).exists()
    ):
        problem = (
            f"Badge number {account.badge_number} already belongs to another account."
        )
        field = "badge_number"
    else:
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            problem, field = " ".join(exc.messages), "password"
    if problem:
        _refuse(
            EventType.ACCOUNT_CREATED,
            actor=actor,
            message=problem,
            data={"username": account.username, "field": field},
            field=field,
        )
    try:
        with transaction.atomic():
            officer = Officer.objects.create_user(
                username=account.username,
                password=password,
                role=account.role,
                first_name=account.first_name,
                last_name=account.last_name,
                email=account.email,
                badge_number=account.badge_number or None,
                status=AccountStatus.PENDING,
                is_active=False,
                # The administrator knows this password: the officer replaces it.
                must_change_password=True,
                is_staff=account.role == Role.ADMIN,
                is_superuser=account.role == Role.ADMIN,
            )
            record(
                EventType.ACCOUNT_CREATED,
                actor=actor,
                target=officer,
                summary=f"created {officer.username} as {officer.get_role_display()}",
                data={
                    "role": officer.role,
                    "badge_number": officer.badge_number,
                    "staff": officer.is_staff,
                },
            )
    except IntegrityError:
        # Two administrators raced for the same username or badge.
        _refuse(
            EventType.ACCOUNT_CREATED,
            actor=actor,
            message="That username or badge number was just taken.",
            data={"username": account.username},
        )
    return officer


def _check_upload(upload: UploadedFile | None) -> tuple[str | None, str]:
    if upload is None:
        return None, ""
    head = upload.read(16)
    upload.seek(0)
    return rules.upload_problem(head, upload.size or 0)


@_act
def record_certificate(
    *,
    actor: Actor,
    officer: Officer,
    course: str,
    completed_on: date,
    issuer_reference: str,
    upload: UploadedFile | None = None,
) -> TrainingCertificate:
    today = _today()
    problem, field = rules.certificate_problem(actor.officer, officer), None
    content_type = ""
    if problem is None:
        problem = rules.certificate_dates_problem(completed_on, today)
        field = "completed_on" if problem else None
    if (
        problem is None
        and TrainingCertificate.objects.filter(
            issuer_reference=issuer_reference
        ).exists()
    ):
        problem = f"Certificate {issuer_reference} is already recorded."
        field = "issuer_reference"
    if problem is None:
        problem, content_type = _check_upload(upload)
        field = "file" if problem else None
    if problem:
        _refuse(
            EventType.TRAINING_RECORDED,
            actor=actor,
            target=officer,
            message=problem,
            data={
                "course": course,
                "completed_on": completed_on,
                "issuer_reference": issuer_reference,
            },
            field=field,
        )
    with transaction.atomic():
        officer = _lock(officer)
        certificate = TrainingCertificate(
            officer=officer,
            course=course,
            completed_on=completed_on,
            expires_on=rules.expiry_for(completed_on),
            issuer_reference=issuer_reference,
            file_content_type=content_type,
            recorded_by=actor.officer,
            recorded_at=timezone.now(),
        )
        if upload is not None:
            certificate.file.save(upload.name or "certificate", upload, save=False)
        certificate.save()
        cleared = False
        if officer.retraining_due_by and completed_on >= (
            officer.retraining_due_by
            - timedelta(days=settings.FLOCKGOV_RETRAINING_DAYS)
        ):
            officer.retraining_due_by = None
            officer.save(update_fields=["retraining_due_by"])
            cleared = True
        record(
            EventType.TRAINING_RECORDED,
            actor=actor,
            target=officer,
            summary=(
                f"recorded {course} completed {completed_on:%Y-%m-%d}, valid until "
                f"{certificate.expires_on:%Y-%m-%d}"
            ),
            data={
                "certificate": certificate.pk,
                "issuer_reference": issuer_reference,
                "expires_on": certificate.expires_on,
                "file": bool(upload),
                "retraining_cleared": cleared,
            },
        )
    return certificate


# --- activation, deactivation, suspension, restoration -------------------------------


@_act
def prepare_activation(*, actor: Actor, officer: Officer) -> Officer:
    with transaction.atomic():
        officer = _lock(officer)
        problem = rules.prepare_problem(actor.officer, officer)
        if problem is None:
            officer.activation_prepared_by = actor.officer
            officer.activation_prepared_at = timezone.now()
            officer.save()
            record(
                EventType.ACCOUNT_ACTIVATION_PREPARED,
                actor=actor,
                target=officer,
                summary="activation prepared for the Captain",
            )
    if problem:
        _refuse(
            EventType.ACCOUNT_ACTIVATION_PREPARED,
            actor=actor,
            target=officer,
            message=problem,
        )
    notices.notify(
        list(Officer.objects.filter(role=Role.CAPTAIN, is_active=True)),
        subject=f"Account {officer.username} is ready for activation",
        link=f"/accounts/manage/{officer.pk}/",
    )
    return officer


@_act
def activate(*, actor: Actor, officer: Officer, reason: str = "") -> Officer:
    today = _today()
    with transaction.atomic():
        officer = _lock(officer)
        problem = rules.activation_problem(actor.officer, officer, today)
        if problem is None:
            certificate = officer.current_certificate(today=today)
            previous = officer.status
            _set_status(
                officer,
                AccountStatus.ACTIVE,
                actor=actor,
                reason=reason or "trained and activated",
            )
            officer.activated_by = actor.officer
            officer.activated_at = timezone.now()
            # A fresh start for the 90-day inactivity rule.
            officer.last_seen_at = officer.activated_at
            officer.save()
            record(
                EventType.ACCOUNT_ACTIVATED,
                actor=actor,
                target=officer,
                summary=f"activated (was {previous})",
                data={
                    "previous_status": previous,
                    "certificate": certificate.pk,
                    "certificate_expires_on": certificate.expires_on,
                    "reason": reason,
                },
            )
    if problem:
        _refuse(
            EventType.ACCOUNT_ACTIVATED,
            actor=actor,
            target=officer,
            message=problem,
            data={"status": officer.status},
        )
    return officer


@_act
def _status_change(
    *,
    actor: Actor,
    officer: Officer,
    problem_of,
    status: str,
    event_type: EventType,
    reason: str,
    kind: str = SuspensionKind.NONE,
    reference: str = "",
    summary: str,
    extra: dict | None = None,
) -> Officer:
    with transaction.atomic():
        officer = _lock(officer)
        problem = problem_of(officer)
        if problem is None:
            previous = officer.status
            _set_status(
                officer,
                status,
                actor=actor,
                reason=reason,
                kind=kind,
                reference=reference,
            )
            record(
                event_type,
                actor=actor,
                target=officer,
                summary=summary,
                data={
                    "previous_status": previous,
                    "reason": reason,
                    "reference": reference,
                    **(extra or {}),
                },
            )
    if problem:
        _refuse(
            event_type,
            actor=actor,
            target=officer,
            message=problem,
            data={"reason": reason, "reference": reference},
        )
    return officer


def deactivate(*, actor: Actor, officer: Officer, reason: str) -> Officer:
    return _status_change(
        actor=actor,
        officer=officer,
        problem_of=lambda o: rules.deactivation_problem(actor.officer, o),
        status=AccountStatus.DEACTIVATED,
        event_type=EventType.ACCOUNT_DEACTIVATED,
        reason=reason,
        summary=f"deactivated: {reason}"[:300],
    )


def suspend_for_violation(
    *, actor: Actor, officer: Officer, reference: str, reason: str = ""
) -> Officer:
    """§7.B.2: suspended until the Chief decides; ``reference`` names the finding."""
    officer = _status_change(
        actor=actor,
        officer=officer,
        problem_of=lambda o: rules.suspension_problem(actor.officer, o, reference),
        status=AccountStatus.SUSPENDED,
        kind=SuspensionKind.VIOLATION,
        event_type=EventType.ACCOUNT_SUSPENDED,
        reason=reason or "policy violation",
        reference=reference,
        summary=f"suspended for violation {reference}"[:300],
        extra={"kind": SuspensionKind.VIOLATION},
    )
    notices.notify(
        [officer, *Officer.objects.filter(role=Role.CHIEF, is_active=True)],
        subject="Account suspended for a policy violation",
        body=(
            f"The account {officer.username} is suspended ({reference}) until the "
            "Chief of Police decides."
        ),
        level=Notice.Level.WARNING,
    )
    return officer


@_act
def note_further_violation(*, actor: Actor, officer: Officer, reference: str) -> None:
    record(
        EventType.ACCOUNT_SUSPENDED,
        actor=actor,
        target=officer,
        summary=f"further violation {reference} while suspended"[:300],
        data={"reference": reference, "already_suspended": True},
    )


def restore(*, actor: Actor, officer: Officer, decision: str) -> Officer:
    today = _today()
    return _status_change(
        actor=actor,
        officer=officer,
        problem_of=lambda o: rules.restoration_problem(
            actor.officer, o, decision, today
        ),
        status=AccountStatus.ACTIVE,
        event_type=EventType.ACCOUNT_RESTORED,
        reason=decision,
        summary=f"restored by the Chief's decision: {decision}"[:300],
        extra={"decision": decision},
    )


def emergency_disable(
    *, actor: Actor, officer: Officer, reason: str, password_compromised: bool = False
) -> Officer:
    """CJIS AC-2(13): disabled at once; a compromised password must change."""
    officer = _status_change(
        actor=actor,
        officer=officer,
        problem_of=lambda o: rules.disable_problem(actor.officer, o, reason),
        status=AccountStatus.DISABLED,
        event_type=EventType.ACCOUNT_DISABLED,
        reason=reason,
        summary=f"disabled at once: {reason}"[:300],
        extra={"emergency": True, "password_compromised": password_compromised},
    )
    if password_compromised:
        Officer.objects.filter(pk=officer.pk).update(must_change_password=True)
        officer.must_change_password = True
    return officer


@_act
def suspend_for_lapsed_training(*, actor: Actor, officer: Officer, today: date) -> bool:
    """Suspends (training) an active account whose training lapsed; False if not."""
    with transaction.atomic():
        officer = _lock(officer)
        if (
            not Officer.objects.training_lapsed(today=today)
            .filter(pk=officer.pk)
            .exists()
        ):
            return False
        overdue = bool(officer.retraining_due_by and officer.retraining_due_by < today)
        reason = (
            "retraining after a security incident is overdue"
            if overdue
            else "training certificate expired"
        )
        _set_status(
            officer,
            AccountStatus.SUSPENDED,
            actor=actor,
            reason=reason,
            kind=SuspensionKind.TRAINING,
        )
        record(
            EventType.ACCOUNT_SUSPENDED,
            actor=actor,
            target=officer,
            summary=f"suspended: {reason}",
            data={"kind": SuspensionKind.TRAINING, "reason": reason},
        )
        notices.notify(
            [officer, *notices.administrators()],
            subject=f"Account {officer.username} suspended: {reason}",
            level=Notice.Level.WARNING,
        )
    return True


@_act
def disable_unused(*, actor: Actor, officer: Officer, cutoff) -> bool:
    """Disables an active account unused since ``cutoff``; False if it was used."""
    with transaction.atomic():
        officer = _lock(officer)
        if not Officer.objects.unused_since(cutoff).filter(pk=officer.pk).exists():
            return False
        last_seen = officer.last_seen_at
        reason = f"unused for {settings.FLOCKGOV_INACTIVITY_DISABLE_DAYS} days"
        _set_status(officer, AccountStatus.DISABLED, actor=actor, reason=reason)
        record(
            EventType.ACCOUNT_DISABLED,
            actor=actor,
            target=officer,
            summary=f"disabled: {reason}",
            data={"reason": "inactivity", "last_seen_at": last_seen},
        )
    return True


@_act
def send_training_notice(
    *, actor: Actor, certificate: TrainingCertificate, days: int
) -> bool:
    """The 30- or 7-day expiry notice, once per certificate (False if already sent)."""
    field = f"notice_{days}_sent_at"
    officer = certificate.officer
    days_left = (certificate.expires_on - timezone.localdate()).days
    subject = (
        f"ALPR training of {officer.username} expires on "
        f"{certificate.expires_on:%Y-%m-%d} ({days_left} days)"
    )
    with transaction.atomic():
        updated = TrainingCertificate.objects.filter(
            pk=certificate.pk, **{field: None}
        ).update(**{field: timezone.now()})
        if not updated:
            return False
        if days == 7:
            # The 30-day notice is not sent late once the 7-day one went out.
            TrainingCertificate.objects.filter(
                pk=certificate.pk, notice_30_sent_at=None
            ).update(notice_30_sent_at=timezone.now())
        notices.notify(
            [officer, *notices.administrators()],
            subject=subject,
            body=(
                "Complete the department's ALPR training again before that day; "
                "after it the account is suspended until a new certificate is "
                "recorded and the Captain activates it."
            ),
            level=Notice.Level.WARNING,
        )
        record(
            EventType.TRAINING_NOTICE,
            actor=actor,
            target=officer,
            summary=subject,
            data={"certificate": certificate.pk, "notice_days": days},
        )
    return True


@_act
def require_retraining(*, actor: Actor, officer: Officer, incident: str) -> Officer:
    """CJIS AT-2: retraining within 30 days of a security incident."""
    with transaction.atomic():
        officer = _lock(officer)
        problem = rules.incident_problem(actor.officer, officer, incident)
        if problem is None:
            due = _today() + timedelta(days=settings.FLOCKGOV_RETRAINING_DAYS)
            officer.retraining_due_by = due
            officer.save(update_fields=["retraining_due_by"])
            record(
                EventType.RETRAINING_REQUIRED,
                actor=actor,
                target=officer,
                summary=f"retraining due by {due:%Y-%m-%d} after {incident}"[:300],
                data={"incident": incident, "due_by": due},
            )
            notices.notify(
                [officer],
                subject=f"Retraining required by {due:%Y-%m-%d}",
                body=(
                    "You were part of a security incident. Complete the ALPR "
                    f"training again by {due:%Y-%m-%d} or your account is suspended."
                ),
                level=Notice.Level.WARNING,
            )
    if problem:
        _refuse(
            EventType.RETRAINING_REQUIRED,
            actor=actor,
            target=officer,
            message=problem,
        )
    return officer


@_act
def provision_trained_account(
    *,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    badge_number: str | None = None,
    course: str = DEFAULT_COURSE,
    completed_on: date | None = None,
    issuer_reference: str | None = None,
    supervisor: Officer | None = None,
    extra_data: dict | None = None,
) -> Officer:
    """Creates an account, records a current certificate and activates it.

    For demonstration data, bootstrapping and other features' tests: it skips the
    two-person rule (administrator prepares, Captain activates) and says so in
    every audit record it writes (``provisioned: true``). The product's pages
    never call it.
    """
    completed_on = completed_on or _today()
    issuer_reference = issuer_reference or f"PROVISIONED-{secrets.token_hex(6)}"
    with transaction.atomic():
        officer = Officer.objects.create_user(
            username=username,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            email=email,
            badge_number=badge_number or None,
            supervisor=supervisor,
            status=AccountStatus.PENDING,
            is_active=False,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        record(
            EventType.ACCOUNT_CREATED,
            actor=actor,
            target=officer,
            summary=f"provisioned {username} as {officer.get_role_display()}",
            data={
                "role": role,
                "staff": officer.is_staff,
                "provisioned": True,
                **(extra_data or {}),
            },
        )
        certificate = TrainingCertificate.objects.create(
            officer=officer,
            course=course,
            completed_on=completed_on,
            expires_on=rules.expiry_for(completed_on),
            issuer_reference=issuer_reference,
            recorded_by=actor.officer,
            recorded_at=timezone.now(),
        )
        record(
            EventType.TRAINING_RECORDED,
            actor=actor,
            target=officer,
            summary=f"recorded {course} completed {completed_on:%Y-%m-%d}",
            data={
                "certificate": certificate.pk,
                "provisioned": True,
                **(extra_data or {}),
            },
        )
        _set_status(officer, AccountStatus.ACTIVE, actor=actor, reason="provisioned")
        officer.activated_by = actor.officer
        officer.activated_at = timezone.now()
        officer.last_seen_at = officer.activated_at
        officer.save()
        record(
            EventType.ACCOUNT_ACTIVATED,
            actor=actor,
            target=officer,
            summary="activated (provisioned)",
            data={
                "certificate": certificate.pk,
                "provisioned": True,
                **(extra_data or {}),
            },
        )
    return officer


@_act
def change_role(*, actor: Actor, officer: Officer, role: str) -> Officer:
    """An administrator gives an account another role; staff status follows it."""
    with transaction.atomic():
        officer = _lock(officer)
        problem = rules.admin_only_problem(actor.officer, officer, "changes roles")
        if problem is None and role not in Role.values:
            problem = f"{role!r} is not a role."
        if problem is None and role == officer.role:
            problem = f"This account already has the role {officer.get_role_display()}."
        if problem is None:
            previous = officer.role
            officer.role = role
            _sync_staff(officer)
            officer.save()
            record(
                EventType.ACCOUNT_ROLE_CHANGED,
                actor=actor,
                target=officer,
                summary=(
                    f"role changed from {Role(previous).label} to "
                    f"{officer.get_role_display()}"
                ),
                data={
                    "previous_role": previous,
                    "role": role,
                    "staff": officer.is_staff,
                },
            )
    if problem:
        _refuse(
            EventType.ACCOUNT_ROLE_CHANGED,
            actor=actor,
            target=officer,
            message=problem,
            data={"role": role},
            field="role",
        )
    return officer


# --- lockout ---------------------------------------------------------------------


@_act
def register_failure(*, actor: Actor, officer: Officer, factor: str) -> Officer:
    """Counts one failed password or second-factor attempt; the fifth locks.

    Keyed by account, never by address, so a forged X-Forwarded-For (or any
    number of real addresses) does not reset the count.
    """
    now = timezone.now()
    window = settings.FLOCKGOV_LOCKOUT_WINDOW
    limit = settings.FLOCKGOV_LOCKOUT_FAILURES
    with transaction.atomic():
        officer = _lock(officer)
        if officer.locked_at is not None:
            return officer
        if officer.first_failed_at is None or now - officer.first_failed_at > window:
            officer.failed_attempts = 0
            officer.first_failed_at = now
        officer.failed_attempts += 1
        locked = officer.failed_attempts >= limit
        if locked:
            officer.locked_at = now
        officer.save(update_fields=["failed_attempts", "first_failed_at", "locked_at"])
        if locked:
            record(
                EventType.ACCOUNT_LOCKED,
                actor=actor,
                target=officer,
                summary=f"locked after {limit} failed attempts",
                data={"failures": officer.failed_attempts, "last_factor": factor},
            )
            notices.notify(
                notices.administrators(),
                subject=f"Account {officer.username} locked after failed sign-ins",
                level=Notice.Level.WARNING,
                link=f"/accounts/manage/{officer.pk}/",
            )
    return officer


# How long a name no account has stays "locked" once it has been: long enough
# that it cannot be told from a real account waiting for an administrator.
UNKNOWN_NAME_LOCK = timedelta(days=30)


def _unknown_name_key(username: str) -> str:
    digest = hashlib.sha256(username.encode()).hexdigest()
    return f"signin:unknown-name:{digest}"


def register_unknown_failure(username: str) -> None:
    """Counts a failed sign-in under a name no account has, as ``register_failure``
    counts an account's (kept in Redis under a digest of the name). Otherwise only
    real names could ever be locked, and the sign-in page's "locked" answer would
    tell which names exist."""
    window = settings.FLOCKGOV_LOCKOUT_WINDOW
    now = timezone.now().timestamp()
    key = _unknown_name_key(username)
    state = cache.get(key)
    if state and state["locked"]:
        return
    if not state or now - state["first"] > window.total_seconds():
        state = {"first": now, "count": 0, "locked": False}
    state["count"] += 1
    state["locked"] = state["count"] >= settings.FLOCKGOV_LOCKOUT_FAILURES
    lasts = UNKNOWN_NAME_LOCK if state["locked"] else window
    cache.set(key, state, timeout=int(lasts.total_seconds()))


def unknown_name_locked(username: str) -> bool:
    state = cache.get(_unknown_name_key(username))
    return bool(state and state["locked"])


def register_success(*, officer: Officer) -> None:
    """A complete sign-in (password and second factor) ends the failure run."""
    Officer.objects.filter(pk=officer.pk, locked_at=None).update(
        failed_attempts=0, first_failed_at=None
    )


@_act
def unlock(*, actor: Actor, officer: Officer) -> Officer:
    with transaction.atomic():
        officer = _lock(officer)
        problem = rules.admin_only_problem(
            actor.officer, officer, "unlocks an account"
        ) or (None if officer.locked_at else "This account is not locked.")
        if problem is None:
            officer.locked_at = None
            officer.failed_attempts = 0
            officer.first_failed_at = None
            officer.save()
            record(EventType.ACCOUNT_UNLOCKED, actor=actor, target=officer)
    if problem:
        _refuse(
            EventType.ACCOUNT_UNLOCKED, actor=actor, target=officer, message=problem
        )
    return officer


# --- passwords -------------------------------------------------------------------


@_act
def change_password(*, actor: Actor, officer: Officer, new_password: str) -> None:
    try:
        validate_password(new_password, officer)
    except ValidationError as exc:
        _refuse(
            EventType.PASSWORD_CHANGED,
            actor=actor,
            target=officer,
            message=" ".join(exc.messages),
            field="new_password1",
        )
    with transaction.atomic():
        officer = _lock(officer)
        officer.set_password(new_password)
        officer.must_change_password = False
        officer.save()
        record(EventType.PASSWORD_CHANGED, actor=actor, target=officer)


@_act
def reset_password(*, actor: Actor, officer: Officer) -> str:
    """An administrator sets a one-time password, shown once to them.

    It never signs anyone in: the officer still needs the second factor, and must
    choose a new password before anything else.
    """
    with transaction.atomic():
        officer = _lock(officer)
        problem = rules.admin_only_problem(actor.officer, officer, "resets passwords")
        if problem is None:
            temporary = "-".join(
                new_recovery_code().split("-") + [secrets.token_hex(2)]
            )
            officer.set_password(temporary)
            officer.must_change_password = True
            store = SessionStore(session_key=officer.live_session_key)
            if officer.live_session_key and store.exists(officer.live_session_key):
                store.delete()
            officer.live_session_key = ""
            officer.save()
            record(EventType.PASSWORD_RESET, actor=actor, target=officer)
    if problem:
        _refuse(EventType.PASSWORD_RESET, actor=actor, target=officer, message=problem)
    return temporary


# --- second factors ----------------------------------------------------------------


def check_enrolment(*, actor: Actor, officer: Officer) -> None:
    """Refuses (audited) a first enrolment ``rules.enrolment_problem`` forbids."""
    if problem := rules.enrolment_problem(officer, timezone.now()):
        _refuse(EventType.MFA_ENROLLED, actor=actor, target=officer, message=problem)


@_act
def enrol_totp(*, actor: Actor, device: SealedTOTPDevice) -> None:
    check_enrolment(actor=actor, officer=device.user)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator app per account: the new one replaces any other.
        SealedTOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        record(
            EventType.MFA_ENROLLED,
            actor=actor,
            target=device.user,
            summary="authenticator app enrolled",
            data={"device": device.persistent_id},
        )


@_act
def provision_totp_device(
    *, actor: Actor, officer: Officer, seed: bytes, name: str
) -> SealedTOTPDevice:
    """Enrols an authenticator holding ``seed``, chosen elsewhere, sealed like any
    other; it replaces any other authenticator of the account.

    For demonstration accounts whose keys are published (``queries.demo``); like
    ``provision_trained_account``, the product's pages never call it, and its
    record says ``provisioned: true``.
    """
    with transaction.atomic():
        officer = _lock(officer)
        device = SealedTOTPDevice.sealed_from_seed(
            officer, seed, name=name, confirmed=True
        )
        device.save()
        SealedTOTPDevice.objects.filter(user=officer).exclude(pk=device.pk).delete()
        record(
            EventType.MFA_ENROLLED,
            actor=actor,
            target=officer,
            summary=f"authenticator with a given seed enrolled ({name})",
            data={"device": device.persistent_id, "provisioned": True},
        )
    return device


@_act
def issue_recovery_codes(*, actor: Actor, officer: Officer) -> list[str]:
    """Ten new codes (the old ones stop working); returned once, stored hashed."""
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCodeDevice.objects.filter(user=officer).delete()
        device = RecoveryCodeDevice.objects.create(
            user=officer, name="Recovery codes", confirmed=True
        )
        rows = []
        for code in codes:
            salt = secrets.token_bytes(16)
            rows.append(
                RecoveryCode(
                    device=device,
                    salt=hexlify(salt).decode("ascii"),
                    digest=hash_recovery_code(code, salt),
                )
            )
        RecoveryCode.objects.bulk_create(rows)
        record(
            EventType.RECOVERY_CODES_ISSUED,
            actor=actor,
            target=officer,
            summary=f"{len(codes)} recovery codes issued",
        )
    return codes


# --- sessions ----------------------------------------------------------------------


@_act
def start_live_session(*, actor: Actor, officer: Officer, session_key: str) -> None:
    """Makes this session the officer's only one (§7.B.1), ending any other.

    If the other one was still in use from a different address, the account is
    being used from two places at once: alarm, notices and an audit record.
    """
    from .middleware import LAST_ACTIVITY_KEY

    now = timezone.now()
    with transaction.atomic():
        officer = _lock(officer)
        old_key, old_ip = officer.live_session_key, officer.live_session_ip
        concurrent = False
        if old_key and old_key != session_key:
            store = SessionStore(session_key=old_key)
            if store.exists(old_key):
                stamp = store.load().get(LAST_ACTIVITY_KEY)
                recent = stamp and now - timezone.datetime.fromisoformat(stamp) < (
                    settings.FLOCKGOV_SESSION_IDLE
                )
                concurrent = bool(recent and old_ip and old_ip != actor.ip)
                store.delete()
                record(
                    EventType.SESSION_ENDED,
                    actor=actor,
                    target=officer,
                    summary="earlier session ended by a new sign-in",
                    data={"reason": "superseded", "earlier_ip": old_ip},
                )
        officer.live_session_key = session_key
        officer.live_session_ip = actor.ip
        officer.last_seen_at = now
        officer.save(
            update_fields=["live_session_key", "live_session_ip", "last_seen_at"]
        )
        if concurrent:
            report_shared_use(
                actor=actor, officer=officer, addresses=[old_ip, actor.ip]
            )


# Bookkeeping of sessions: not acts of a person, so not audited themselves (the
# sign-in, sign-out and session endings they belong to are).


def note_activity(*, officer: Officer, now) -> None:
    """Last use, for the 90-day inactivity rule."""
    Officer.objects.filter(pk=officer.pk).update(last_seen_at=now)


def note_session_address(*, officer: Officer, ip: str) -> None:
    Officer.objects.filter(pk=officer.pk).update(live_session_ip=ip)


def forget_live_session(*, officer: Officer, session_key: str) -> None:
    """Sign-out: the session being left is no longer the live one."""
    Officer.objects.filter(pk=officer.pk, live_session_key=session_key).update(
        live_session_key="", live_session_ip=None
    )


def rekey_live_session(*, officer: Officer, old_key: str, new_key: str) -> None:
    """The live session got a new id (password change): it stays the live one."""
    Officer.objects.filter(pk=officer.pk, live_session_key=old_key).update(
        live_session_key=new_key
    )


@_act
def report_shared_use(*, actor: Actor, officer: Officer, addresses: list) -> None:
    message = (
        f"Account {officer.username} was used from two addresses at once "
        f"({', '.join(str(a) for a in addresses)}): shared accounts are forbidden "
        "(§7.B.1)."
    )
    record(
        EventType.SHARED_ACCOUNT_SUSPECTED,
        actor=actor,
        target=officer,
        summary=message,
        data={"addresses": [str(a) for a in addresses]},
    )
    alarms.raise_alarm(alarms.SHARED_ACCOUNT, message)
    notices.notify(
        [*notices.administrators(), *Officer.objects.filter(role=Role.CAPTAIN)],
        subject=f"Account {officer.username} used from two places at once",
        body=message,
        level=Notice.Level.ALARM,
        link=f"/accounts/manage/{officer.pk}/",
    )
    logger.warning("account %s used from two addresses at once", officer.pk)


@_act
def end_session_by_policy(*, actor: Actor, officer: Officer, reason: str) -> None:
    record(
        EventType.SESSION_ENDED,
        actor=actor,
        target=officer,
        summary=f"session ended: {reason}",
        data={"reason": reason},
    )
