"""Settings for the test suite: the real settings with the testing switch on.

Tests use real PostgreSQL and Redis. A separate Redis database of the same server
(15, or ``FLOCKGOV_TEST_REDIS_DB``) keeps test keys (alarms, heartbeats,
throttles) apart from a running development stack; the suite clears it between
tests.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("FLOCKGOV_TESTING", "1")
os.environ.setdefault("FLOCKGOV_DEBUG", "0")


TEST_REDIS_DB = os.environ.get("FLOCKGOV_TEST_REDIS_DB", "15")


def _test_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.startswith("redis+socket") or parts.scheme == "unix":
        query = "&".join(
            p for p in parts.query.split("&") if p and not p.startswith("db=")
        )
        return urlunsplit(
            parts._replace(query="&".join(filter(None, [query, f"db={TEST_REDIS_DB}"])))
        )
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))


if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _test_redis_url(os.environ["REDIS_URL"])

from .settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
