"""Search-results exports (CSV and PDF) need a §3 purpose and case, carry the
watermark and are recorded with their checksum; audit-trail downloads are for the
Captain's audit reports only."""

import csv
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
import time_machine

from audits.events import EventType, Outcome
from audits.models import AuditEvent
from queries.models import PlateRead
from sharing.models import Export
from tests.conftest import verified_client

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def export(client, search, **values):
    body = {"format": "csv", "purpose": "A", "case_number": "26-004512", **values}
    return client.post(f"/sharing/export/search/{search.pk}/", body)


def test_it_exports_csv_with_watermark_and_recorded_checksum(alice_client, search):
    response = export(alice_client, search)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    content = response.content
    record = Export.objects.get()
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert response["X-Content-SHA256"] == record.sha256
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    preamble = {row[1]: row[2] for row in rows if row and row[0] == "#"}
    assert preamble["export_id"] == str(record.public_id)
    assert preamble["exported_by"] == "Alice Example (alice, badge 1001)"
    assert preamble["exported_at"] == "2026-12-04T15:00:00+00:00"
    assert preamble["purpose"] == "A" and preamble["case_number"] == "26-004512"
    header_at = rows.index(
        [
            "read_id",
            "captured_at",
            "plate",
            "state",
            "camera",
            "lat",
            "lon",
            "watermark",
        ]
    )
    data = rows[header_at + 1 :]
    assert [row[2] for row in data] == ["ABC1234", "ABC1234"]
    assert all(str(record.public_id) in row[-1] and "alice" in row[-1] for row in data)
    event = AuditEvent.objects.get(event_type=EventType.EXPORT)
    assert event.data["sha256"] == record.sha256
    assert event.data["export_id"] == str(record.public_id)
    assert event.data["row_count"] == 2


def test_it_exports_pdf_with_the_watermark_on_every_page(alice_client, search):
    response = export(alice_client, search, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    record = Export.objects.get()
    assert record.kind == Export.Kind.SEARCH_PDF
    assert record.sha256 == hashlib.sha256(response.content).hexdigest()
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    for page in reader.pages:
        text = page.extract_text()
        assert f"flockgov export {record.public_id}" in text
        assert "Alice Example (alice, badge 1001)" in text
        assert "2026-12-04T15:00:00+00:00" in text
    first = reader.pages[0].extract_text()
    assert "ABC1234" in first and "case_number: 26-004512" in first


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"purpose": ""}, "purpose", "§6.A forbids downloading"),
        ({"case_number": ""}, "case_number", "Give the case or incident number"),
        ({"case_number": "robbery"}, "case_number", "not a case or incident number"),
    ],
)
def test_it_refuses_an_export_without_purpose_or_case(
    alice_client, search, values, field, message
):
    response = export(alice_client, search, **values)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Export.objects.exists()
    event = AuditEvent.objects.get(event_type=EventType.EXPORT_REFUSED)
    assert event.outcome == Outcome.REFUSED
    assert field in event.data["errors"]


def test_it_refuses_to_export_when_every_read_is_purged(alice_client, search):
    PlateRead.objects.filter(id__in=search.read_ids).delete()
    response = export(alice_client, search)
    assert response.status_code == 400
    assert "destroyed at the end of the retention period" in response.content.decode()
    assert AuditEvent.objects.get(event_type=EventType.EXPORT_REFUSED).data[
        "rules"
    ] == ["data_purged"]


def test_it_exports_only_ones_own_searches(bob, search):
    response = export(verified_client(bob), search)
    assert response.status_code == 404
    assert not Export.objects.exists()


def test_it_asks_for_a_fresh_code_before_exporting(alice_client, search, _frozen):
    _frozen.shift(timedelta(minutes=15))
    response = export(alice_client, search)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/step-up/")
    assert not Export.objects.exists()


def test_it_links_exports_and_shares_from_results_without_plates(alice_client, reads):
    response = alice_client.post(
        "/search/",
        {
            "purpose": "A",
            "case_number": "26-004512",
            "offense_type": "Robbery",
            "justification": "Suspect vehicle seen leaving the robbery scene",
            "plate": "ABC1234",
        },
    )
    body = response.content.decode()
    links = re.findall(r'href="(/sharing/[^"]*)"', body)
    assert any("/sharing/export/search/" in link for link in links)
    assert any("/sharing/new/?search=" in link for link in links)
    assert all("ABC" not in link for link in links)


def test_it_lets_the_captain_download_the_audit_trail_for_a_report(carol, search):
    client = verified_client(carol)
    response = client.post(
        "/sharing/export/audit/",
        {
            "report": "Monthly audit, November 2026",
            "start": "2026-12-01T00:00",
            "end": "2026-12-05T00:00",
        },
    )
    assert response.status_code == 200
    record = Export.objects.get(kind=Export.Kind.AUDIT_CSV)
    assert record.sha256 == hashlib.sha256(response.content).hexdigest()
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    preamble = {row[1]: row[2] for row in rows if row and row[0] == "#"}
    assert preamble["report"] == "Monthly audit, November 2026"
    assert preamble["export_id"] == str(record.public_id)
    assert any(row and row[2] == EventType.MFA_VERIFIED for row in rows)


@pytest.mark.parametrize("who", ["alice", "dave", "erin"])
def test_it_refuses_audit_trail_downloads_to_all_but_the_captain(db, request, who):
    client = verified_client(request.getfixturevalue(who))
    response = client.post(
        "/sharing/export/audit/",
        {"report": "Curious", "start": "2026-12-01T00:00", "end": "2026-12-05T00:00"},
    )
    assert response.status_code == 403
    assert not Export.objects.exists()
    assert AuditEvent.objects.get(event_type=EventType.EXPORT_REFUSED).data[
        "rules"
    ] == ["audit_download_refused"]


def test_it_exports_negative_longitudes_as_numbers(alice_client, search):
    # The formula guard once quoted every cell starting with "-", so a
    # spreadsheet read the reads' longitudes as text.
    content = export(alice_client, search).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    header_at = next(i for i, row in enumerate(rows) if row[:1] == ["read_id"])
    data = rows[header_at + 1 :]
    assert [(row[5], row[6]) for row in data] == [("36.69", "-79.87")] * 2
