"""The statute's sharing rules (policy §6.A, §9; Code of Virginia § 2.2-5517).

One place answers "may this data go to this recipient on this ground?": the
browser forms, the REST serializers and the services all call ``check_share``
(and its siblings) and never repeat a rule. A refusal names the field and the
reason, so the requester can see what is missing; the caller audits it.

Reading of the statute used here (see DESIGN.md "Reading the policy"):
- §9.C.1 and §9.C.2 "purposes set forth in section 5" are the §3 purposes.
- Ground 1 admits Virginia law-enforcement agencies only (with an ORI).
- Whatever the ground, nothing goes to a federal agency, another state's agency or
  database, or a private or commercial entity; and nothing is ever sold (§9.B).
  A court (of any jurisdiction) may be the recipient a court order names
  (ground 4); the vendor is admitted under ground 5 only.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import models

from queries.purposes import Purpose

from .models import Organisation

MAX_CASE_NUMBER_LENGTH = 40
# A share of reads names at most this many; a larger share is a bulk transfer,
# which the statute does not contemplate.
MAX_ITEMS = 5000
ORI_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")
# A scanned order or subpoena: a PDF or an image, of a sensible size.
DOCUMENT_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class Ground(models.IntegerChoices):
    """Policy §9.C: the only grounds on which data may be shared."""

    LAW_ENFORCEMENT = 1, "1: another law-enforcement agency, for a §3 purpose"
    COMMONWEALTH_ATTORNEY = 2, "2: the attorney for the Commonwealth"
    DEFENCE = 3, "3: a defendant or counsel, for discovery or a court order"
    COURT_ORDER = 4, "4: a court order or court-issued subpoena duces tecum"
    VENDOR = 5, "5: the vendor, for maintenance or quality assurance"
    PUBLIC_ALERT = 6, "6: the public, to alert it to an emergency"


class Basis(models.TextChoices):
    """What, under the chosen ground, the share serves."""

    PURPOSE = "purpose", "A §3 purpose (investigation or notification)"
    DISCOVERY = "discovery", "Discovery in a criminal proceeding"
    COURT_ORDER = "court_order", "A court order"
    SUBPOENA = "subpoena", "A court-issued subpoena duces tecum"
    MAINTENANCE = "maintenance", "Maintenance"
    QUALITY_ASSURANCE = "quality_assurance", "Quality assurance"
    EMERGENCY = "emergency", "An emergency situation"
    MISSING_PERSON = "missing_person", "A missing or endangered person"
    TRAFFICKING = "trafficking", "A person associated with human trafficking"
    WARRANT = "warrant", "A person with an outstanding warrant"
    OTHER = "other", "Anything else"


GROUND_BASES: dict[int, frozenset[str]] = {
    Ground.LAW_ENFORCEMENT: frozenset({Basis.PURPOSE}),
    Ground.COMMONWEALTH_ATTORNEY: frozenset(
        {Basis.PURPOSE, Basis.DISCOVERY, Basis.COURT_ORDER}
    ),
    Ground.DEFENCE: frozenset({Basis.DISCOVERY, Basis.COURT_ORDER}),
    Ground.COURT_ORDER: frozenset({Basis.COURT_ORDER, Basis.SUBPOENA}),
    Ground.VENDOR: frozenset({Basis.MAINTENANCE, Basis.QUALITY_ASSURANCE}),
    Ground.PUBLIC_ALERT: frozenset(
        {Basis.EMERGENCY, Basis.MISSING_PERSON, Basis.TRAFFICKING, Basis.WARRANT}
    ),
}

# The recipient kinds each ground admits (jurisdiction is checked separately).
GROUND_KINDS: dict[int, frozenset[str]] = {
    Ground.LAW_ENFORCEMENT: frozenset({Organisation.Kind.LAW_ENFORCEMENT}),
    Ground.COMMONWEALTH_ATTORNEY: frozenset({Organisation.Kind.PROSECUTOR}),
    Ground.DEFENCE: frozenset({Organisation.Kind.DEFENCE}),
    # Whoever the order names: a court, an agency, counsel. The blocked kinds
    # below still apply.
    Ground.COURT_ORDER: frozenset(
        {
            Organisation.Kind.COURT,
            Organisation.Kind.LAW_ENFORCEMENT,
            Organisation.Kind.PROSECUTOR,
            Organisation.Kind.DEFENCE,
        }
    ),
    Ground.VENDOR: frozenset({Organisation.Kind.VENDOR}),
    Ground.PUBLIC_ALERT: frozenset({Organisation.Kind.PUBLIC}),
}

DOCUMENT_BASES = frozenset({Basis.COURT_ORDER, Basis.SUBPOENA})
# Recipients that must sign that they will follow §9 before anything leaves.
ACKNOWLEDGING_KINDS = frozenset({Organisation.Kind.LAW_ENFORCEMENT})


class SharingRefused(Exception):
    """The share breaks a rule; ``errors`` maps field name to messages and
    ``codes`` names the rules broken (stable strings for tests and reports)."""

    def __init__(self, errors: dict[str, list[str]], codes: Iterable[str] = ()):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors
        self.codes = sorted(set(codes))


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.codes: list[str] = []

    def fail(self, name: str, code: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)
        self.codes.append(code)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SharingRefused(self.errors, self.codes)


def recipient_block(organisation: Organisation) -> tuple[str, str] | None:
    """Why nothing may go to ``organisation`` on any ground, or None.

    §9.B.2: no database of another state, no federal, private or commercial
    entity. A court is not such a database: ground 4 admits any court.
    """
    kind = organisation.kind
    if kind == Organisation.Kind.PRIVATE:
        return (
            "blocked_private",
            f"{organisation.name} is a private entity: §9.B.2 forbids sharing "
            "system or audit-trail data with it, whatever the ground.",
        )
    if kind == Organisation.Kind.COMMERCIAL:
        return (
            "blocked_commercial",
            f"{organisation.name} is a commercial entity: §9.B.2 forbids sharing "
            "system or audit-trail data with it, whatever the ground.",
        )
    if kind == Organisation.Kind.COURT:
        return None
    if organisation.jurisdiction == Organisation.Jurisdiction.FEDERAL:
        return (
            "blocked_federal",
            f"{organisation.name} is a federal agency: §9.B.2 forbids sharing "
            "system or audit-trail data with it, whatever the ground.",
        )
    if organisation.jurisdiction == Organisation.Jurisdiction.OTHER_STATE:
        return (
            "blocked_other_state",
            f"{organisation.name} belongs to another state: §9.B.2 forbids sharing "
            "system or audit-trail data with any other state's database, whatever "
            "the ground.",
        )
    return None


def clean_case_number(raw: str, *, required: bool, label: str) -> str:
    value = (raw or "").strip().upper()
    if len(value) > MAX_CASE_NUMBER_LENGTH:
        raise ValueError(f"A {label} has at most {MAX_CASE_NUMBER_LENGTH} characters.")
    if not value:
        if required:
            raise ValueError(
                f"Give the {label} ({settings.FLOCKGOV_CASE_NUMBER_HELP})."
            )
        return ""
    if not re.fullmatch(settings.FLOCKGOV_CASE_NUMBER_PATTERN, value):
        raise ValueError(
            f"{value!r} is not a {label} in the department's format "
            f"({settings.FLOCKGOV_CASE_NUMBER_HELP})."
        )
    return value


@dataclass
class Document:
    """A court order or subpoena duces tecum."""

    number: str = ""
    court: str = ""
    issued_on: date | None = None
    has_file: bool = False
    file_name: str = ""
    file_size: int = 0


@dataclass
class ShareDraft:
    """Everything a share request says, as parsed values (not yet saved)."""

    recipient: Organisation | None
    ground: int | None
    basis: str = ""
    purpose: str = ""
    case_number: str = ""
    proceeding_number: str = ""
    document: Document = field(default_factory=Document)
    sale: bool = False
    alert_text: str = ""
    justification: str = ""
    read_ids: list[int] = field(default_factory=list)
    hotlist_entry_ids: list[int] = field(default_factory=list)
    audit_seqs: list[int] = field(default_factory=list)
    may_share_audit_records: bool = False


@dataclass(frozen=True)
class CheckedShare:
    """A draft that passed every rule, with its values normalised."""

    recipient: Organisation
    ground: Ground
    basis: Basis
    purpose: str
    case_number: str
    proceeding_number: str
    document: Document
    alert_text: str
    justification: str
    read_ids: tuple[int, ...]
    hotlist_entry_ids: tuple[int, ...]
    audit_seqs: tuple[int, ...]


def check_share(draft: ShareDraft, *, today: date | None = None) -> CheckedShare:
    """Checks every sharing rule; returns the normalised share or raises
    ``SharingRefused`` listing every rule broken."""
    c = _Collector()

    if draft.sale:
        c.fail(
            "sale",
            "sale",
            "System data and audit-trail data are never sold (§9.B.1); a share "
            "in exchange for payment or anything of value is refused.",
        )

    ground: Ground | None = None
    if draft.ground in (None, ""):
        c.fail("ground", "ground_missing", "Choose the §9.C ground (1 to 6).")
    else:
        try:
            ground = Ground(int(draft.ground))
        except (TypeError, ValueError):
            c.fail(
                "ground",
                "ground_unknown",
                f"{draft.ground!r} is not a §9.C ground; choose 1 to 6.",
            )

    recipient = draft.recipient
    if recipient is None:
        c.fail("recipient", "recipient_missing", "Choose the recipient.")
    else:
        block = recipient_block(recipient)
        if recipient.needs_classification:
            c.fail(
                "recipient",
                "recipient_unclassified",
                f"{recipient.name} has not been classified in the registry yet; "
                "the Captain confirms its jurisdiction and kind first.",
            )
        if block:
            c.fail("recipient", *block)
        elif ground is not None:
            _check_recipient_for_ground(c, recipient, ground)

    basis: Basis | None = None
    if ground is not None:
        allowed = GROUND_BASES[ground]
        if not draft.basis:
            c.fail(
                "basis",
                "basis_missing",
                f"Say what the share serves under ground {ground.value}: "
                + ", ".join(Basis(b).label.lower() for b in sorted(allowed))
                + ".",
            )
        elif draft.basis not in Basis.values or draft.basis not in allowed:
            if ground == Ground.VENDOR:
                c.fail(
                    "basis",
                    "vendor_not_maintenance",
                    "The vendor receives data for maintenance or quality assurance "
                    "only (§9.C.5, §10.A).",
                )
            else:
                c.fail(
                    "basis",
                    "basis_not_allowed",
                    f"Ground {ground.value} does not allow sharing for "
                    f"{draft.basis!r}; it allows "
                    + ", ".join(Basis(b).label.lower() for b in sorted(allowed))
                    + ".",
                )
        else:
            basis = Basis(draft.basis)

    purpose = ""
    case_number = ""
    if basis == Basis.PURPOSE:
        if not draft.purpose:
            c.fail(
                "purpose",
                "purpose_missing",
                "Choose the §3 purpose (A, B or C) the share serves.",
            )
        elif draft.purpose not in Purpose.values:
            c.fail(
                "purpose",
                "purpose_unknown",
                f"{draft.purpose!r} is not a §3 purpose; choose A, B or C.",
            )
        else:
            purpose = draft.purpose
    # Every share names the case it serves (a public alert: its incident), so
    # the monthly audit can tie it to an investigation. Vendor maintenance has
    # no case; it names the vendor's ticket in its justification.
    if ground is not None:
        try:
            case_number = clean_case_number(
                draft.case_number,
                required=ground != Ground.VENDOR,
                label="case or incident number",
            )
        except ValueError as exc:
            c.fail("case_number", "case_number", str(exc))

    proceeding = (draft.proceeding_number or "").strip()[:60]
    if basis == Basis.DISCOVERY and not proceeding:
        c.fail(
            "proceeding_number",
            "proceeding_missing",
            "Discovery needs the criminal proceeding's court case number.",
        )

    document = draft.document
    if basis in DOCUMENT_BASES:
        label = "court order" if basis == Basis.COURT_ORDER else "subpoena duces tecum"
        missing = []
        if not (document.number or "").strip():
            missing.append("its number")
        if not (document.court or "").strip():
            missing.append("the issuing court")
        if document.issued_on is None:
            missing.append("the date it was issued")
        if not document.has_file:
            missing.append("a copy of the document")
        if missing:
            c.fail(
                "document",
                "document_missing",
                f"A share under a {label} needs " + ", ".join(missing) + ".",
            )
        elif document.file_name and not document.file_name.lower().endswith(
            DOCUMENT_SUFFIXES
        ):
            c.fail(
                "document",
                "document_type",
                f"Upload the {label} as a PDF or an image "
                f"({', '.join(DOCUMENT_SUFFIXES)}).",
            )
        elif document.file_size > MAX_DOCUMENT_BYTES:
            c.fail(
                "document",
                "document_size",
                f"The copy of the {label} is larger than "
                f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            )
        elif today is not None and document.issued_on > today:
            c.fail(
                "document",
                "document_future",
                f"The {label} cannot be dated in the future.",
            )

    alert_text = (draft.alert_text or "").strip()
    if ground == Ground.PUBLIC_ALERT and len(alert_text) < 10:
        c.fail(
            "alert_text",
            "alert_missing",
            "A public alert needs the text that will be published.",
        )

    justification = (draft.justification or "").strip()
    if len(justification) < settings.FLOCKGOV_JUSTIFICATION_MIN_LENGTH:
        c.fail(
            "justification",
            "justification_missing",
            "Say why this recipient needs this data, in at least "
            f"{settings.FLOCKGOV_JUSTIFICATION_MIN_LENGTH} characters.",
        )
    elif len(justification) > settings.FLOCKGOV_JUSTIFICATION_MAX_LENGTH:
        c.fail(
            "justification",
            "justification_long",
            "Keep the justification to "
            f"{settings.FLOCKGOV_JUSTIFICATION_MAX_LENGTH} characters.",
        )

    read_ids = tuple(sorted({int(i) for i in draft.read_ids}))
    entry_ids = tuple(sorted({int(i) for i in draft.hotlist_entry_ids}))
    seqs = tuple(sorted({int(i) for i in draft.audit_seqs}))
    total = len(read_ids) + len(entry_ids) + len(seqs)
    if total == 0:
        c.fail(
            "data",
            "data_missing",
            "Choose the exact data to share: reads from a search, hot-list "
            "entries or audit records.",
        )
    elif total > MAX_ITEMS:
        c.fail(
            "data",
            "data_too_much",
            f"A share names at most {MAX_ITEMS} items; this one names {total}.",
        )
    if seqs and not draft.may_share_audit_records:
        c.fail(
            "audit_seqs",
            "audit_records_not_allowed",
            "Only the Captain, the Chief and administrators may share audit records.",
        )

    c.raise_if_any()
    assert recipient is not None and ground is not None and basis is not None
    return CheckedShare(
        recipient=recipient,
        ground=ground,
        basis=basis,
        purpose=purpose,
        case_number=case_number,
        proceeding_number=proceeding,
        document=document,
        alert_text=alert_text,
        justification=justification,
        read_ids=read_ids,
        hotlist_entry_ids=entry_ids,
        audit_seqs=seqs,
    )


def _check_recipient_for_ground(
    c: _Collector, recipient: Organisation, ground: Ground
) -> None:
    kinds = GROUND_KINDS[ground]
    if recipient.kind not in kinds:
        c.fail(
            "recipient",
            "recipient_wrong_kind",
            f"Ground {ground.value} does not admit {recipient.name} "
            f"({recipient.get_kind_display().lower()}); it admits "
            + ", ".join(Organisation.Kind(k).label.lower() for k in sorted(kinds))
            + ".",
        )
        return
    if ground == Ground.LAW_ENFORCEMENT:
        if recipient.jurisdiction != Organisation.Jurisdiction.VIRGINIA:
            c.fail(
                "recipient",
                "ground1_not_virginia",
                "Ground 1 admits Virginia law-enforcement agencies only.",
            )
        elif not ORI_PATTERN.match(recipient.ori or ""):
            c.fail(
                "recipient",
                "ground1_no_ori",
                f"{recipient.name} has no ORI in the registry; ground 1 needs the "
                "agency's ORI.",
            )
    if (
        ground == Ground.COMMONWEALTH_ATTORNEY
        and recipient.jurisdiction != Organisation.Jurisdiction.VIRGINIA
    ):
        c.fail(
            "recipient",
            "ground2_not_virginia",
            "Ground 2 admits a Virginia attorney for the Commonwealth only.",
        )


def needs_acknowledgment(recipient: Organisation) -> bool:
    return recipient.kind in ACKNOWLEDGING_KINDS


def check_network_grant(
    organisation: Organisation | None, *, expires_at: datetime | None, now: datetime
) -> None:
    """§9.C.1: only a Virginia law-enforcement agency may query the department's
    data, and only until a stated expiry no more than a year away."""
    c = _Collector()
    if organisation is None:
        c.fail("organisation", "recipient_missing", "Choose the agency.")
    else:
        block = recipient_block(organisation)
        if block:
            c.fail("organisation", *block)
        elif not organisation.is_virginia_law_enforcement:
            c.fail(
                "organisation",
                "grant_not_virginia_le",
                "Network query access is granted to Virginia law-enforcement "
                "agencies only (§9.C.1).",
            )
        elif not ORI_PATTERN.match(organisation.ori or ""):
            c.fail(
                "organisation",
                "ground1_no_ori",
                f"{organisation.name} has no ORI in the registry.",
            )
        if organisation.needs_classification:
            c.fail(
                "organisation",
                "recipient_unclassified",
                f"{organisation.name} has not been classified in the registry yet.",
            )
    if expires_at is None:
        c.fail("expires_at", "grant_no_expiry", "A grant needs an expiry.")
    elif expires_at <= now:
        c.fail("expires_at", "grant_expired", "The expiry must be in the future.")
    elif (expires_at - now).days > settings.FLOCKGOV_NETWORK_GRANT_MAX_DAYS:
        c.fail(
            "expires_at",
            "grant_too_long",
            "A grant lasts at most "
            f"{settings.FLOCKGOV_NETWORK_GRANT_MAX_DAYS} days; renew it after review.",
        )
    c.raise_if_any()


def check_export(*, purpose: str, case_number: str) -> tuple[str, str]:
    """§6.A: a download of system data serves a §3 purpose, with its case."""
    c = _Collector()
    if not purpose:
        c.fail(
            "purpose",
            "export_no_purpose",
            "An export needs the §3 purpose it serves (A, B or C); §6.A forbids "
            "downloading data for anything else.",
        )
    elif purpose not in Purpose.values:
        c.fail("purpose", "purpose_unknown", f"{purpose!r} is not a §3 purpose.")
    case = ""
    try:
        case = clean_case_number(
            case_number, required=True, label="case or incident number"
        )
    except ValueError as exc:
        c.fail("case_number", "case_number", str(exc))
    c.raise_if_any()
    return purpose, case
