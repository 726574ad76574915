"""Free text may hold quotes and angle brackets: it is stored as typed and
escaped on every page that shows it."""

import json

from audits.events import EventType
from audits.models import AuditEvent
from queries.models import Search

from .conftest import refusals

HOSTILE = "Witness said \"stop\" & 'run' <script>alert(1)</script> <b>bold</b>"
ESCAPED = (
    "Witness said &quot;stop&quot; &amp; &#x27;run&#x27; "
    "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;"
)
RAW_MARKUP = ("<script>alert(1)</script>", "<b>bold</b>")


def _assert_escaped(html: str) -> None:
    assert ESCAPED in html
    for raw in RAW_MARKUP:
        assert raw not in html


def test_it_stores_free_text_as_typed_and_escapes_it_everywhere(
    alice_client, carol_client, reads, valid_search
):
    response = alice_client.post("/search/", {**valid_search, "justification": HOSTILE})
    assert response.status_code == 200
    _assert_escaped(response.content.decode())  # the form shown again

    search = Search.objects.get()
    assert search.justification == HOSTILE
    event = AuditEvent.objects.get(event_type=EventType.SEARCH)
    assert event.data["justification"] == HOSTILE
    assert event.hash == event.compute_hash()

    _assert_escaped(alice_client.get("/searches/mine/").content.decode())
    _assert_escaped(carol_client.get("/audit/").content.decode())


def test_it_escapes_refused_submissions_in_the_audit_trail(
    alice_client, carol_client, valid_search
):
    data = {
        **valid_search,
        "plate": "<img src=x onerror=alert(1)>",
        "case_number": HOSTILE,
    }
    response = alice_client.post("/search/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<img src=x" not in page
    (refusal,) = refusals()
    assert refusal.data["submitted"]["plate"] == data["plate"]
    trail = carol_client.get("/audit/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in trail
    assert "<img src=x" not in trail
    assert "<script>" not in trail


def test_it_returns_free_text_as_json_data_from_the_api(
    alice_client, reads, valid_search
):
    response = alice_client.post(
        "/api/v1/searches/",
        json.dumps({**valid_search, "justification": HOSTILE}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["search"]["justification"] == HOSTILE
    listed = json.loads(alice_client.get("/api/v1/searches/").content)
    assert listed[0]["justification"] == HOSTILE
