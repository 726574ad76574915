"""The yearly account review (CJIS AC-2 j): page and CSV for the Captain."""

import csv
import io

import pytest
import time_machine

from accounts import services
from audits.events import EventType
from tests.accounts.conftest import actor_of, events, signed_in

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_lists_every_account_as_csv(carol, alice, dave, frank):
    services.issue_recovery_codes(actor=actor_of(alice), officer=alice)
    client = signed_in(carol)
    response = client.get("/accounts/review/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {row["username"]: row for row in rows}
    assert set(by_name) == {"alice", "carol", "dave", "frank"}
    assert by_name["alice"]["status"] == "Active"
    assert by_name["alice"]["certificate_expires_on"] == "2027-12-04"
    assert by_name["alice"]["mfa_devices"] == "authenticator app x1"
    assert by_name["alice"]["recovery_codes_left"] == "10"
    assert by_name["frank"]["status"] == "Awaiting activation"
    assert by_name["frank"]["certificate_expires_on"] == ""
    assert by_name["carol"]["last_login"] == "2026-12-04 10:00"
    assert events(EventType.ACCOUNT_REVIEW_VIEWED).get().data["format"] == "csv"


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_keeps_spreadsheet_formulas_out_of_the_csv(carol, dave):
    dave.first_name = "=HYPERLINK(1)"
    dave.save()
    response = signed_in(carol).get("/accounts/review/?format=csv")
    assert "'=HYPERLINK(1) Example" in response.content.decode()


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_shows_the_review_page(carol, alice):
    response = signed_in(carol).get("/accounts/review/")
    assert response.status_code == 200
    assert b"alice" in response.content
