"""Beat jobs: import the newest NCIC extract from the drop folder, and watch the
NCIC list's freshness (§4.A: refreshed at least every 24 hours)."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from audits.context import Actor, acting_as

from . import importing, services

logger = logging.getLogger(__name__)

# The last file tried (name, size, mtime), so a refused file is not retried and
# re-audited every quarter hour; a new or rewritten file is tried again.
LAST_TRIED_KEY = "hotlists:ncic-drop:last-tried"


def newest_drop_file(folder: str | Path) -> Path | None:
    path = Path(folder)
    if not path.is_dir():
        return None
    files = [f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")]
    return max(files, key=lambda f: f.stat().st_mtime, default=None)


@shared_task
def import_ncic_drop() -> str:
    newest = newest_drop_file(settings.FLOCKGOV_NCIC_DROP_DIR)
    if newest is None:
        return "no file"
    stat = newest.stat()
    fingerprint = f"{newest.name}:{stat.st_size}:{stat.st_mtime_ns}"
    if cache.get(LAST_TRIED_KEY) == fingerprint:
        return "already tried"
    actor = Actor.system("import_ncic_drop")
    with acting_as(actor):
        try:
            report = importing.import_ncic_file(newest, actor=actor)
        except importing.Unusable as exc:
            logger.warning("NCIC drop file refused: %s", exc)
            cache.set(LAST_TRIED_KEY, fingerprint, timeout=None)
            return "refused"
    cache.set(LAST_TRIED_KEY, fingerprint, timeout=None)
    return (
        f"imported={report.imported} rejected={len(report.rejected)} "
        f"excluded={report.excluded_total}"
    )


@shared_task
def check_ncic_freshness() -> bool:
    actor = Actor.system("check_ncic_freshness")
    with acting_as(actor):
        return services.check_ncic_freshness(actor=actor)
