"""Every refused page is in the audit trail once: recorded by the view or its
service where they say why, and otherwise by the middleware when the page
answers 403."""

from audits.events import EventType, Outcome
from audits.models import AuditEvent
from tests.conftest import verified_client


def refusals():
    return AuditEvent.objects.filter(outcome=Outcome.REFUSED).order_by("seq")


def test_a_page_refused_with_403_is_recorded_with_its_path_and_reason(alice):
    client = verified_client(alice)
    assert client.get("/audit/dashboard/").status_code == 403
    assert client.post("/audit/dashboard/", {"month": "2026-11"}).status_code == 403
    pages = refusals().filter(event_type=EventType.PAGE_REFUSED)
    assert [(e.data["method"], e.data["path"]) for e in pages] == [
        ("GET", "/audit/dashboard/"),
        ("POST", "/audit/dashboard/"),
    ]
    event = pages.first()
    assert event.actor_label == "alice"
    assert "open the audit dashboard" in event.data["reason"]


def test_a_refusal_the_view_recorded_itself_is_not_recorded_twice(alice):
    # The audit trail page records its own refusal (audit.viewed, refused).
    assert verified_client(alice).get("/audit/").status_code == 403
    assert [e.event_type for e in refusals()] == [EventType.AUDIT_VIEWED]


def test_pages_that_are_allowed_record_no_refusal(alice):
    assert verified_client(alice).get("/").status_code in (200, 302)
    assert not refusals().exists()
