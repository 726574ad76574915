"""Rules about hot-list entries and alerts, each raising an error that names the
field. Forms, the CSV importer and the services call these; nothing repeats them."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from queries.criteria import screen
from queries.plates import PlateError, normalise_state, strict_plate
from queries.purposes import Purpose

from .models import Category, Disposition, custom_entry_lifetime


class RuleError(ValueError):
    """One or more fields break a rule; ``errors`` maps field to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(
            "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
        )


@dataclass
class CustomEntry:
    plate: str
    state: str
    category: str
    purpose: str
    case_number: str
    reason: str
    expires_at: datetime
    plate_type: str = ""
    vehicle_description: str = ""


@dataclass
class _Errors:
    found: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.found.setdefault(name, []).append(message)


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def validate_custom_entry(data: dict, *, now: datetime | None = None) -> CustomEntry:
    """A custom entry needs a §3 purpose, a case number and a reason (§4.B), and
    expires no later than the maximum after entry (24 h by default)."""
    now = now or timezone.now()
    errors = _Errors()
    plate = state = ""
    raw_plate = _text(data, "plate")
    if "*" in raw_plate or "?" in raw_plate:
        # Searches take wildcards; an entry alerts on one exact plate, and
        # dropping the symbol would list a plate nobody asked for (KLM* as KLM).
        errors.add(
            "plate",
            "A hot-list entry is one exact plate: wildcards (* and ?) cannot be "
            "listed. Enter the full plate.",
        )
    else:
        try:
            plate = strict_plate(raw_plate)
        except PlateError as exc:
            errors.add("plate", str(exc))
    try:
        state = normalise_state(_text(data, "state"))
    except PlateError as exc:
        errors.add("state", str(exc))
    category = _text(data, "category").lower()
    if category not in Category.values:
        errors.add(
            "category",
            "Choose what the entry is about: "
            + ", ".join(label for _, label in Category.choices)
            + " (the notifications §3.C allows).",
        )
    purpose = _text(data, "purpose").upper()
    if purpose not in Purpose.values:
        errors.add("purpose", "Choose the §3 purpose (A, B or C) this entry serves.")
    case_number = _text(data, "case_number")
    if not case_number:
        errors.add("case_number", "A case or incident number is required.")
    elif not re.match(settings.FLOCKGOV_CASE_NUMBER_PATTERN, case_number):
        errors.add(
            "case_number",
            f"{case_number!r} is not a case number "
            f"({settings.FLOCKGOV_CASE_NUMBER_HELP}).",
        )
    reason = _text(data, "reason")
    if len(reason) < 10:
        errors.add("reason", "Say why the vehicle is listed (at least 10 characters).")
    elif len(reason) > 300:
        errors.add("reason", "Keep the reason under 300 characters.")
    # A listed plate alerts on every camera for a day: §6.B's screen applies to
    # why it is listed exactly as to why a plate is searched.
    for name in ("reason", "vehicle_description"):
        hit = screen(_text(data, name))
        if hit:
            errors.add(
                name,
                f"Refused: {hit.term!r} points to a prohibited purpose "
                f"({hit.category_label}). Policy §6.B forbids using the system for it.",
            )
    latest = now + custom_entry_lifetime()
    expires_at = data.get("expires_at") or latest
    if isinstance(expires_at, str):
        try:
            expires_at = datetime.fromisoformat(expires_at.strip())
        except ValueError:
            errors.add("expires_at", f"{expires_at!r} is not a date and time.")
            expires_at = latest
    if isinstance(expires_at, datetime):
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= now:
            errors.add("expires_at", "The expiry must be in the future.")
        elif expires_at > latest:
            errors.add(
                "expires_at",
                f"An entry may run at most {settings.FLOCKGOV_HOTLIST_MAX_ENTRY_HOURS}"
                " hours before it must be re-verified (§4.B).",
            )
    plate_type = _text(data, "plate_type").upper()[:2]
    description = _text(data, "vehicle_description")[:200]
    if errors.found:
        raise RuleError(errors.found)
    return CustomEntry(
        plate=plate,
        state=state,
        category=category,
        purpose=purpose,
        case_number=case_number,
        reason=reason,
        expires_at=expires_at,
        plate_type=plate_type,
        vehicle_description=description,
    )


@dataclass
class DispositionData:
    outcome: str
    fresh_check: str = ""
    suspicion: str = ""
    note: str = ""


def validate_disposition(data: dict) -> DispositionData:
    """§5: a confirmation notes the fresh check against the record; independent
    suspicion is described; misread and no action need nothing more."""
    errors = _Errors()
    outcome = _text(data, "outcome")
    fresh_check = _text(data, "fresh_check")[:300]
    suspicion = _text(data, "suspicion")[:500]
    note = _text(data, "note")[:500]
    if outcome not in Disposition.Outcome.values:
        errors.add("outcome", "Choose what you did with the alert.")
    if outcome == Disposition.Outcome.CONFIRMED and len(fresh_check) < 5:
        errors.add(
            "fresh_check",
            "Note the fresh NCIC check (time and result) that confirmed plate and "
            "vehicle match the record.",
        )
    if outcome == Disposition.Outcome.INDEPENDENT and len(suspicion) < 10:
        errors.add(
            "suspicion",
            "Describe the independent reasonable suspicion (at least 10 characters).",
        )
    if errors.found:
        raise RuleError(errors.found)
    return DispositionData(outcome, fresh_check, suspicion, note)


@dataclass
class StopData:
    stopped_at: datetime
    location: str
    reason: str
    result: str
    result_detail: str = ""


def validate_stop(data: dict, *, now: datetime | None = None) -> StopData:
    from .models import Stop

    now = now or timezone.now()
    errors = _Errors()
    stopped_at = data.get("stopped_at") or now
    if isinstance(stopped_at, str):
        try:
            stopped_at = datetime.fromisoformat(stopped_at.strip())
        except ValueError:
            errors.add("stopped_at", f"{stopped_at!r} is not a date and time.")
            stopped_at = now
    if timezone.is_naive(stopped_at):
        stopped_at = timezone.make_aware(stopped_at)
    if stopped_at > now:
        errors.add("stopped_at", "The stop cannot be in the future.")
    location = _text(data, "location")[:200]
    if len(location) < 3:
        errors.add("location", "Say where the stop took place.")
    reason = _text(data, "reason")[:500]
    if len(reason) < 10:
        errors.add("reason", "State the specific reason for the stop.")
    result = _text(data, "result")
    if result not in Stop.Result.values:
        errors.add("result", "Choose the outcome of the stop.")
    if errors.found:
        raise RuleError(errors.found)
    return StopData(stopped_at, location, reason, result, _text(data, "result_detail"))
