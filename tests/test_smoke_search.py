from audits.events import EventType
from audits.models import AuditEvent
from queries.models import Search


def test_it_searches_with_a_purpose_and_audits(alice_client, alice, reads):
    response = alice_client.post(
        "/search/",
        {
            "purpose": "A",
            "case_number": "26-004512",
            "offense_type": "Robbery",
            "justification": "Suspect vehicle seen leaving the robbery scene",
            "plate": "abc-1234",
        },
    )
    assert response.status_code == 200
    assert b"2 reads found" in response.content
    search = Search.objects.get()
    assert search.result_count == 2
    event = AuditEvent.objects.filter(event_type=EventType.SEARCH).get()
    assert event.data["case_number"] == "26-004512"
    assert event.object_id == str(search.pk)
    assert event.actor == alice
