"""Storing plate reads in bulk: the one path by which reads enter the database.

Importers and the machine ingest endpoint validate their rows into ``NewRead``s and
hand them to ``store_reads``. It copies them into a temporary table with
PostgreSQL COPY, moves them into the partitioned table with one INSERT that returns
the new ids, and announces the stored batch through ``queries.signals.
reads_ingested`` in the same transaction (hot-list matching and statistics listen
there). Nothing is inserted row by row.
"""

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from audits.context import Actor
from flockgov.db import partitions

from .signals import reads_ingested
from .sql import INGEST_COLUMNS, INGEST_COPY, INGEST_MOVE, INGEST_STAGING

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NewRead:
    """A validated read, ready to store (plate already normalised)."""

    captured_at: datetime
    plate: str
    state: str
    camera_id: int
    latitude: float | None = None
    longitude: float | None = None
    plate_hashed: bool = False
    make: str = ""
    color: str = ""
    confidence: float | None = None
    image_ref: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class StoredRead:
    """What listeners get for each stored read: enough to match and count."""

    id: int
    captured_at: datetime
    plate: str
    plate_hashed: bool
    state: str
    camera_id: int


def _copy_text(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    # COPY's text format: escape the characters it gives meaning to.
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def store_reads(reads: Iterable[NewRead], *, actor: Actor) -> list[StoredRead]:
    """Stores one batch in a single transaction and returns what was stored.

    The caller records the audit event for the import as a whole (in the same
    transaction, when it wants the batch and its record to stand or fall together).
    """
    batch = list(reads)
    if not batch:
        return []
    low = min(read.captured_at for read in batch)
    high = max(read.captured_at for read in batch)
    # Partitions first, outside the batch's own work, so the catalogue lock that
    # creating one takes is held as briefly as possible.
    partitions.ensure_range(partitions.READS, low, high)
    buffer = io.StringIO()
    for read in batch:
        buffer.write("\t".join(_copy_text(getattr(read, c)) for c in INGEST_COLUMNS))
        buffer.write("\n")
    buffer.seek(0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INGEST_STAGING)
        cursor.execute("TRUNCATE queries_incoming_reads")
        cursor.copy_expert(INGEST_COPY, buffer)
        cursor.execute(INGEST_MOVE)
        stored = [StoredRead(*row) for row in cursor.fetchall()]
        reads_ingested.send(sender=StoredRead, reads=stored, actor=actor)
    logger.info("stored %s reads", len(stored))
    return stored
