"""Legal-hold pages: who may see them, step-up before changes, clear errors."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from retention.models import LegalHold
from tests.conftest import verified_client

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
