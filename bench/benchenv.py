"""What every benchmark sets before Django starts: production settings.

A benchmark measures the application as a department runs it: ``DEBUG`` off (no
query log, no debug cursor wrapper) and quiet logging. Production settings refuse
to start without a secret key and a TOTP key ring; a benchmark's accounts protect
nothing, so throwaway values stand in unless the caller set real ones.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_settings() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flockgov.settings")
    os.environ["FLOCKGOV_DEBUG"] = "0"
    os.environ.setdefault("FLOCKGOV_TOTP_KEYS", "bench:" + "A" * 43 + "=")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("FLOCKGOV_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ["FLOCKGOV_LOG_LEVEL"] = "WARNING"
