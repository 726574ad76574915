"""A share from a search, through the Captain's approval, to the dissemination
record, driven through the real pages in headless Chromium."""

import hashlib
from pathlib import Path

from django.utils import timezone

from sharing.models import Dissemination, Organisation, SharingRequest
from tests.browser.conftest import sign_in


def test_it_takes_a_share_from_request_to_dissemination(
    page, chromium, live_server, alice, carol, reads
):
    agency = Organisation.objects.create(
        name="Henry County Sheriff's Office",
        ori="VA0440000",
        jurisdiction="virginia",
        state="VA",
        kind="law_enforcement",
    )
    # Alice searches, then asks to share two of the results.
    sign_in(page, alice)
    page.wait_for_url("**/search/")
    page.select_option("#id_purpose", "A")
    page.fill("#id_case_number", "26-004512")
    page.select_option("#id_offense_type", "Robbery")
    page.fill("#id_justification", "Vehicle seen leaving the robbery on Church St")
    page.fill("#id_plate", "ABC1234")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results")
    page.click("#result-actions >> text=Ask to share")
    page.wait_for_selector("#share-form")
    page.select_option("#id_recipient", str(agency.pk))
    page.select_option("#id_ground", "1")
    page.select_option("#id_basis", "purpose")
    page.fill("#id_justification", "Suspect vehicle in the Church St robbery")
    for box in page.query_selector_all("#search-reads input[name=read_ids]"):
        box.check()
    page.click("#share-form button[type=submit]")
    page.wait_for_selector("#status")
    assert "Awaiting the Captain" in page.inner_text("#status")
    made = SharingRequest.objects.get()
    assert len(made.read_ids) == 2

    # Carol, the Captain, approves in her own browser session.
    context = chromium.new_context(base_url=live_server.url)
    captain = context.new_page()
    try:
        sign_in(captain, carol)
        captain.wait_for_url("**/search/")
        captain.goto("/sharing/approvals/")
        captain.click(f"#pending >> text={made.pk}")
        captain.fill("#id_note", "Case 26-004512 confirmed with the investigator")
        captain.click("#approve-form button[type=submit]")
        captain.wait_for_selector("#status")
        assert "Approved" in captain.inner_text("#status")
    finally:
        context.close()

    # Alice records the agency's acknowledgment, then sends and downloads.
    page.reload()
    page.fill("#id_signed_by", "Lt. Dana Moore, Henry County SO")
    page.fill("#id_signed_on", timezone.localdate().isoformat())
    page.click("#ack-form button[type=submit]")
    page.wait_for_selector("#acknowledgment >> text=Signed by Lt. Dana Moore")
    page.select_option("#id_method", "electronic")
    page.fill("#id_received_by", "Lt. Dana Moore")
    with page.expect_download() as info:
        page.click("#send-form button[type=submit]")
    content = Path(info.value.path()).read_bytes()
    record = Dissemination.objects.get()
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert b"ABC1234" in content and f"share-{made.pk}".encode() in content

    page.goto("/sharing/log/")
    assert record.sha256 in page.inner_text("#log")
    assert "Henry County Sheriff's Office" in page.inner_text("#log")
