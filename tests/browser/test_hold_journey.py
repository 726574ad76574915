"""A legal hold through the real pages in headless Chromium: the Captain opens
one for a case (after the fresh code the page asks for), places a plate's reads
within a window under it, sees it listed with its counts, and releases it with
a reason and date; the audit trail shows each step."""

from datetime import datetime, timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.models import SealedTOTPDevice
from accounts.stepup import SESSION_KEY
from audits.events import EventType
from audits.models import AuditEvent
from retention.models import HeldRead, HoldCoverage, LegalHold
from tests.browser.conftest import sign_in

CASE = "26-004512"
REFERENCE = "Martinsville Circuit Court CR26-1187"


def _age_step_up(page, minutes: int = 16) -> None:
    """Makes the last second factor older than the step-up allows, as if the
    Captain had signed in a while ago."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_KEY] = (timezone.now() - timedelta(minutes=minutes)).isoformat()
    session.save()


def _fresh_code(officer) -> str:
    """A code the authenticator shows now or in the next step, never one the
    sign-in already used (a code is accepted once)."""
    device = SealedTOTPDevice.objects.get(user=officer, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(device.last_t + 1, totp.t())
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _open_hold(page) -> None:
    page.fill("#id_case_number", CASE)
    page.select_option("#id_kind", "prosecution")
    page.fill("#id_reference", REFERENCE)
    page.click("#open-form button[type=submit]")


def test_it_takes_a_hold_from_opening_to_release(page, carol, reads):
    sign_in(page, carol)
    page.wait_for_url("**/search/")
    _age_step_up(page)

    # The first attempt asks for a fresh code and opens nothing.
    page.goto("/holds/")
    assert "No legal holds." in page.inner_text("#holds")
    _open_hold(page)
    page.wait_for_url("**/accounts/step-up/**")
    assert "This action needs a fresh code" in page.inner_text("main")
    assert not LegalHold.objects.exists()
    page.fill("#id_token", _fresh_code(carol))
    page.click("main button[type=submit]")
    page.wait_for_url("**/holds/")
    _open_hold(page)
    page.wait_for_url("**/holds/*/")
    hold = LegalHold.objects.get()
    assert f"Legal hold: case {CASE}" in page.inner_text("h1")
    assert "Prosecution" in page.inner_text("#status")
    assert "Active." in page.inner_text("#status")

    # The plate's reads within the window: two of the four reads.
    now = timezone.now()
    page.select_option("#id_method", "plate")
    page.fill("#id_plate", "abc 1234")
    page.fill("#id_window_start", _local(now - timedelta(days=4)))
    page.fill("#id_window_end", _local(now + timedelta(minutes=1)))
    page.click("#extend-form button[type=submit]")
    page.wait_for_selector("#coverage >> text=A plate within a time window")
    assert page.inner_text("#vault-counts") == (
        "Kept in the hold vault: 2 reads, 0 audit records."
    )
    row = page.inner_text("#coverage tbody tr")
    assert "ABC1234" in row and "carol" in row
    assert row.split("\t")[-3:] == ["2", "0", "0"]
    expected = {read.id for read in reads if read.plate == "ABC1234"}
    assert set(HeldRead.objects.values_list("read_id", flat=True)) == expected

    # Listed with its counts.
    page.goto("/holds/")
    listed = page.inner_text("#holds tbody tr")
    assert CASE in listed and REFERENCE in listed
    assert "2 reads, 0 audit records" in listed and "Active" in listed

    # Released with a reason and the date, after a first try without the date.
    page.click(f"#holds >> text={CASE}")
    page.wait_for_url(f"**/holds/{hold.pk}/")
    page.select_option("#id_reason", "no_charges")
    page.click("#release-form button[type=submit]")
    page.wait_for_selector("#release-form .errorlist")
    assert "Give the date the investigation closed" in page.inner_text("#release-form")
    assert page.input_value("#id_reason") == "no_charges"
    today = timezone.localdate().isoformat()
    page.fill("#id_release_date", today)
    page.click("#release-form button[type=submit]")
    page.wait_for_selector("#status >> text=Released")
    status = page.inner_text("#status")
    assert "Investigation concluded without criminal charges" in status
    assert f"({today})" in status and "by carol" in status
    assert page.locator("#release-form").count() == 0
    page.goto("/holds/")
    assert "Released" in page.inner_text("#holds tbody tr")
    hold.refresh_from_db()
    assert not hold.is_active and hold.released_by == carol
    assert hold.release_date.isoformat() == today

    # The trail holds each step, and the Captain's audit page shows them.
    events = {
        event.event_type: event
        for event in AuditEvent.objects.filter(actor=carol).order_by("seq")
    }
    assert events[EventType.MFA_VERIFIED].data["step_up"] is True
    assert events[EventType.HOLD_OPENED].data["reference"] == REFERENCE
    extended = events[EventType.HOLD_EXTENDED]
    assert extended.data["plate"] == "ABC1234" and extended.data["reads_taken"] == 2
    assert extended.object_id == str(hold.pk)
    released = events[EventType.HOLD_RELEASED]
    assert released.data["reason"] == "no_charges"
    assert released.data["release_date"] == today and released.data["reads"] == 2
    refused = events[EventType.HOLD_REFUSED]
    assert "release_date" in refused.data["errors"]
    assert HoldCoverage.objects.get().reads_taken == 2
    page.goto("/audit/")
    trail = page.inner_text("#audit-events")
    assert "Legal hold opened" in trail and "Legal hold released" in trail
    assert f"case {CASE}: 2 reads and 0 audit records placed under hold" in trail
