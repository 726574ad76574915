"""Writing to the audit trail.

``record`` is the only way anything enters ``AuditEvent``. It must run in the same
transaction as the act it records: if the record cannot be written, the exception
rolls the act back, and an alarm is raised for the administrators.
"""

import ipaddress
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from flockgov import alarms
from flockgov.db import partitions

from .context import Actor, current_actor
from .events import EventType, Outcome
from .models import GENESIS_HASH, AuditEvent

logger = logging.getLogger(__name__)

# One lock for the whole chain: appends are serialised so every record's
# ``prev_hash`` is the hash of the record just before it.
CHAIN_LOCK_KEY = 0x466C6F636B4755  # "FlockGU"


class AuditWriteError(RuntimeError):
    """The audit record could not be written, so the act must not happen."""


def _storable(value: Any) -> Any:
    """``value`` with what PostgreSQL cannot store replaced: NUL characters (text
    and jsonb refuse them) become U+FFFD, lone surrogates (not UTF-8) become "?".

    Submitted values of a refused search may hold anything; a stray NUL or a lone
    ``\\ud800`` in a JSON body must not make the refusal itself unrecordable (and
    raise the audit-failure alarm).
    """
    if isinstance(value, str):
        text = value.replace("\x00", "\ufffd")
        return text.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable(str(key)): _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    """JSON-native copy of ``value``: what jsonb will give back, so hashes agree."""
    return _storable(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _normal_ip(ip: str | None) -> str | None:
    """The address as PostgreSQL's inet will print it back."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


# The refusals recorded while a request is handled (None outside a request), so
# that a page's refusal is recorded once: by the service or view that refused, or
# else by ``audits.middleware`` when the page answers 403.
_refusals: ContextVar[list[int] | None] = ContextVar("flockgov_refusals", default=None)


@contextmanager
def refusals_recorded() -> Iterator[list[int]]:
    """The seqs of the refusals recorded inside the block."""
    seen: list[int] = []
    token = _refusals.set(seen)
    try:
        yield seen
    finally:
        _refusals.reset(token)


def record(
    event_type: EventType | str,
    *,
    actor: Actor | None,
    outcome: Outcome = Outcome.SUCCESS,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    summary: str = "",
    data: dict[str, Any] | None = None,
    logentry_id: int | None = None,
) -> AuditEvent:
    """Appends one record to the chain and returns it.

    ``actor`` is required (keyword ``None`` falls back to the context's actor, then
    to an explicit "unattributed" system label, never to silence).
    """
    if isinstance(event_type, str) and event_type not in EventType.values:
        raise ValueError(f"unknown audit event type {event_type!r}")
    actor = actor or current_actor() or Actor.system("unattributed")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:200]
    values = {
        "event_type": str(event_type),
        "outcome": str(outcome),
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "summary": summary,
        "data": data,
        "logentry_id": logentry_id,
    }
    try:
        if connection.in_atomic_block:
            # The caller's transaction: the record's own savepoint (see _append)
            # keeps a failure from spoiling it, without Django's extra round trips.
            event = _append(actor=actor, **values)
        else:
            with transaction.atomic():
                event = _append(actor=actor, **values)
    except Exception as exc:
        reason = _describe_failure(exc)
        # Not logger.exception: PostgreSQL's message repeats the refused row, and
        # with it plates and justifications, which must not reach the logs.
        logger.error("audit record of %s could not be written: %s", event_type, reason)
        alarms.raise_alarm(
            alarms.AUDIT_WRITE_FAILED,
            f"An audit record ({event_type}) could not be written: {reason}",
        )
        raise AuditWriteError(f"{event_type}: {reason}") from None
    seen = _refusals.get()
    if seen is not None and str(outcome) == Outcome.REFUSED:
        seen.append(event.seq)
    return event


SUMMARY_LENGTH = AuditEvent._meta.get_field("summary").max_length


def record_refusal(
    event_type: EventType | str,
    *,
    actor: Actor | None,
    summary: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
    logentry_id: int | None = None,
) -> AuditEvent:
    """Records a refused attempt (outcome refused) and returns the record; the
    caller then raises its own error.

    Called outside a transaction, the record commits on its own, so the refusal
    stays in the trail whatever the caller does next. Called inside one, it
    shares that transaction's fate: a caller that refuses inside its act's
    transaction and lets the error out of it loses the record with the act.
    """
    return record(
        event_type,
        actor=actor,
        outcome=Outcome.REFUSED,
        target=target,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:SUMMARY_LENGTH],
        data=data or {},
        logentry_id=logentry_id,
    )


# The record's own savepoint, created in the same message as the chain lock: a
# failure (the partition, the lock, the insert) rolls back only this record and
# leaves the caller's transaction usable for its own rollback.
_SAVEPOINT = "flockgov_audit_append"

# One round trip: the savepoint, the chain lock, then the tail read under it. Each
# statement of a multi-statement message takes its own snapshot (READ COMMITTED),
# so the tail is read after the lock is granted and sees every record committed
# before; a single statement joining the lock and the read would not. The record's
# id is reserved here too, so the insert needs nothing back.
_LOCK_AND_TAIL = (
    f"SAVEPOINT {_SAVEPOINT}; "  # noqa: S608 - constants only
    "SELECT pg_advisory_xact_lock(%s); "
    "SELECT t.seq, t.hash, "
    "nextval(pg_get_serial_sequence('audits_auditevent', 'id')) "
    "FROM (SELECT 1) AS one LEFT JOIN LATERAL ("
    "SELECT seq, hash FROM audits_auditevent ORDER BY seq DESC LIMIT 1"
    ") AS t ON true"
)


def _insert_statement() -> tuple[str, list[models.Field]]:
    fields = [f for f in AuditEvent._meta.local_concrete_fields if f.column]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = (
        f"INSERT INTO {table} "  # noqa: S608 - the model's own names
        f"({columns}) VALUES ({marks}); RELEASE SAVEPOINT {_SAVEPOINT}"
    )
    return sql, fields


def _append(*, actor: Actor, **values: Any) -> AuditEvent:
    """Writes one record in two round trips (it runs with every search): the
    savepoint, lock and tail read; then the insert and the savepoint's release."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_AND_TAIL, [CHAIN_LOCK_KEY])
            last_seq, last_hash, event_id = cursor.fetchone()
            # The time is read under the lock, so chain order is time order.
            now = timezone.now()
            partitions.ensure(partitions.AUDIT, now)
            if last_seq is None:
                seq, prev_hash = 1, GENESIS_HASH
            else:
                seq, prev_hash = last_seq + 1, last_hash
            event = AuditEvent(
                id=event_id,
                occurred_at=now,
                seq=seq,
                prev_hash=prev_hash,
                event_type=values["event_type"],
                outcome=values["outcome"],
                actor=actor.officer,
                actor_label=_storable(actor.label[:150]),
                actor_role=actor.role[:16],
                os_user=actor.os_user[:64],
                ip=_normal_ip(actor.ip),
                request_id=actor.request_id[:32],
                object_type=_storable(values["object_type"][:64]),
                object_id=_storable(values["object_id"][:64]),
                object_repr=_storable(values["object_repr"][:200]),
                summary=_storable(values["summary"][:300]),
                data=_plain(values["data"] or {}),
                logentry_id=values["logentry_id"],
            )
            event.hash = event.compute_hash()
            sql, fields = _insert_statement()
            cursor.execute(
                sql,
                [
                    f.get_db_prep_save(getattr(event, f.attname), connection)
                    for f in fields
                ],
            )
    except Exception:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; "
                    f"RELEASE SAVEPOINT {_SAVEPOINT}"
                )
        except Exception:
            # No savepoint to go back to (the caller's transaction had already
            # failed) or no connection: the caller's transaction cannot go on,
            # and Django must roll it back rather than commit it.
            if connection.in_atomic_block:
                connection.set_rollback(True)
        raise
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _describe_failure(exc: BaseException) -> str:
    """What went wrong, without the data of the record that was refused."""
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    parts = [exc.__class__.__name__]
    for label, value in (
        ("sqlstate", getattr(cause, "pgcode", None)),
        ("table", getattr(diag, "table_name", None)),
        ("constraint", getattr(diag, "constraint_name", None)),
    ):
        if value:
            parts.append(f"{label} {value}")
    return ", ".join(parts)
