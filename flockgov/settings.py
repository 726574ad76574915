"""Settings for flockgov, read from the environment.

Every value an operator may change comes from an environment variable named
``FLOCKGOV_*`` (or the conventional ``DATABASE_URL``, ``REDIS_URL``,
``DJANGO_SECRET_KEY``). ``scripts/dev.py`` writes ``var/embedded.env`` when it starts
the embedded PostgreSQL and Redis; that file fills in what the environment leaves
unset, so ``manage.py`` works beside a running development stack.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_embedded_env() -> None:
    env_file = BASE_DIR / "var" / "embedded.env"
    if not env_file.exists():
        return
    for line in env_file.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not line.lstrip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


_load_embedded_env()


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, *, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _secret_from_file_or_env(name: str) -> str | None:
    path = env(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return env(name)


DEBUG = env_bool("FLOCKGOV_DEBUG", default=False)
TESTING = env_bool("FLOCKGOV_TESTING", default=False)

SECRET_KEY = _secret_from_file_or_env("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set outside "
            "development and tests."
        )
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("FLOCKGOV_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("FLOCKGOV_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "auditlog",
    "django_htmx",
    # Our apps. ``audits`` first: it owns the audit trail every other app writes to.
    "audits",
    "accounts",
    "queries",
    "hotlists",
    "retention",
    "sharing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "flockgov.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "flockgov.middleware.RequireVerifiedOfficerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audits.middleware.AuditContextMiddleware",
    "flockgov.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "flockgov.urls"
WSGI_APPLICATION = "flockgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "flockgov.context_processors.department",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Start the development stack with "
        "`python3 scripts/dev.py run`, or point DATABASE_URL at PostgreSQL 15+."
    )
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("FLOCKGOV_DB_CONN_MAX_AGE", 60)
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("flockgov runs on PostgreSQL only.")
DATABASES["default"].setdefault("TEST", {})
if env("FLOCKGOV_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = env("FLOCKGOV_TEST_DATABASE_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The database roles of the audit trail's protection (see docs/operations.md).
FLOCKGOV_APP_DB_ROLE = env("FLOCKGOV_APP_DB_ROLE", "flockgov_app")

# --- Redis, cache and Celery ------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Start the development stack with "
        "`python3 scripts/dev.py run`, or point REDIS_URL at Redis."
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("FLOCKGOV_CACHE_PREFIX", "flockgov"),
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Longer than the longest task: a purge batch or an NCIC import must never be
# redelivered to a second worker while the first still runs it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("FLOCKGOV_CELERY_EAGER", default=False)

# One entry per periodic job; every schedule in UTC, each with an expiry so a
# backlog after an outage does not run the same job many times over.
CELERY_BEAT_SCHEDULE = {
    # Records that the worker and beat are alive, for the health page.
    "heartbeat": {
        "task": "flockgov.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    # Creates tomorrow's read partitions and next month's audit partition early.
    "create-partitions": {
        "task": "flockgov.tasks.create_partitions",
        "schedule": crontab(minute=17),
        "options": {"expires": 3000},
    },
}

# --- Authentication ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Officer"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "queries:search"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    # Hashing cost is not what the tests measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
]

OTP_TOTP_ISSUER = env("FLOCKGOV_OTP_ISSUER", "flockgov")
OTP_TOTP_THROTTLE_FACTOR = 1

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("FLOCKGOV_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("FLOCKGOV_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("FLOCKGOV_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("FLOCKGOV_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation and time ---------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
# Stored times are UTC; this zone is for display and for day boundaries.
TIME_ZONE = env("FLOCKGOV_TIME_ZONE", "America/New_York")

# --- Static and uploaded files ---------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("FLOCKGOV_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Development and tests serve static files straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Mail and notices -----------------------------------------------------------
EMAIL_BACKEND = env(
    "FLOCKGOV_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("FLOCKGOV_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("FLOCKGOV_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env("FLOCKGOV_FROM_EMAIL", "flockgov@localhost")

# --- REST API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Sessions only: a token path would step around the second factor.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["flockgov.api.IsVerifiedActiveOfficer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "flockgov API",
    "DESCRIPTION": "Purpose-bound ALPR search and governance.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["flockgov.api.IsVerifiedActiveOfficer"],
}

# --- django-auditlog --------------------------------------------------------------
# Field-level history of configuration models; every AuditEvent that records such
# a change points at its LogEntry.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging ----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("FLOCKGOV_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- The department and its policy --------------------------------------------------
FLOCKGOV_DEPARTMENT_NAME = env(
    "FLOCKGOV_DEPARTMENT_NAME", "Martinsville Police Department"
)
FLOCKGOV_DEPARTMENT_ORI = env("FLOCKGOV_DEPARTMENT_ORI", "VA0000000")
FLOCKGOV_DEPARTMENT_STATE = env("FLOCKGOV_DEPARTMENT_STATE", "VA")

# The statute's ceiling for system data (Code of Virginia § 2.2-5517): a locality
# may shorten it, never lengthen it.
STATUTORY_READ_RETENTION_DAYS = 21
FLOCKGOV_READ_RETENTION_DAYS = env_int(
    "FLOCKGOV_READ_RETENTION_DAYS", STATUTORY_READ_RETENTION_DAYS
)
if not 1 <= FLOCKGOV_READ_RETENTION_DAYS <= STATUTORY_READ_RETENTION_DAYS:
    raise ImproperlyConfigured(
        "FLOCKGOV_READ_RETENTION_DAYS must be between 1 and "
        f"{STATUTORY_READ_RETENTION_DAYS}: the statute allows a shorter period, "
        "never a longer one."
    )
STATUTORY_AUDIT_RETENTION_YEARS = 2
FLOCKGOV_AUDIT_RETENTION_YEARS = STATUTORY_AUDIT_RETENTION_YEARS

# Case or incident numbers, e.g. 26-012345 or 2026-000123.
FLOCKGOV_CASE_NUMBER_PATTERN = env(
    "FLOCKGOV_CASE_NUMBER_PATTERN", r"^(?:\d{2}|\d{4})-\d{4,8}$"
)
FLOCKGOV_CASE_NUMBER_HELP = env(
    "FLOCKGOV_CASE_NUMBER_HELP", "YY-NNNNNN or YYYY-NNNNNN, e.g. 26-004512"
)
try:
    re.compile(FLOCKGOV_CASE_NUMBER_PATTERN)
except re.error as exc:
    raise ImproperlyConfigured(
        f"FLOCKGOV_CASE_NUMBER_PATTERN is not a valid regular expression: {exc}"
    ) from exc

FLOCKGOV_JUSTIFICATION_MAX_LENGTH = env_int("FLOCKGOV_JUSTIFICATION_MAX_LENGTH", 500)
FLOCKGOV_JUSTIFICATION_MIN_LENGTH = env_int("FLOCKGOV_JUSTIFICATION_MIN_LENGTH", 10)
# How many reads one search returns at most; the total is still counted and audited.
FLOCKGOV_SEARCH_RESULT_LIMIT = env_int("FLOCKGOV_SEARCH_RESULT_LIMIT", 500)

# Shown on the sign-in page, acknowledged before login (CJIS AC-8).
FLOCKGOV_SYSTEM_USE_NOTICE = env(
    "FLOCKGOV_SYSTEM_USE_NOTICE",
    "You are accessing a criminal-justice information system. Use is permitted only "
    "for the purposes the department's ALPR policy allows. Every action is recorded "
    "and reviewed; misuse is a crime under Virginia law.",
)

# --- audits (hardening) -----------------------------------------------------------
# How many reverse proxies stand in front of the application (docker-compose's web
# server is one). Audit records then take the client's address from
# X-Forwarded-For instead of the proxy's; 0 trusts no forwarded header at all.
FLOCKGOV_TRUSTED_PROXY_HOPS = env_int("FLOCKGOV_TRUSTED_PROXY_HOPS", 0)

# --- accounts ---------------------------------------------------------------------
# Training (§2, CJIS AT-2): a certificate is valid this many days after completion;
# expiry notices go out this many days before; retraining is due this many days
# after a security incident the officer was part of.
FLOCKGOV_TRAINING_VALID_DAYS = env_int("FLOCKGOV_TRAINING_VALID_DAYS", 365)
FLOCKGOV_TRAINING_NOTICE_DAYS = (30, 7)
FLOCKGOV_RETRAINING_DAYS = env_int("FLOCKGOV_RETRAINING_DAYS", 30)
FLOCKGOV_CERTIFICATE_MAX_BYTES = env_int("FLOCKGOV_CERTIFICATE_MAX_BYTES", 5 * 2**20)
# CJIS AC-2(3): accounts unused this long are disabled.
FLOCKGOV_INACTIVITY_DISABLE_DAYS = env_int("FLOCKGOV_INACTIVITY_DISABLE_DAYS", 90)
# CJIS AC-7: this many consecutive failures within the window lock the account.
FLOCKGOV_LOCKOUT_FAILURES = 5
FLOCKGOV_LOCKOUT_WINDOW = timedelta(minutes=15)
# CJIS AC-11/AC-12: re-authenticate after this long idle, and after this long at all.
FLOCKGOV_SESSION_IDLE = timedelta(minutes=env_int("FLOCKGOV_SESSION_IDLE_MINUTES", 30))
FLOCKGOV_SESSION_ABSOLUTE = timedelta(hours=12)
FLOCKGOV_PASSWORD_MAX_AGE_DAYS = env_int("FLOCKGOV_PASSWORD_MAX_AGE_DAYS", 365)
# A first authenticator is enrolled only with an administrator-issued password,
# within this long of its issue (or of the activation, if later).
FLOCKGOV_ENROLMENT_WINDOW = timedelta(
    hours=env_int("FLOCKGOV_ENROLMENT_WINDOW_HOURS", 72)
)
# The key ring that encrypts TOTP seeds (see accounts/crypto.py).
FLOCKGOV_TOTP_KEYS = _secret_from_file_or_env("FLOCKGOV_TOTP_KEYS")
if not FLOCKGOV_TOTP_KEYS and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        "FLOCKGOV_TOTP_KEYS (or FLOCKGOV_TOTP_KEYS_FILE) must be set outside "
        "development and tests: it encrypts the TOTP seeds."
    )
# Inactive accounts authenticate so the sign-in page can say why they may not
# enter; every route still refuses them (flockgov.middleware).
AUTHENTICATION_BACKENDS = ["accounts.backends.OfficerBackend"]
# Session limits and the one-live-session rule (after messages: it leaves one).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.SessionPolicyMiddleware",
)
# Passkeys (WebAuthn) as a second device type; never passwordless.
INSTALLED_APPS.append("django_otp_webauthn")
OTP_WEBAUTHN_RP_ID = env("FLOCKGOV_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = FLOCKGOV_DEPARTMENT_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "FLOCKGOV_WEBAUTHN_ORIGINS", ["http://localhost:8000"]
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# An inactive account's session ends with its reason, before the gate ends it silently.
MIDDLEWARE.insert(
    MIDDLEWARE.index("flockgov.middleware.RequireVerifiedOfficerMiddleware"),
    "accounts.middleware.InactiveAccountMiddleware",
)
CELERY_BEAT_SCHEDULE.update(
    {
        # Suspends lapsed training, sends expiry notices, disables unused accounts.
        "accounts-daily-rules": {
            "task": "accounts.tasks.enforce_account_rules",
            "schedule": crontab(hour=5, minute=30),
            "options": {"expires": 6 * 3600},
        },
    }
)

# --- sharing ---
# Network query access (§9.C.1) lasts at most this long before renewal, and each
# active grant is reviewed at least this often (monthly).
FLOCKGOV_NETWORK_GRANT_MAX_DAYS = env_int("FLOCKGOV_NETWORK_GRANT_MAX_DAYS", 365)
FLOCKGOV_NETWORK_GRANT_REVIEW_DAYS = env_int("FLOCKGOV_NETWORK_GRANT_REVIEW_DAYS", 31)
CELERY_BEAT_SCHEDULE.update(
    {
        # Snapshot the department's sharing settings; alarm on any unapproved change.
        "sharing-snapshot-settings": {
            "task": "sharing.tasks.snapshot_sharing_settings",
            "schedule": crontab(minute=15, hour=5),
            "options": {"expires": 3600},
        },
        # Remind the Captain of network access grants due for the monthly review.
        "sharing-grant-reviews": {
            "task": "sharing.tasks.remind_grant_reviews",
            "schedule": crontab(minute=30, hour=12),
            "options": {"expires": 3600},
        },
    }
)

# --- audits ---
# Names vendor exports use for the department itself (besides its own name); an
# Organization Audit is recognised by rows that all carry one of them.
FLOCKGOV_AUDIT_OWN_ORG_NAMES = env_list("FLOCKGOV_AUDIT_OWN_ORG_NAMES", [])
# Overrides of audit-rule parameters, by rule name (see audits/rules.py), e.g.
# {"off_shift": {"normal_hours": ["07:00", "19:00"]}, "sample": {"rate": 0.05}}.
FLOCKGOV_AUDIT_RULES: dict = {}
# Databases hot lists are compared against, for the yearly State Police report.
FLOCKGOV_REPORT_DATABASES = env_list("FLOCKGOV_REPORT_DATABASES", ["NCIC"])
CELERY_BEAT_SCHEDULE.update(
    {
        # Monthly audit (§7.A) of the month just ended in the department's zone;
        # 07:00 UTC on the 1st is after local midnight in every US zone.
        "audit-monthly": {
            "task": "audits.tasks.run_monthly_audit",
            "schedule": crontab(minute=0, hour=7, day_of_month=1),
            "options": {"expires": 20 * 3600},
        },
        # Weekly review (CJIS) of the Monday-to-Sunday week just ended.
        "audit-weekly": {
            "task": "audits.tasks.run_weekly_audit",
            "schedule": crontab(minute=30, hour=7, day_of_week=1),
            "options": {"expires": 20 * 3600},
        },
    }
)

# --- retention ---
# Rows per transaction when the purge deletes boundary rows (the partition of the
# cutoff day or month); whole expired partitions are detached and dropped instead.
FLOCKGOV_PURGE_BATCH_SIZE = env_int("FLOCKGOV_PURGE_BATCH_SIZE", 5000)
# How long DETACH PARTITION may wait for a lock before the run leaves that partition
# to the next run (searches keep their locks; the purge yields).
FLOCKGOV_PURGE_LOCK_TIMEOUT = env("FLOCKGOV_PURGE_LOCK_TIMEOUT", "5s")
CELERY_BEAT_SCHEDULE.update(
    {
        # Destroys expired reads and audit records (policy §8); one run at a time.
        "purge-expired": {
            "task": "retention.tasks.purge_expired",
            "schedule": crontab(minute=5),
            "options": {"expires": 50 * 60},
        },
        # Raises the purge-overdue alarm when no purge succeeded for 3 hours.
        "check-purge-overdue": {
            "task": "retention.tasks.check_purge_overdue_task",
            "schedule": crontab(minute="*/15"),
            "options": {"expires": 14 * 60},
        },
    }
)

# --- hotlists ---
# Custom entries expire this long after entry or last re-verification (§4.B
# recommends 24 h); an officer may choose a shorter expiry, never a longer one.
FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS = env_int("FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS", 24)
# The NCIC list must be refreshed at least every 24 hours (§4.A).
FLOCKGOV_NCIC_STALE_AFTER_HOURS = env_int("FLOCKGOV_NCIC_STALE_AFTER_HOURS", 24)
# An NCIC file whose valid records fall below this share of the current list is
# refused whole (a truncated download must not empty the list).
FLOCKGOV_NCIC_MIN_SHARE = float(env("FLOCKGOV_NCIC_MIN_SHARE", "0.5"))
# Where the VSP/NCIC extract is dropped; the newest file is imported by beat.
FLOCKGOV_NCIC_DROP_DIR = env("FLOCKGOV_NCIC_DROP_DIR", str(BASE_DIR / "var" / "ncic"))
FLOCKGOV_NCIC_LIST_NAME = env("FLOCKGOV_NCIC_LIST_NAME", "NCIC - VSP")
# OCR look-alike matches alert when they differ by at most this many characters.
FLOCKGOV_LOOKALIKE_MAX_SUBSTITUTIONS = env_int(
    "FLOCKGOV_LOOKALIKE_MAX_SUBSTITUTIONS", 2
)
# An alert on a read captured longer ago than this when it is raised (a bulk or
# historical import) is marked historical and kept out of the live alert feed.
FLOCKGOV_ALERT_LIVE_WINDOW_MINUTES = env_int("FLOCKGOV_ALERT_LIVE_WINDOW_MINUTES", 60)
# How many reads one POST /api/v1/reads/ may carry.
FLOCKGOV_INGEST_MAX_BATCH = env_int("FLOCKGOV_INGEST_MAX_BATCH", 5000)
# How many requests one source (one key) may make to POST /api/v1/reads/, as
# "<n>/<s|min|hour|day>". 600/min is ten batches a second: far above what a camera
# system that batches its reads sends, low enough that a runaway or stolen key
# cannot swamp the database. Counted in Redis (the default cache) per source.
FLOCKGOV_INGEST_RATE = env("FLOCKGOV_INGEST_RATE", "600/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", FLOCKGOV_INGEST_RATE):
    raise ImproperlyConfigured(
        f"FLOCKGOV_INGEST_RATE {FLOCKGOV_INGEST_RATE!r} is not a rate such as "
        "600/min (a positive count, then s, min, hour or day)."
    )
CELERY_BEAT_SCHEDULE.update(
    {
        # Imports the newest NCIC extract from the drop folder (VSP sends two a day).
        "hotlists-import-ncic-drop": {
            "task": "hotlists.tasks.import_ncic_drop",
            "schedule": crontab(minute="*/15"),
            "options": {"expires": 840},
        },
        # Raises (or clears) the stale-NCIC alarm when the last good import is old.
        "hotlists-check-ncic-freshness": {
            "task": "hotlists.tasks.check_ncic_freshness",
            "schedule": crontab(minute="*/5"),
            "options": {"expires": 280},
        },
    }
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append(
    "hotlists.context_processors.ncic_banner"
)
