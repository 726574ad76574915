"""Storing plate reads in bulk: the one path by which reads enter the database.

Importers and the machine ingest endpoint validate their rows into ``NewRead``s and
hand them to ``store_reads`` (a batch in hand) or ``store_stream`` (a batch still
being read). Either reserves the batch's ids from the table's identity sequence,
copies the reads straight into the partitioned table with PostgreSQL COPY, and
announces the stored batch through ``queries.signals.reads_ingested`` in the same
transaction (hot-list matching and statistics listen there). Nothing is inserted
row by row.

COPY text is written only as PostgreSQL asks for more of it. An importer's reads
are therefore checked and written out while the server stores the ones before
them, on the other core, instead of the two taking turns.
"""

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice

from django.db import connection, transaction

from audits.context import Actor
from flockgov.db import partitions

from .signals import reads_ingested
from .sql import INGEST_COLUMNS, INGEST_COPY, RESERVE_IDS

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


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_text(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if not _NEEDS_ESCAPE.search(text):
        return text
    # COPY's text format: escape the characters it gives meaning to.
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _copy_line(read_id: int, read: NewRead) -> str:
    """One read as a line of COPY text: its id, then ``INGEST_COLUMNS`` in order.

    Spelled out column by column: this runs once per read and is the importer's
    hottest Python code (a generic loop over the columns cost a third of an import).
    Numbers never need escaping, and the text columns rarely do: one search over
    all of them decides, and only a read with such a character takes the slow path.
    """
    plate, state, make, color = read.plate, read.state, read.make, read.color
    image_ref, source = read.image_ref, read.source
    if _NEEDS_ESCAPE.search(f"{plate}{state}{make}{color}{image_ref}{source}"):
        text = _copy_text
        plate, state, make, color = text(plate), text(state), text(make), text(color)
        image_ref, source = text(image_ref), text(source)
    lat, lon, conf = read.latitude, read.longitude, read.confidence
    return (
        f"{read_id}\t{read.captured_at.isoformat()}\t{plate}\t"
        f"{'t' if read.plate_hashed else 'f'}\t{state}\t"
        f"{int(read.camera_id)}\t{_NULL if lat is None else float(lat)}\t"
        f"{_NULL if lon is None else float(lon)}\t{make}\t{color}\t"
        f"{_NULL if conf is None else float(conf)}\t{image_ref}\t{source}\n"
    )


_NULL = r"\N"


if INGEST_COLUMNS != (  # _copy_line writes exactly these, in this order
    "captured_at",
    "plate",
    "plate_hashed",
    "state",
    "camera_id",
    "latitude",
    "longitude",
    "make",
    "color",
    "confidence",
    "image_ref",
    "source",
):
    raise ImportError("queries.sql.INGEST_COLUMNS changed: update _copy_line")


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
    return _copy_batch(iter(batch), len(batch), actor=actor)


def store_stream(
    reads: Iterator[NewRead], *, actor: Actor, limit: int
) -> list[StoredRead]:
    """Stores the next ``limit`` reads of ``reads`` (fewer if it ends first) as one
    batch, as ``store_reads`` does, taking each read only when COPY needs it.

    The caller must already have created the partitions of every day the reads
    fall on, and ``reads`` must not touch the database while it is read: the
    connection is busy with the COPY. An empty ``reads`` stores nothing.
    """
    first = next(reads, None)
    if first is None:
        return []
    return _copy_batch(chain([first], reads), limit, actor=actor)


class _CopyText:
    """The file COPY reads from: lines made as PostgreSQL asks for them."""

    # Lines per read() call: large enough that the call costs nothing beside
    # them, small enough that the server never waits long for its next rows.
    LINES_PER_READ = 500

    def __init__(self, lines: Iterator[str]):
        self._lines = lines

    def read(self, size: int = -1) -> str:
        return "".join(islice(self._lines, self.LINES_PER_READ))


def _copy_batch(
    reads: Iterator[NewRead], limit: int, *, actor: Actor
) -> list[StoredRead]:
    taken: list[NewRead] = []

    def take() -> Iterator[NewRead]:
        for read in islice(reads, limit):
            taken.append(read)
            yield read

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RESERVE_IDS, {"table": "queries_plateread", "count": limit})
        ids = [row[0] for row in cursor.fetchall()]
        # Ids reserved for reads the stream did not have are left unused, as a
        # rolled-back insert leaves them; nothing depends on ids being dense.
        cursor.copy_expert(INGEST_COPY, _CopyText(map(_copy_line, ids, take())))
        stored = [
            StoredRead(
                read_id,
                read.captured_at,
                read.plate,
                read.plate_hashed,
                read.state,
                read.camera_id,
            )
            for read_id, read in zip(ids, taken, strict=False)
        ]
        reads_ingested.send(sender=StoredRead, reads=stored, actor=actor)
    # Debug only: an import logs its own summary, and a line per batch of a
    # million-read file would bury the rejections on standard error.
    logger.debug("stored %s reads", len(stored))
    return stored
