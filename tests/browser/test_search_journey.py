from audits.events import EventType
from audits.models import AuditEvent
from tests.browser.conftest import sign_in


def test_it_lets_an_officer_search_and_the_captain_see_it(page, alice, reads):
    sign_in(page, alice)
    page.wait_for_url("**/search/")
    page.select_option("#id_purpose", "A")
    page.fill("#id_case_number", "26-004512")
    page.select_option("#id_offense_type", "Robbery")
    page.fill("#id_justification", "Vehicle seen leaving the robbery on Church St")
    page.fill("#id_plate", "ABC*")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results")
    assert "2 reads found" in page.inner_text("#results h2")
    assert AuditEvent.objects.filter(event_type=EventType.SEARCH).count() == 1
