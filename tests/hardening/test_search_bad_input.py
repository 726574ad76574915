"""Every bad search input in the issue, through the browser form and through
``POST /api/v1/searches/``: a specific field error, nothing searched, and the
refused attempt audited with what was submitted (bounded)."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from audits.events import Outcome
from queries.models import Search

from .conftest import refusals

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TEN_KB = "Vehicle seen near the scene. " * 350  # 10,150 characters

CASES = [
    ("no-purpose", {"purpose": ""}, "purpose", "Choose the purpose"),
    ("unknown-purpose", {"purpose": "D"}, "purpose", "'D' is not a permitted purpose"),
    (
        "A-without-case",
        {"purpose": "A", "case_number": ""},
        "case_number",
        "Purpose A needs a case or incident number",
    ),
    (
        "B-without-case",
        {"purpose": "B", "case_number": "  "},
        "case_number",
        "Purpose B needs a case or incident number",
    ),
    (
        "A-malformed-case",
        {"purpose": "A", "case_number": "CASE 12"},
        "case_number",
        "is not a case number in the department's format",
    ),
    (
        "B-malformed-case",
        {"purpose": "B", "case_number": "26-12"},
        "case_number",
        "is not a case number in the department's format",
    ),
    (
        "case-with-markup",
        {"case_number": "26-004512<script>"},
        "case_number",
        "is not a case number",
    ),
    (
        "case-in-other-digits",
        {"case_number": "\u0662\u0666-\u0660\u0660\u0664\u0665\u0661\u0662"},
        "case_number",
        "is not a case number",
    ),
    ("pattern-star", {"plate": "*"}, "plate", "at least 3 letters or digits"),
    ("pattern-stars", {"plate": "**"}, "plate", "at least 3 letters or digits"),
    ("pattern-two-literals", {"plate": "A*B"}, "plate", "this one has 2"),
    ("plate-markup", {"plate": "ABC<1>"}, "plate", "remove < >"),
    ("plate-quote", {"plate": "AB'; DROP"}, "plate", "remove ' ;"),
    ("plate-too-long", {"plate": "ABCDEFGHIJK"}, "plate", "at most 10 characters"),
    ("no-plate", {"plate": ""}, "plate", "Enter a plate or a pattern."),
    (
        "justification-10kB",
        {"justification": TEN_KB},
        "justification",
        "Keep the justification to 500 characters; this one has",
    ),
    (
        "protest",
        {"justification": "Identify drivers attending the protest downtown"},
        "justification",
        "'protest' points to a prohibited purpose (Protest or lawful assembly)",
    ),
    (
        "ICE",
        {"justification": "Locate the vehicle for ICE agents today"},
        "justification",
        "'ICE' points to a prohibited purpose (Immigration status)",
    ),
    (
        "immigration",
        {"justification": "Driver's immigration status needs checking"},
        "justification",
        "'immigration' points to a prohibited purpose",
    ),
    (
        "abortion",
        {"justification": "Car seen at the abortion clinic on 5th"},
        "justification",
        "(Reproductive health care)",
    ),
    ("unknown-offense", {"offense_type": "Jaywalking"}, "offense_type", "Jaywalking"),
]


def _via_form(client, data):
    response = client.post("/search/", data)
    errors = response.context["form"].errors if response.context else {}
    return response.status_code, {k: list(v) for k, v in errors.items()}


def _via_api(client, data):
    response = client.post(
        "/api/v1/searches/", json.dumps(data), content_type="application/json"
    )
    return response.status_code, json.loads(response.content)


CHANNELS = {"form": _via_form, "api": _via_api}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_it_refuses_bad_input_with_a_field_error_and_audits_it(
    alice, alice_client, reads, valid_search, channel, overrides, field, message
):
    data = {**valid_search, **overrides}
    status, errors = CHANNELS[channel](alice_client, data)
    assert status == 400
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]
    assert not Search.objects.exists()
    (refusal,) = refusals()
    assert refusal.outcome == Outcome.REFUSED
    assert refusal.actor == alice
    assert field in refusal.data["errors"]
    submitted = refusal.data["submitted"]
    for key, value in data.items():
        if len(value) <= 1000:
            assert submitted[key] == value
        else:
            assert len(submitted[key]) < 1100
            assert submitted[key].endswith(f"({len(value)} characters in all)")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "justification",
    [
        "Suspect fled; police report filed by a nice witness",
        "Plate seen on Marshside Rd near HSIEH's store and at MARSHSIDE lot",
        "Driver said the ice on the road caused the crash",
    ],
)
def test_it_lets_innocent_words_through_the_screening(
    alice_client, reads, valid_search, channel, justification
):
    status, _ = CHANNELS[channel](
        alice_client, {**valid_search, "justification": justification}
    )
    assert status in (200, 201)
    assert Search.objects.get().justification == justification
    assert refusals() == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_records_a_nul_character_in_a_refusal_instead_of_failing(
    alice_client, valid_search, channel
):
    data = {**valid_search, "justification": "Bad\x00input here for sure"}
    status, errors = CHANNELS[channel](alice_client, data)
    assert status == 400
    assert "justification" in errors
    (refusal,) = refusals()
    assert refusal.data["submitted"]["justification"] == "Bad\ufffdinput here for sure"
    assert refusal.hash == refusal.compute_hash()
    assert not Search.objects.exists()


def test_it_records_a_lone_surrogate_in_a_refusal_instead_of_failing(
    alice_client, valid_search
):
    # Valid JSON, but no UTF-8 text: what a buggy or hostile client may send.
    body = json.dumps({**valid_search, "justification": "x\ud800 then more text"})
    response = alice_client.post(
        "/api/v1/searches/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "justification" in json.loads(response.content)
    (refusal,) = refusals()
    assert refusal.data["submitted"]["justification"] == "x? then more text"
    assert refusal.hash == refusal.compute_hash()
    from flockgov import alarms

    assert alarms.active_alarms() == []


def test_it_keeps_unknown_api_fields_out_of_the_audit_record(
    alice_client, valid_search
):
    payload = {**valid_search, "purpose": "", "junk": "x" * 5000}
    payload.update({f"key{i}": i for i in range(200)})
    status, _ = _via_api(alice_client, payload)
    assert status == 400
    (refusal,) = refusals()
    assert set(refusal.data["submitted"]) == set(valid_search)


# The retention boundary: NOW is 15:00 UTC on 20 November; 21 days earlier is
# 15:00 UTC on 30 October, which is 11:00 EDT (the window crosses the change
# back to standard time).
WINDOW = [
    ("form", "2026-10-30T11:00", "2026-10-30T10:59:59"),
    ("api", "2026-10-30T15:00:00Z", "2026-10-30T14:59:59Z"),
]


@pytest.mark.parametrize(("channel", "at_cutoff", "before_cutoff"), WINDOW)
def test_it_accepts_a_window_starting_exactly_at_the_retention_cutoff(
    alice_client, valid_search, channel, at_cutoff, before_cutoff
):
    with time_machine.travel(NOW, tick=False):
        status, errors = CHANNELS[channel](
            alice_client, {**valid_search, "window_start": at_cutoff}
        )
    assert status in (200, 201), errors
    assert Search.objects.get().window_start == datetime(
        2026, 10, 30, 15, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(("channel", "at_cutoff", "before_cutoff"), WINDOW)
def test_it_refuses_a_window_starting_one_second_before_the_cutoff(
    alice_client, valid_search, channel, at_cutoff, before_cutoff
):
    with time_machine.travel(NOW, tick=False):
        status, errors = CHANNELS[channel](
            alice_client, {**valid_search, "window_start": before_cutoff}
        )
    assert status == 400
    assert any("retention period (21 days)" in m for m in errors["window_start"])
    assert not Search.objects.exists()
    (refusal,) = refusals()
    assert refusal.data["submitted"]["window_start"] == before_cutoff


def test_it_shows_every_error_at_once_when_a_date_is_malformed(
    alice_client, valid_search
):
    status, errors = _via_form(
        alice_client, {**valid_search, "purpose": "", "window_start": "yesterday"}
    )
    assert status == 400
    assert errors["window_start"] == ["Enter a valid date/time."]
    assert any("Choose the purpose" in m for m in errors["purpose"])
    (refusal,) = refusals()
    assert set(refusal.data["errors"]) == {"purpose", "window_start"}


@pytest.mark.parametrize(
    "justification",
    [
        "Vehicle wanted by \uff29\uff23\uff25 agents",  # full-width ICE
        "Cars at the pro\u200btest on Main St",  # zero-width space
        "Cars at the pro\u00adtest on Main St",  # soft hyphen
        "Following the PROTESTERS home",
    ],
    ids=["full-width", "zero-width-space", "soft-hyphen", "upper-case"],
)
def test_it_screens_terms_hidden_by_width_or_invisible_characters(
    alice_client, valid_search, justification
):
    status, errors = _via_api(
        alice_client, {**valid_search, "justification": justification}
    )
    assert status == 400
    assert any("prohibited purpose" in m for m in errors["justification"])
    assert not Search.objects.exists()


def test_it_refuses_a_body_that_is_not_an_object(alice_client):
    response = alice_client.post(
        "/api/v1/searches/",
        json.dumps(["A", "ABC1234"]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in json.loads(response.content)
    (refusal,) = refusals()
    assert refusal.data["submitted"] == {"body": "not an object (list)"}


def test_it_refuses_unknown_and_too_many_cameras(alice_client, valid_search, camera):
    status, errors = _via_api(
        alice_client, {**valid_search, "cameras": [camera.pk, 99999]}
    )
    assert status == 400
    assert errors["cameras"] == ["Unknown camera ids: 99999."]
    status, errors = _via_api(
        alice_client, {**valid_search, "cameras": list(range(1, 502))}
    )
    assert status == 400
    assert "cameras" in errors
    assert len(refusals()[-1].data["submitted"]["cameras"]) == 50
    assert not Search.objects.exists()
