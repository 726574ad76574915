"""Searching plate reads: the only write paths for ``Search``.

A search and its audit record are written in one transaction. If the audit record
cannot be written, the transaction is rolled back and no result leaves this module.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits.context import Actor
from audits.events import EventType
from audits.trail import record, record_refusal
from retention import search as retention_search

from .criteria import SearchCriteria
from .models import PlateRead, Search

logger = logging.getLogger(__name__)

# How much of each refused field the audit record keeps: enough to review the
# attempt, not a place to store a 10 kB paste.
MAX_AUDITED_FIELD = 1000


class NotPermitted(PermissionError):
    """The account may not search (inactive, or a role without searching duties)."""


@dataclass(frozen=True)
class SearchOutcome:
    search: Search
    reads: list[PlateRead]
    # Set when reads kept under a legal hold (past retention) were included.
    legal_hold_case: str = ""
    held_reads: int = 0

    @property
    def truncated(self) -> bool:
        return self.search.result_count > len(self.reads)


def matching_reads(criteria: SearchCriteria, *, now=None):
    """The reads a set of criteria selects, newest first.

    Reads due for destruction are never shown, even when the hourly purge has not
    reached them yet: a read exactly the retention period old is already due.
    """
    reads = PlateRead.objects.retained(now).filter(
        captured_at__gte=criteria.window_start, captured_at__lt=criteria.window_end
    )
    if criteria.plate.kind == "pattern":
        # Hashed plates answer exact searches only.
        reads = reads.filter(
            plate__like=criteria.plate.like_pattern, plate_hashed=False
        )
    else:
        reads = reads.filter(plate=criteria.plate.value)
    if criteria.camera_ids:
        reads = reads.filter(camera_id__in=criteria.camera_ids)
    return reads.order_by("-captured_at", "-id")


def perform_search(*, actor: Actor, criteria: SearchCriteria) -> SearchOutcome:
    officer = actor.officer
    if officer is None or not officer.may_search():
        refuse_search(
            actor=actor,
            submitted=criteria.as_audit_data(),
            errors={"__all__": ["This account may not search plates."]},
        )
        raise NotPermitted("This account may not search plates.")
    limit = settings.FLOCKGOV_SEARCH_RESULT_LIMIT
    with transaction.atomic():
        now = timezone.now()
        selected = matching_reads(criteria, now=now).select_related("camera")
        reads = list(selected[:limit])
        total = len(reads) if len(reads) < limit else selected.count()
        # Legal holds (retention app): vault copies for a search under the
        # holding case number.
        held = retention_search.held_reads(criteria)
        from_vault = 0
        if held:
            reads, total, from_vault = retention_search.merge(reads, total, held, limit)
        search = Search.objects.create(
            officer=officer,
            created_at=now,
            purpose=criteria.purpose,
            case_number=criteria.case_number,
            offense_type=criteria.offense_type,
            justification=criteria.justification,
            plate_query=criteria.plate.value,
            kind=criteria.plate.kind,
            window_start=criteria.window_start,
            window_end=criteria.window_end,
            camera_ids=list(criteria.camera_ids),
            result_count=total,
            read_ids=[read.id for read in reads],
        )
        record(
            EventType.SEARCH,
            actor=actor,
            target=search,
            summary=(
                f"searched {criteria.plate.kind} {criteria.plate.value} for purpose "
                f"{criteria.purpose.value}: {total} reads"
            ),
            data={
                **criteria.as_audit_data(),
                "result_count": total,
                **({"legal_hold_reads": from_vault} if from_vault else {}),
            },
        )
    logger.info(
        "search %s by officer %s returned %s reads", search.pk, officer.pk, total
    )
    return SearchOutcome(
        search=search,
        reads=reads,
        legal_hold_case=criteria.case_number if from_vault else "",
        held_reads=from_vault,
    )


# How many list items and keys of a refused submission the audit record keeps.
MAX_AUDITED_ITEMS = 50


def _bounded(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` small enough for the audit record, whatever was sent."""
    if isinstance(value, str):
        if len(value) > MAX_AUDITED_FIELD:
            return f"{value[:MAX_AUDITED_FIELD]}… ({len(value)} characters in all)"
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= 2:
        return _bounded(str(value), depth)
    if isinstance(value, list | tuple):
        return [_bounded(item, depth + 1) for item in value[:MAX_AUDITED_ITEMS]]
    if isinstance(value, dict):
        items = list(value.items())[:MAX_AUDITED_ITEMS]
        return {str(k)[:100]: _bounded(v, depth + 1) for k, v in items}
    return _bounded(str(value), depth)


def refuse_search(
    *, actor: Actor, submitted: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    """Audits a search that was not carried out, with what was asked and why not."""
    record_refusal(
        EventType.SEARCH_REFUSED,
        actor=actor,
        object_type="queries.search",
        summary="; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()),
        data={
            "submitted": _bounded(submitted),
            "errors": _bounded(errors),
        },
    )
