"""An officer sees their own searches only; an account disabled mid-session
loses the session at once."""

import json

from accounts.roles import Role
from accounts.services import deactivate
from audits.context import Actor


def test_it_lists_only_the_officers_own_searches(
    alice_client, bob_client, reads, valid_search
):
    alice_client.post("/search/", {**valid_search, "case_number": "26-000001"})
    bob_client.post("/search/", {**valid_search, "case_number": "26-000002"})
    mine = alice_client.get("/searches/mine/").content.decode()
    assert "26-000001" in mine and "26-000002" not in mine
    listed = json.loads(alice_client.get("/api/v1/searches/").content)
    assert [s["case_number"] for s in listed] == ["26-000001"]


def test_it_links_each_past_search_with_results_to_export_and_share(
    alice_client, reads, valid_search
):
    # The share page sends an officer to "your searches" to pick the reads.
    alice_client.post("/search/", {**valid_search, "case_number": "26-000001"})
    search = alice_client.get("/searches/mine/").context["page"][0]
    assert search.result_count
    mine = alice_client.get("/searches/mine/").content.decode()
    assert f'href="/sharing/export/search/{search.pk}/"' in mine
    assert f'href="/sharing/new/?search={search.pk}"' in mine
    assert alice_client.get(f"/sharing/new/?search={search.pk}").status_code == 200


def test_it_ends_the_session_of_an_account_disabled_meanwhile(
    alice, carol, alice_client
):
    assert alice_client.get("/search/").status_code == 200
    deactivate(
        actor=Actor.for_officer(carol), officer=alice, reason="left the department"
    )
    assert alice_client.get("/search/")["Location"].startswith("/accounts/login/")
    response = alice_client.get("/api/v1/searches/")
    assert response.status_code == 403


def test_it_applies_a_role_change_to_the_next_request(alice, alice_client):
    # Fresh from the database: signing in stored the live session on the account.
    alice.refresh_from_db()
    alice.role = Role.RECORDS
    alice.save()
    assert alice_client.get("/search/").status_code == 403
