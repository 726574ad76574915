from datetime import timedelta

from django.utils import timezone

from audits import periods, services
from audits.context import Actor
from audits.models import AuditPeriod, Finding
from tests.audits.conftest import make_search
from tests.browser.conftest import sign_in


def test_it_lets_the_captain_review_a_finding_and_sign_off_the_month(
    page, alice, carol, settings
):
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}
    start, end = periods.previous_month(timezone.now())
    at = periods.local_midnight(start) + timedelta(days=3, hours=10)
    make_search(alice, at, justification="inv")
    services.run_period(
        actor=Actor.system("test"), kind=AuditPeriod.Kind.MONTH, start=start, end=end
    )
    sign_in(page, carol)
    page.wait_for_url("**/search/")
    page.goto("/audit/dashboard/")
    assert page.inner_text("#open-count") == "1"
    page.click("main >> text=Review queue")
    page.click("#findings tbody a")
    assert "reason is a bare word" in page.inner_text("#finding-detail")
    page.select_option("#id_status", "justified")
    page.fill("#id_note", "Case 26-004512 confirmed with the officer")
    page.click("#review-form button[type=submit]")
    page.wait_for_url("**/findings/")
    page.goto("/audit/dashboard/")
    page.click("#sign-link")
    page.wait_for_url("**/sign/")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#signed")
    period = AuditPeriod.objects.get(kind="month", start=start)
    assert period.is_signed and period.signed_by == carol
    assert period.chain_head_hash
    assert Finding.objects.get().status == Finding.Status.JUSTIFIED
