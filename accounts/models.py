"""Accounts of the people who use flockgov, their training and second factors."""

import hashlib
import hmac
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import date, datetime, timedelta
from enum import Enum
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import TOTP

from . import crypto
from .roles import AUDIT_READING_ROLES, SEARCHING_ROLES, Role


class AccountStatus(models.TextChoices):
    # Created by an administrator, waiting for training and the Captain (§7.B).
    PENDING = "pending", "Awaiting activation"
    ACTIVE = "active", "Active"
    # A policy violation (§7.B.2, only the Chief restores) or lapsed training.
    SUSPENDED = "suspended", "Suspended"
    # Unused for 90 days, or disabled at once because of a threat (CJIS AC-2).
    DISABLED = "disabled", "Disabled"
    # The officer left the department or no longer needs access (§7.B).
    DEACTIVATED = "deactivated", "Deactivated"


class SuspensionKind(models.TextChoices):
    NONE = "", "None"
    VIOLATION = "violation", "Policy violation"
    TRAINING = "training", "Training lapsed"


class OfficerQuerySet(models.QuerySet["Officer"]):
    def visible_to(self, user) -> "OfficerQuerySet":
        """Everyone for those who manage accounts; only oneself for the rest."""
        if getattr(user, "is_authenticated", False) and user.role in MANAGING_ROLES:
            return self
        if getattr(user, "is_authenticated", False):
            return self.filter(pk=user.pk)
        return self.none()

    def training_lapsed(self, *, today: date) -> "OfficerQuerySet":
        """Active accounts with no current certificate or overdue retraining."""
        current = TrainingCertificate.objects.current(today=today).values("officer_id")
        return self.filter(status=AccountStatus.ACTIVE).filter(
            ~Q(pk__in=current) | Q(retraining_due_by__lt=today)
        )

    def unused_since(self, cutoff: datetime) -> "OfficerQuerySet":
        """Active accounts with no use (request, sign-in, creation) after ``cutoff``."""
        return self.filter(status=AccountStatus.ACTIVE).filter(
            Q(last_seen_at__lte=cutoff)
            | Q(last_seen_at=None, last_login__lte=cutoff)
            | Q(last_seen_at=None, last_login=None, date_joined__lte=cutoff)
        )


class OfficerManager(UserManager.from_queryset(OfficerQuerySet)):  # type: ignore[misc]
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # ``manage.py createsuperuser`` bootstraps the first administrator: staff
        # status follows the role, so the role is administrator.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


# Roles that see every account: administrators prepare them, the Captain
# activates them, the Chief restores them (read-only oversight otherwise).
MANAGING_ROLES = frozenset({Role.ADMIN, Role.CAPTAIN, Role.CHIEF})


class Officer(AbstractUser):
    """A person with an account: officer, supervisor, captain, records, admin, chief.

    One account per person (policy §7.B.1 forbids sharing).
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER)
    badge_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisees",
    )
    # Without a shift the department's normal hours apply to the off-shift rule.
    shift_start = models.TimeField(null=True, blank=True)
    shift_end = models.TimeField(null=True, blank=True)

    # Accounts created with ``create_user`` (bootstrap administrators, tests) start
    # active; accounts created in the product go through ``services.create_account``,
    # which starts them pending. ``is_active`` always agrees with ``status`` (a check
    # constraint holds it) so Django's own gate and ours cannot disagree.
    status = models.CharField(
        max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    suspension_kind = models.CharField(
        max_length=16, choices=SuspensionKind.choices, blank=True, default=""
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_reason = models.TextField(blank=True)
    # The finding a violation suspension refers to (§7.B.2).
    status_reference = models.CharField(max_length=200, blank=True)
    activation_prepared_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activation_prepared_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    # Lockout (CJIS AC-7): consecutive failures of password or second factor.
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    first_failed_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    # Set when the officer was part of a security incident (CJIS AT-2).
    retraining_due_by = models.DateField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The one live session (§7.B.1: no shared accounts) and where it came from.
    live_session_key = models.CharField(max_length=40, blank=True)
    live_session_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = OfficerManager()

    class Meta:
        verbose_name = "account"
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(is_active=True, status="active")
                    | (Q(is_active=False) & ~Q(status="active"))
                ),
                name="accounts_officer_active_matches_status",
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def may_search(self) -> bool:
        return self.is_active and self.role in SEARCHING_ROLES

    def may_read_audit_trail(self) -> bool:
        return self.is_active and self.role in AUDIT_READING_ROLES

    def may_manage_accounts(self) -> bool:
        return self.is_active and self.role in MANAGING_ROLES

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def is_locked(self) -> bool:
        return self.locked_at is not None

    def current_certificate(self, *, today: date | None = None):
        return self.certificates.current(today=today).order_by("-expires_on").first()

    def password_is_stale(self, *, now: datetime | None = None) -> bool:
        """True when the password must be changed before anything else."""
        if self.must_change_password:
            return True
        if self.password_changed_at is None:
            return False
        age = (now or timezone.now()) - self.password_changed_at
        return age >= timedelta(days=settings.FLOCKGOV_PASSWORD_MAX_AGE_DAYS)


class Notice(models.Model):
    """One message in a person's notification centre (shown in every page header)."""

    class Level(models.TextChoices):
        INFO = "info", "Information"
        WARNING = "warning", "Warning"
        ALARM = "alarm", "Alarm"

    recipient = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="notices"
    )
    created_at = models.DateTimeField()
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.INFO)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class CertificateQuerySet(models.QuerySet["TrainingCertificate"]):
    def current(self, *, today: date | None = None) -> "CertificateQuerySet":
        """Certificates still valid on ``today`` (department-local date)."""
        return self.filter(expires_on__gt=today or timezone.localdate())


def certificate_upload_to(instance: "TrainingCertificate", filename: str) -> str:
    # The name the uploader chose is not kept: it may hold personal data.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"training/{instance.officer_id}/{secrets.token_hex(12)}.{extension}"


class TrainingCertificate(models.Model):
    """Proof that an officer completed the department's ALPR training (§2).

    Valid from ``completed_on`` until the day before ``expires_on``.
    """

    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.CharField(max_length=200)
    completed_on = models.DateField()
    expires_on = models.DateField()
    # The training platform's certificate id: one certificate, one record.
    issuer_reference = models.CharField(max_length=100, unique=True)
    file = models.FileField(upload_to=certificate_upload_to, blank=True)
    file_content_type = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        Officer, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # Expiry notices already sent for this certificate (once each).
    notice_30_sent_at = models.DateTimeField(null=True, blank=True)
    notice_7_sent_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return f"{self.course} ({self.issuer_reference})"

    def is_current(self, *, today: date | None = None) -> bool:
        return self.expires_on > (today or timezone.localdate())


class TokenCheck(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"


class SealedTOTPDevice(Device):
    """A TOTP authenticator whose seed is encrypted at rest (AES-256-GCM).

    Six digits, 30-second step, one step of tolerance either way, and each code
    accepted once: a code at or before the last accepted step is a replay.
    """

    sealed_key = models.TextField()
    key_id = models.CharField(max_length=32)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @classmethod
    def new_for(cls, user: Officer, *, name: str, confirmed: bool):
        """An unsaved device with a fresh 160-bit seed (CJIS asks >= 112 bits)."""
        return cls.sealed_from_seed(
            user, secrets.token_bytes(20), name=name, confirmed=confirmed
        )

    @classmethod
    def sealed_from_seed(
        cls, user: Officer, seed: bytes, *, name: str, confirmed: bool
    ):
        """An unsaved device holding ``seed``, sealed like any other.

        Only for a seed chosen elsewhere (the published demo keys); real
        enrolment uses ``new_for``.
        """
        device = cls(user=user, name=name, confirmed=confirmed)
        device.key_id, device.sealed_key = crypto.seal(seed)
        device.created_at = timezone.now()
        return device

    @property
    def bin_key(self) -> bytes:
        return crypto.unseal(self.key_id, self.sealed_key)

    def reseal(self, ring: crypto.KeyRing) -> bool:
        """Re-encrypts the seed under the ring's current key; False if already so."""
        if self.key_id == ring.current_id:
            return False
        seed = crypto.unseal(self.key_id, self.sealed_key, ring=ring)
        self.key_id, self.sealed_key = crypto.seal(seed, ring=ring)
        return True

    def _totp(self) -> TOTP:
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        return totp

    def check_token(self, token: str) -> TokenCheck:
        """Checks a code without saving; ``accept`` records an accepted one."""
        try:
            value = int(token)
        except (TypeError, ValueError):
            return TokenCheck.WRONG
        totp = self._totp()
        if totp.verify(value, self.tolerance, self.last_t + 1):
            self._accepted_t = totp.t()
            return TokenCheck.ACCEPTED
        if totp.verify(value, self.tolerance):
            return TokenCheck.REPLAYED
        return TokenCheck.WRONG

    def verify_token(self, token) -> bool:
        if self.check_token(str(token)) is TokenCheck.ACCEPTED:
            self.accept()
            return True
        return False

    def accept(self) -> None:
        self.last_t = self._accepted_t
        self.last_used_at = timezone.now()
        self.save(update_fields=["last_t", "last_used_at"])

    def current_code(self) -> str:
        return f"{self._totp().token():0{self.digits}d}"

    @property
    def config_url(self) -> str:
        issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode("ascii"),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"


RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECOVERY_CODE_COUNT = 10
RECOVERY_HASH_ITERATIONS = 120_000


def normalise_recovery_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def hash_recovery_code(code: str, salt: bytes) -> str:
    digest = hashlib.pbkdf2_hmac(
        "sha256",
        normalise_recovery_code(code).encode("ascii"),
        salt,
        RECOVERY_HASH_ITERATIONS,
    )
    return digest.hex()


def new_recovery_code() -> str:
    """12 characters from a 32-letter alphabet: 60 bits from the OS CSPRNG."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class RecoveryCodeDevice(Device):
    """Single-use recovery codes, stored only as salted PBKDF2 hashes.

    Replaces django-otp's static tokens, which keep the codes in plain text.
    """

    class Meta(Device.Meta):
        verbose_name = "recovery codes"

    def check_token(self, token: str) -> tuple[TokenCheck, "RecoveryCode | None"]:
        wanted = normalise_recovery_code(token)
        if len(wanted) != 12:
            return TokenCheck.WRONG, None
        for code in self.codes.all():
            candidate = hash_recovery_code(wanted, unhexlify(code.salt))
            if hmac.compare_digest(candidate, code.digest):
                if code.used_at is not None:
                    return TokenCheck.REPLAYED, code
                return TokenCheck.ACCEPTED, code
        return TokenCheck.WRONG, None

    def verify_token(self, token) -> bool:
        result, code = self.check_token(str(token))
        if result is TokenCheck.ACCEPTED and code is not None:
            used = RecoveryCode.objects.filter(pk=code.pk, used_at=None).update(
                used_at=timezone.now()
            )
            return used == 1
        return False

    def remaining(self) -> int:
        return self.codes.filter(used_at=None).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(
        RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes"
    )
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk}"
