"""Legal-hold pages: who may see them, step-up before changes, clear errors."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from queries.models import PlateRead
from retention.models import HeldRead, HoldCoverage, LegalHold
from retention.purge import run_purge
from tests.conftest import current_code, verified_client

from .conftest import put_read

pytestmark = pytest.mark.django_db

OPEN = {
    "case_number": "26-004512",
    "kind": "prosecution",
    "reference": "Martinsville Circuit Court CR26-1187",
}


@pytest.mark.parametrize("who", ["alice", "dave", "erin"])
def test_it_answers_404_to_roles_without_hold_duties(request, who):
    client = verified_client(request.getfixturevalue(who))
    assert client.get("/holds/").status_code == 404
    assert client.post("/holds/open/", OPEN).status_code == 404
    assert not LegalHold.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(db):
    response = Client().get("/holds/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["carol", "rita"])
def test_it_lets_the_captain_and_records_open_a_hold(request, who):
    client = verified_client(request.getfixturevalue(who))
    assert client.get("/holds/").status_code == 200
    response = client.post("/holds/open/", OPEN)
    hold = LegalHold.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/holds/{hold.pk}/"
    page = client.get(response["Location"])
    assert b"Martinsville Circuit Court CR26-1187" in page.content


def test_it_asks_for_a_fresh_code_before_opening_a_hold(carol):
    client = verified_client(carol)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = client.post("/holds/open/", OPEN)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/step-up/")
    assert not LegalHold.objects.exists()


def test_it_shows_a_specific_error_and_keeps_nothing(carol):
    client = verified_client(carol)
    response = client.post("/holds/open/", {**OPEN, "case_number": ""})
    assert response.status_code == 400
    assert b"A legal hold needs the case number it serves." in response.content
    assert not LegalHold.objects.exists()


def test_it_releases_a_hold_from_its_page(carol):
    client = verified_client(carol)
    client.post("/holds/open/", OPEN)
    hold = LegalHold.objects.get()
    response = client.post(f"/holds/{hold.pk}/release/", {"reason": ""})
    assert response.status_code == 400
    assert b"Give the reason" in response.content
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/holds/{hold.pk}/release/",
        {"reason": "no_charges", "release_date": today},
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.released_by == carol


def test_it_keeps_what_was_typed_when_the_case_number_is_missing(carol):
    client = verified_client(carol)
    response = client.post("/holds/open/", {**OPEN, "case_number": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A legal hold needs the case number it serves." in page
    assert 'value="Martinsville Circuit Court CR26-1187"' in page
    assert '<option value="prosecution" selected>' in page
    assert not LegalHold.objects.exists()
    refusal = AuditEvent.objects.get(event_type=EventType.HOLD_REFUSED)
    assert refusal.outcome == Outcome.REFUSED
    assert refusal.data["action"] == "open" and "case_number" in refusal.data["errors"]


@pytest.mark.parametrize(
    ("form", "messages", "kept"),
    [
        (
            {"reason": "", "release_date": ""},
            ["Give the reason", "Give the date the investigation closed"],
            [],
        ),
        (
            {"reason": "no_charges", "release_date": ""},
            ["Give the date the investigation closed"],
            ['<option value="no_charges" selected>'],
        ),
        (
            {"reason": "", "release_date": "2026-05-01"},
            ["Give the reason"],
            ['value="2026-05-01"'],
        ),
        (
            {"reason": "no_charges", "release_date": "1 May"},
            ["Enter a valid date."],
            ['value="1 May"'],
        ),
    ],
)
def test_it_refuses_a_release_without_reason_or_date_on_the_page(
    carol, form, messages, kept
):
    client = verified_client(carol)
    client.post("/holds/open/", OPEN)
    hold = LegalHold.objects.get()
    response = client.post(f"/holds/{hold.pk}/release/", form)
    assert response.status_code == 400
    page = response.content.decode()
    for text in [*messages, *kept]:
        assert text in page
    hold.refresh_from_db()
    assert hold.is_active and hold.release_reason == ""
    assert not AuditEvent.objects.filter(event_type=EventType.HOLD_RELEASED).exists()


def test_it_shows_why_a_released_hold_cannot_be_released_or_extended(carol, rita):
    client = verified_client(carol)
    client.post("/holds/open/", OPEN)
    hold = LegalHold.objects.get()
    today = timezone.localdate().isoformat()
    other = verified_client(rita)
    assert (
        other.post(
            f"/holds/{hold.pk}/release/",
            {"reason": "no_charges", "release_date": today},
        ).status_code
        == 302
    )
    response = client.post(
        f"/holds/{hold.pk}/release/",
        {"reason": "final_disposition", "release_date": today},
    )
    assert response.status_code == 400
    assert b"The hold on case 26-004512 is already released." in response.content
    response = client.post(
        f"/holds/{hold.pk}/extend/",
        {"method": "plate", "plate": "ABC1234"},
    )
    assert response.status_code == 400
    assert b"was released on" in response.content and b"open a new one" in (
        response.content
    )
    hold.refresh_from_db()
    assert hold.released_by == rita and hold.release_reason == "no_charges"
    assert HoldCoverage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_hold_on_purged_reads_on_the_page_and_keeps_the_rest(
    carol, camera
):
    now = timezone.now().replace(microsecond=0)
    kept = put_read(camera, now - timedelta(days=2), plate="HLD123")
    gone = put_read(camera, now - timedelta(days=30), plate="ABC1234")
    client = verified_client(carol)
    client.post("/holds/open/", OPEN)
    hold = LegalHold.objects.get()
    local = timezone.localtime
    window = {
        "window_start": local(now - timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
        "window_end": local(now).strftime("%Y-%m-%d %H:%M"),
    }
    response = client.post(
        f"/holds/{hold.pk}/extend/", {"method": "plate", "plate": "HLD123", **window}
    )
    assert response.status_code == 302
    run_purge(actor=Actor.system("test"), now=now)
    assert not PlateRead.objects.filter(id=gone.id).exists()

    old_window = {
        "window_start": local(gone.captured_at - timedelta(days=1)).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "window_end": local(gone.captured_at + timedelta(days=1)).strftime(
            "%Y-%m-%d %H:%M"
        ),
    }
    response = client.post(
        f"/holds/{hold.pk}/extend/",
        {"method": "plate", "plate": "ABC1234", **old_window},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Nothing to hold: the data asked for has already been destroyed "
        "(or never existed)." in page
    )
    assert 'value="ABC1234"' in page
    assert f'value="{old_window["window_start"]}' in page
    # What the hold had is untouched; the refusal is on the trail.
    assert list(HeldRead.objects.values_list("read_id", flat=True)) == [kept.id]
    assert HoldCoverage.objects.count() == 1
    assert "Kept in the hold vault: 1 read," in page
    refusal = AuditEvent.objects.filter(event_type=EventType.HOLD_REFUSED).get()
    assert refusal.data["action"] == "extend" and refusal.data["plate"] == "ABC1234"


def test_it_lists_each_hold_with_its_own_vault_counts_in_one_query(carol, camera):
    client = verified_client(carol)
    now = timezone.now()
    for day in (1, 2):
        put_read(camera, now - timedelta(days=day))
    start = timezone.localtime(now - timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    for case in ("26-004512", "26-000777"):
        client.post("/holds/open/", {**OPEN, "case_number": case})
        hold = LegalHold.objects.get(case_number=case)
        client.post(
            f"/holds/{hold.pk}/extend/",
            {
                "method": "plate",
                "plate": "ABC1234",
                "window_start": start,
                "window_end": end,
            },
        )
    assert HeldRead.objects.count() == 4
    with CaptureQueriesContext(connection) as two:
        page = client.get("/holds/").content.decode()
    assert page.count("2 reads, 0 audit records") == 2
    client.post("/holds/open/", {**OPEN, "case_number": "26-000001"})
    with CaptureQueriesContext(connection) as three:
        page = client.get("/holds/").content.decode()
    assert "0 reads, 0 audit records" in page
    assert len(three) == len(two)


def test_it_keeps_what_was_typed_across_a_step_up_and_says_to_submit_again(carol):
    client = verified_client(carol)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = client.post("/holds/open/", OPEN)
        assert response["Location"].startswith("/accounts/step-up/")
        assert not LegalHold.objects.exists()
        step_up = client.get(response["Location"])
        assert step_up.status_code == 200
        back = client.post(
            response["Location"], {"token": current_code(carol)}, follow=True
        )
    body = back.content.decode()
    assert back.redirect_chain[0][0] == "/holds/open/"
    assert back.request["PATH_INFO"] == "/holds/"
    assert (
        "Your code was accepted; submit the form again to open the legal hold." in body
    )
    assert 'value="Martinsville Circuit Court CR26-1187"' in body
    assert 'value="26-004512"' in body
    assert '<option value="prosecution" selected>' in body
    # Nothing was replayed: the hold opens only when the form is sent again.
    assert not LegalHold.objects.exists()
    again = client.get("/holds/").content.decode()
    assert "Your code was accepted" not in again
    assert 'value="26-004512"' not in again


def test_it_prefills_a_release_held_back_by_a_step_up(carol):
    client = verified_client(carol)
    client.post("/holds/open/", OPEN)
    hold = LegalHold.objects.get()
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = client.post(
            f"/holds/{hold.pk}/release/",
            {"reason": "no_charges", "release_date": "2026-01-05"},
        )
        back = client.post(
            response["Location"], {"token": current_code(carol)}, follow=True
        )
    body = back.content.decode()
    assert back.request["PATH_INFO"] == f"/holds/{hold.pk}/"
    assert "submit the form again to release the legal hold." in body
    assert 'value="2026-01-05"' in body
    hold.refresh_from_db()
    assert hold.released_at is None
