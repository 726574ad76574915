"""Walking the audit trail's hash chain to prove nothing was edited, removed or
reordered behind the application's back.

The walk streams the records in ``seq`` order through a server-side cursor (the
trail holds millions of rows across monthly partitions) and recomputes each hash
with the model's own ``compute_hash``. Purges leave a tombstone
(``retention.audit_purged``) naming the last destroyed record and its hash; the
first surviving record after it must point at that anchor.
"""

import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from .events import EventType
from .models import GENESIS_HASH, AuditEvent

COLUMNS = (
    "seq, id, occurred_at, prev_hash, hash, event_type, outcome, actor_id, "
    "actor_label, actor_role, os_user, host(ip), request_id, object_type, "
    "object_id, object_repr, summary, data, logentry_id"
)
FETCH = 20_000
# How many recent hashes to remember to tell a reordering from an edit.
RECENT = 4096


class _Row:
    """Just what ``AuditEvent.chained_fields`` reads, without a model instance
    per row (building a million model instances doubles the walk's time)."""

    __slots__ = (
        "seq",
        "id",
        "occurred_at",
        "prev_hash",
        "hash",
        "event_type",
        "outcome",
        "actor_id",
        "actor_label",
        "actor_role",
        "os_user",
        "ip",
        "request_id",
        "object_type",
        "object_id",
        "object_repr",
        "summary",
        "data",
        "logentry_id",
    )

    chained_fields = AuditEvent.chained_fields
    compute_hash = AuditEvent.compute_hash

    def __init__(self, values: tuple) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
        if isinstance(self.data, str):
            self.data = json.loads(self.data)


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # "modified", "missing", "reordered", "broken link"
    message: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind}: {self.message}"


@dataclass
class Anchor:
    through_seq: int
    anchor_hash: str


def purge_anchor() -> Anchor | None:
    """The latest purge tombstone: records up to its seq may be gone."""
    best: Anchor | None = None
    for data in AuditEvent.objects.filter(
        event_type=EventType.AUDIT_PURGED
    ).values_list("data", flat=True):
        try:
            anchor = Anchor(int(data["purged_through_seq"]), str(data["anchor_hash"]))
        except (KeyError, TypeError, ValueError):
            continue
        if best is None or anchor.through_seq > best.through_seq:
            best = anchor
    return best


def _rows() -> Iterator[_Row]:
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        # The wrapper hides psycopg's named cursor, whose batch size this is.
        cursor.cursor.itersize = FETCH
        cursor.execute(f"SELECT {COLUMNS} FROM audits_auditevent ORDER BY seq, id")  # noqa: S608
        for values in cursor:
            yield _Row(values)


def walk(rows: Iterator[_Row] | None = None) -> Iterator[Problem | int]:
    """Yields each problem found, then the number of records verified."""
    anchor = purge_anchor()
    previous_seq, previous_hash = 0, GENESIS_HASH
    if anchor is not None:
        previous_seq, previous_hash = anchor.through_seq, anchor.anchor_hash
    recent: OrderedDict[str, int] = OrderedDict()
    verified = 0
    for row in rows if rows is not None else _rows():
        verified += 1
        if anchor is not None and row.seq <= anchor.through_seq:
            # Kept past the purge (a legal hold): its own hash must still hold.
            if row.compute_hash() != row.hash:
                yield Problem(row.seq, "modified", "contents do not match its hash")
            continue
        own_ok = row.compute_hash() == row.hash
        if not own_ok:
            yield Problem(
                row.seq,
                "modified",
                "contents do not match its hash (edited after it was written)",
            )
        if row.seq == previous_seq:
            yield Problem(row.seq, "reordered", "two records carry this seq")
        elif row.seq > previous_seq + 1:
            gap = row.seq - previous_seq - 1
            yield Problem(
                previous_seq + 1,
                "missing",
                f"{gap} record(s) missing before seq {row.seq}",
            )
        elif row.prev_hash != previous_hash:
            if row.prev_hash in recent:
                yield Problem(
                    row.seq,
                    "reordered",
                    f"chained after seq {recent[row.prev_hash]}, not seq "
                    f"{previous_seq}",
                )
            elif own_ok:
                yield Problem(
                    row.seq,
                    "broken link",
                    f"its previous hash does not match seq {previous_seq}: that "
                    "record was modified and re-hashed, or replaced",
                )
        previous_seq, previous_hash = row.seq, row.hash
        recent[row.hash] = row.seq
        if len(recent) > RECENT:
            recent.popitem(last=False)
    yield verified
