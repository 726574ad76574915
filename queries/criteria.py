"""The rules a search request must satisfy before any read is touched.

The browser form and the REST serializer both hand their parsed values to
``validate``; neither repeats a rule. A failure names the field and the reason, so
the officer can correct it, and the refusal itself is audited by the caller.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from .models import Camera, OffenseType, ProhibitedTerm, read_cutoff
from .plates import PlateError, PlateQuery, parse_plate_query
from .purposes import CASE_NUMBER_REQUIRED, Purpose

# A window may end a little in the future: clocks on officers' laptops drift.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_CASE_NUMBER_LENGTH = 40


class CriteriaError(Exception):
    """One or more fields are wrong; ``errors`` maps field name to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SearchCriteria:
    purpose: Purpose
    case_number: str
    offense_type: str
    justification: str
    plate: PlateQuery
    window_start: datetime
    window_end: datetime
    camera_ids: tuple[int, ...] = field(default=())

    def as_audit_data(self) -> dict[str, object]:
        return {
            "purpose": self.purpose.value,
            "case_number": self.case_number,
            "offense_type": self.offense_type,
            "justification": self.justification,
            "plate_query": self.plate.value,
            "query_kind": self.plate.kind,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "camera_ids": list(self.camera_ids),
        }


@dataclass(frozen=True)
class ScreeningHit:
    term: str
    category: str
    category_label: str


def _term_regex(term: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(part) for part in term.split())
    if term.isupper():
        # Acronyms (ICE, HSI, CBP) match only as capitalised whole words, so
        # "ice on the road" or "police" never trips them.
        return re.compile(rf"(?<![A-Za-z0-9]){words}(?![A-Za-z0-9])")
    return re.compile(
        rf"(?<![a-z0-9]){words}(?:s|es|ers?|ors?|ing|ed)?(?![a-z0-9])", re.IGNORECASE
    )


@lru_cache(maxsize=256)
def _compiled(term: str) -> re.Pattern[str]:
    return _term_regex(term)


def screenable(text: str) -> str:
    """The text as the screening reads it: compatibility forms folded (full-width
    ``ＩＣＥ`` is ``ICE``) and invisible format characters (zero-width spaces and
    joiners, soft hyphens) removed, so neither hides a term.

    TODO: letters of other scripts that look Latin (Cyrillic ``о`` in ``prоtest``)
    still pass; a confusables table (Unicode TR39) would close that gap.
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def screen(
    text: str, terms: Iterable[ProhibitedTerm] | None = None
) -> ScreeningHit | None:
    """The first prohibited-purpose term (§6.B) found in ``text``, matched as a
    word, or None."""
    if terms is None:
        terms = ProhibitedTerm.objects.filter(active=True)
    text = screenable(text)
    for term in terms:
        if _compiled(term.term).search(text):
            return ScreeningHit(term.term, term.category, term.get_category_display())
    return None


def clean_case_number(purpose: Purpose | None, raw: str) -> str:
    value = raw.strip().upper()
    if len(value) > MAX_CASE_NUMBER_LENGTH:
        raise ValueError(
            f"A case number has at most {MAX_CASE_NUMBER_LENGTH} characters."
        )
    if not value:
        if purpose in CASE_NUMBER_REQUIRED:
            raise ValueError(
                f"Purpose {purpose.value} needs a case or incident number "
                f"({settings.FLOCKGOV_CASE_NUMBER_HELP})."
            )
        return ""
    # ASCII: ``\d`` would otherwise accept Arabic-Indic and other Unicode digits,
    # which no records system issues.
    if not re.fullmatch(settings.FLOCKGOV_CASE_NUMBER_PATTERN, value, flags=re.ASCII):
        raise ValueError(
            f"{value!r} is not a case number in the department's format "
            f"({settings.FLOCKGOV_CASE_NUMBER_HELP})."
        )
    return value


def _under_legal_hold(case_number: str) -> bool:
    """Reads past retention survive only in the legal-hold vault, and a search may
    reach back to them only under the holding case number (retention.search)."""
    from retention.search import case_is_held

    return case_is_held(case_number)


def validate(
    *,
    purpose: str | None,
    case_number: str,
    offense_type: str,
    justification: str,
    plate: str,
    window_start: datetime | None,
    window_end: datetime | None,
    camera_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> SearchCriteria:
    """Checks every rule and returns the criteria, or raises ``CriteriaError``."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    chosen: Purpose | None = None
    if not purpose:
        fail("purpose", "Choose the purpose of this search (policy §3 A, B or C).")
    elif purpose not in Purpose.values:
        fail("purpose", f"{purpose!r} is not a permitted purpose; choose A, B or C.")
    else:
        chosen = Purpose(purpose)

    case = ""
    try:
        case = clean_case_number(chosen, case_number or "")
    except ValueError as exc:
        fail("case_number", str(exc))

    offense = (offense_type or "").strip()
    if not offense:
        fail("offense_type", "Choose the offense type.")
    elif not OffenseType.objects.filter(name=offense, active=True).exists():
        fail("offense_type", f"{offense[:120]!r} is not one of the offense types.")

    reason = (justification or "").strip()
    low = settings.FLOCKGOV_JUSTIFICATION_MIN_LENGTH
    high = settings.FLOCKGOV_JUSTIFICATION_MAX_LENGTH
    if len(reason) < low:
        fail(
            "justification",
            f"Describe why you need this search in at least {low} characters.",
        )
    elif len(reason) > high:
        fail(
            "justification",
            f"Keep the justification to {high} characters; this one has {len(reason)}.",
        )
    else:
        hit = screen(reason)
        if hit:
            fail(
                "justification",
                f"Refused: {hit.term!r} points to a prohibited purpose "
                f"({hit.category_label}). Policy §6.B forbids using the system for it.",
            )

    query: PlateQuery | None = None
    try:
        query = parse_plate_query(plate or "")
    except PlateError as exc:
        fail("plate", str(exc))

    earliest = read_cutoff(now)
    start = window_start or earliest
    end = window_end or now
    if start < earliest and not _under_legal_hold(case):
        fail(
            "window_start",
            "Reads older than the retention period "
            f"({settings.FLOCKGOV_READ_RETENTION_DAYS} days) have been destroyed; "
            f"start at {timezone.localtime(earliest):%Y-%m-%d %H:%M} or later.",
        )
    if end > now + FUTURE_TOLERANCE:
        fail("window_end", "The window cannot end in the future.")
    if end <= start:
        fail("window_end", "The window must end after it starts.")

    cameras = tuple(sorted({int(c) for c in camera_ids}))
    if cameras:
        known = set(Camera.objects.filter(pk__in=cameras).values_list("pk", flat=True))
        missing = [c for c in cameras if c not in known]
        if missing:
            fail("cameras", f"Unknown camera ids: {', '.join(map(str, missing))}.")

    if errors:
        raise CriteriaError(errors)
    assert chosen is not None and query is not None
    return SearchCriteria(
        purpose=chosen,
        case_number=case,
        offense_type=offense,
        justification=reason,
        plate=query,
        window_start=start,
        window_end=end,
        camera_ids=cameras,
    )
