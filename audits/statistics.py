"""Counting without keeping personal data: the aggregate counters.

``add`` is safe under concurrency (one upsert per counter) and runs inside the
caller's transaction, so a rolled-back import counts nothing.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.utils import timezone

from .models import DailyCount

UPSERT = """
INSERT INTO audits_dailycount (day, metric, key, count)
VALUES (%s, %s, %s, %s)
ON CONFLICT (day, metric, key)
    DO UPDATE SET count = audits_dailycount.count + EXCLUDED.count
"""


def add(counts: Iterable[tuple[date, str, str, int]]) -> None:
    rows = [row for row in counts if row[3]]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(UPSERT, rows)


def count_reads(reads) -> None:
    """Reads per camera per department day, from a stored batch."""
    tally: Counter[tuple[date, str]] = Counter()
    for read in reads:
        day = timezone.localdate(read.captured_at)
        tally[(day, str(read.camera_id))] += 1
    add((day, DailyCount.Metric.READS, camera, n) for (day, camera), n in tally.items())
