"""Fixtures for sharing: a registry with one organisation of every kind that
matters, a search by alice with results, a document upload, and helpers."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from audits.context import Actor
from queries.models import Search
from sharing.models import Organisation
from sharing.services import ShareInput
from tests.conftest import make_account

ORGS = {
    "henry_so": (
        "Henry County Sheriff's Office",
        "VA0440000",
        "virginia",
        "law_enforcement",
    ),
    "henry_ca": ("Henry County Commonwealth's Attorney", "", "virginia", "prosecutor"),
    "defence": ("Public Defender, Martinsville", "", "virginia", "defence"),
    "circuit": ("Martinsville Circuit Court", "", "virginia", "court"),
    "flock": ("Flock Safety", "", "virginia", "vendor"),
    "public": ("The public", "", "virginia", "public"),
    "ice": (
        "U.S. Immigration and Customs Enforcement",
        "DCICE0000",
        "federal",
        "law_enforcement",
    ),
    "nc_pd": (
        "Greensboro Police Department",
        "NC0410200",
        "other_state",
        "law_enforcement",
    ),
    "broker": ("Plate Data Brokers LLC", "", "virginia", "commercial"),
    "hoa": ("Oak Ridge Homeowners Association", "", "virginia", "private"),
    "fusion_tx": ("Texas fusion centre database", "", "other_state", "prosecutor"),
}


@pytest.fixture
def orgs(db) -> dict[str, Organisation]:
    made = {}
    for key, (name, ori, jurisdiction, kind) in ORGS.items():
        made[key] = Organisation.objects.create(
            name=name,
            ori=ori,
            jurisdiction=jurisdiction,
            state="VA" if jurisdiction == "virginia" else "",
            kind=kind,
        )
    return made


@pytest.fixture
def frank(db):
    """A second captain, to decide on carol's own requests."""
    return make_account("frank", Role.CAPTAIN, badge_number="2002")


@pytest.fixture
def rita(db):
    """Records staff."""
    return make_account("rita", Role.RECORDS)


@pytest.fixture
def search(alice, reads) -> Search:
    return Search.objects.create(
        officer=alice,
        created_at=timezone.now(),
        purpose="A",
        case_number="26-004512",
        offense_type="Robbery",
        justification="Vehicle seen leaving the robbery on Church St",
        plate_query="ABC1234",
        kind="exact",
        window_start=timezone.now() - timedelta(days=20),
        window_end=timezone.now(),
        result_count=2,
        read_ids=[reads[0].id, reads[1].id],
    )


def court_order_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "order.pdf", b"%PDF-1.4 order of the court", content_type="application/pdf"
    )


def share_input(recipient, ground, basis, search=None, **overrides) -> ShareInput:
    values = {
        "recipient": recipient,
        "ground": ground,
        "basis": basis,
        "purpose": "A" if basis == "purpose" else "",
        "case_number": "26-004512",
        "justification": "Suspect vehicle in the Church St robbery, case 26-004512",
        "search": search,
        "read_ids": tuple(search.read_ids) if search else (),
    }
    values.update(overrides)
    return ShareInput(**values)


def actor(officer) -> Actor:
    return Actor.for_officer(officer)


# The evidence each ground needs, as overrides of ``share_input``.
def evidence(ground: int) -> dict:
    if ground in (2, 3):
        return {"proceeding_number": "CR26000123-00"}
    if ground == 4:
        return {
            "document_number": "CR26-123",
            "document_court": "Martinsville Circuit Court",
            "document_date": date(2026, 11, 30),
            "document_file": court_order_pdf(),
        }
    if ground == 6:
        return {"alert_text": "Missing child: grey Honda Civic seen on Church St."}
    return {}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded orders and acknowledgments land in a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
