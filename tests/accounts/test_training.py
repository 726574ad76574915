"""Training certificates: recorded by administrators, checked, seen by their owner."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts import services
from accounts.models import TrainingCertificate
from audits.events import EventType, Outcome
from tests.accounts.conftest import actor_of, events, signed_in

PDF = b"%PDF-1.4\n% test certificate\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _record(actor, officer, **overrides):
    values = {
        "course": "ALPR system and department policy",
        "completed_on": date(2026, 12, 1),
        "issuer_reference": "LMS-2026-0001",
    }
    values.update(overrides)
    return services.record_certificate(actor=actor, officer=officer, **values)


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_records_a_certificate_valid_for_a_year(dave, frank):
    certificate = _record(
        actor_of(dave), frank, upload=SimpleUploadedFile("c.pdf", PDF)
    )
    assert certificate.expires_on == date(2027, 12, 1)
    assert certificate.file_content_type == "application/pdf"
    assert certificate.is_current(today=date(2027, 11, 30))
    assert not certificate.is_current(today=date(2027, 12, 1))
    event = events(EventType.TRAINING_RECORDED).get()
    assert event.data["issuer_reference"] == "LMS-2026-0001"


@time_machine.travel("2026-12-04 15:00Z", tick=False)
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"completed_on": date(2026, 12, 5)},
            "The completion date 2026-12-05 is in the future",
        ),
        (
            {"completed_on": date(2025, 12, 4)},
            "This certificate expired on 2026-12-04",
        ),
        (
            {"upload": SimpleUploadedFile("c.pdf", b"MZ\x90\x00 not a pdf")},
            "The file must be a PDF, PNG or JPEG",
        ),
    ],
)
def test_it_refuses_a_bad_certificate_and_keeps_nothing(
    dave, frank, overrides, message
):
    with pytest.raises(services.AccountRuleError, match=message):
        _record(actor_of(dave), frank, **overrides)
    assert not TrainingCertificate.objects.filter(officer=frank).exists()
    refused = events(EventType.TRAINING_RECORDED, outcome=Outcome.REFUSED).get()
    assert message in refused.summary


@time_machine.travel("2026-12-04 15:00Z", tick=False)
@override_settings(FLOCKGOV_CERTIFICATE_MAX_BYTES=1000)
def test_it_refuses_an_upload_over_the_size_limit(dave, frank):
    upload = SimpleUploadedFile("c.png", PNG + b"\x00" * 1000)
    with pytest.raises(services.AccountRuleError, match="the limit is 1,000 bytes"):
        _record(actor_of(dave), frank, upload=upload)
    assert not TrainingCertificate.objects.filter(officer=frank).exists()


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_refuses_a_certificate_recorded_twice(dave, frank, alice):
    _record(actor_of(dave), frank)
    with pytest.raises(services.AccountRuleError, match="already recorded"):
        _record(actor_of(dave), alice)
    assert (
        TrainingCertificate.objects.filter(issuer_reference="LMS-2026-0001").count()
        == 1
    )


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_lets_only_administrators_record_and_not_their_own(dave, carol, frank):
    with pytest.raises(services.AccountRuleError, match="Only an administrator"):
        _record(actor_of(carol), frank)
    with pytest.raises(services.AccountRuleError, match="own account"):
        _record(actor_of(dave), dave, issuer_reference="LMS-X")
    assert events(EventType.TRAINING_RECORDED, outcome=Outcome.REFUSED).count() == 2


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_shows_officers_their_own_certificate_file_and_hides_others(
    dave, alice, bob
):
    mine = _record(actor_of(dave), alice, upload=SimpleUploadedFile("c.pdf", PDF))
    theirs = _record(
        actor_of(dave),
        bob,
        issuer_reference="LMS-2026-0002",
        upload=SimpleUploadedFile("c.png", PNG),
    )
    client = signed_in(alice)
    page = client.get("/accounts/me/")
    assert b"LMS-2026-0001" in page.content
    response = client.get(f"/accounts/certificates/{mine.pk}/file/")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(f"/accounts/certificates/{theirs.pk}/file/").status_code == 404
    assert client.get(f"/accounts/manage/{bob.pk}/").status_code == 404


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_records_a_certificate_through_the_page(dave, frank):
    client = signed_in(dave)
    response = client.post(
        f"/accounts/manage/{frank.pk}/certificate/",
        {
            "course": "ALPR system and department policy",
            "completed_on": "2026-12-03",
            "issuer_reference": "LMS-77",
            "file": SimpleUploadedFile("cert.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert frank.certificates.get().issuer_reference == "LMS-77"
    response = client.post(
        f"/accounts/manage/{frank.pk}/certificate/",
        {
            "course": "ALPR",
            "completed_on": (date(2026, 12, 4) + timedelta(days=1)).isoformat(),
            "issuer_reference": "LMS-78",
        },
    )
    assert response.status_code == 400
    assert b"is in the future" in response.content
