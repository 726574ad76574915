"""Counting without keeping personal data: the aggregate counters.

``add`` is safe under concurrency (one upsert per counter) and runs inside the
caller's transaction, so a rolled-back import counts nothing.

Inside ``collected()`` counts are summed in memory and written once when the block
ends (still inside the caller's transaction). A long import stores a hundred
batches in one transaction; upserting the same thousand counters once per batch
left a hundred row versions of each behind in that transaction, and each upsert
had to step over all of them, so the import slowed down as it went.
"""

import contextlib
import contextvars
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date

from django.db import connection
from django.utils import timezone

from .models import DailyCount

# One statement for a whole tally: a batch of reads from a few weeks and dozens of
# cameras touches about a thousand counters, and one round trip per counter cost
# more than storing the reads.
UPSERT = """
INSERT INTO audits_dailycount (day, metric, key, count)
SELECT * FROM unnest(%s::date[], %s::varchar[], %s::varchar[], %s::bigint[])
ON CONFLICT (day, metric, key)
    DO UPDATE SET count = audits_dailycount.count + EXCLUDED.count
"""


_collecting: contextvars.ContextVar[Counter | None] = contextvars.ContextVar(
    "flockgov_statistics_collecting", default=None
)


@contextlib.contextmanager
def collected() -> Iterator[None]:
    """Sums every ``add`` in the block and writes the totals when it ends.

    Leave the block inside the transaction whose work it counts; if the block
    raises, nothing is written (the transaction is rolling back anyway).
    """
    if _collecting.get() is not None:  # an outer block already collects
        yield
        return
    pending: Counter[tuple[date, str, str]] = Counter()
    token = _collecting.set(pending)
    try:
        yield
    finally:
        _collecting.reset(token)
    _write(pending)


def add(counts: Iterable[tuple[date, str, str, int]]) -> None:
    pending = _collecting.get()
    tally: Counter[tuple[date, str, str]] = Counter() if pending is None else pending
    for day, metric, key, n in counts:
        tally[(day, metric, key)] += n
    if pending is None:
        _write(tally)


def _write(tally: Counter[tuple[date, str, str]]) -> None:
    # One row per counter (a statement may not update a row twice), in a fixed
    # order so that concurrent tallies lock counters in the same order.
    rows = sorted((*counter, n) for counter, n in tally.items() if n)
    if not rows:
        return
    days, metrics, keys, ns = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [days, metrics, keys, ns])


def count_reads(reads) -> None:
    """Reads per camera per department day, from a stored batch."""
    tally: Counter[tuple[date, str]] = Counter()
    # The zone looked up once: timezone.localdate() per read cost seconds per
    # million reads.
    zone = timezone.get_current_timezone()
    for read in reads:
        tally[(read.captured_at.astimezone(zone).date(), str(read.camera_id))] += 1
    add((day, DailyCount.Metric.READS, camera, n) for (day, camera), n in tally.items())
