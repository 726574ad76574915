"""Refusal and error pages wear the site's layout: the menu, a way home and, for a
refusal, the reason the officer was refused (the same text the log gets)."""

from django.template.loader import render_to_string
from django.test import Client

from tests.conftest import verified_client

DASHBOARD_REASON = (
    "Only the Captain, the Chief and administrators open the audit dashboard."
)


def test_an_officer_refused_a_captain_page_reads_why_with_the_menu(alice):
    response = verified_client(alice).get("/audit/dashboard/")

    assert response.status_code == 403
    page = response.content.decode()
    assert DASHBOARD_REASON in page
    assert '<nav aria-label="Main">' in page
    assert 'href="/accounts/me/"' in page  # the officer's own menu
    assert 'href="/">Back to the home page</a>' in page
    assert "Monthly audit" not in page  # the menu is still the officer's


def test_the_refusal_text_is_escaped():
    page = render_to_string("403.html", {"exception": "<script>alert(1)</script>"})

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_refusal_without_a_reason_says_so_plainly():
    page = render_to_string("403.html", {"exception": ""})

    assert "Your account may not open this page." in page


def test_an_unknown_address_is_a_styled_404_with_the_menu(alice):
    response = verified_client(alice).get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no page at this address" in page
    assert '<nav aria-label="Main">' in page
    assert "flockgov.css" in page


def test_an_anonymous_404_has_the_layout_but_no_menu(db):
    response = Client().get("/transparency/no-such-report/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no page at this address" in page
    assert "flockgov.css" in page
    assert '<nav aria-label="Main">' not in page
    assert "Sign out" not in page


def test_the_500_page_renders_without_a_request():
    # Django renders 500.html with an empty context: no user, no context processors.
    page = render_to_string("500.html")

    assert "Something went wrong" in page
    assert 'href="/">Back to the home page</a>' in page
    assert '<nav aria-label="Main">' not in page
