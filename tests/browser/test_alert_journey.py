from audits.events import EventType
from audits.models import AuditEvent
from hotlists.models import Disposition, Stop
from tests.browser.conftest import sign_in
from tests.hotlists.conftest import ingest, ncic_line, run_import


def test_it_shows_an_officer_a_new_alert_without_reload_and_records_the_confirmation(
    page, alice, camera, tmp_path
):
    path = tmp_path / "VEHEXTRT.txt"
    path.write_bytes(
        ("HEADER\r\n" + ncic_line("V", 7, "KLM4821", "VA") + "\r\n").encode()
    )
    code, _, err = run_import(str(path), format="ncic")
    assert code == 0, err
    sign_in(page, alice)
    page.wait_for_url("**/search/")
    page.goto("/alerts/")
    assert "No open alerts." in page.inner_text("#open-alerts")
    # A camera reads the plate while the page is open: the feed shows it.
    ingest(camera, ("KLM4821", "VA"))
    page.wait_for_selector("#open-alerts tr.alert-row", timeout=15000)
    assert "KLM4821" in page.inner_text("#open-alerts")
    page.click("#open-alerts tr.alert-row a")
    page.wait_for_selector("#no-stop-statement")
    assert "does not justify a stop" in page.inner_text("#no-stop-statement")
    # A confirmation without the fresh check is refused with a reason.
    page.check("#outcome_confirmed")
    page.click("#disposition-form button[type=submit]")
    page.wait_for_selector("text=Note the fresh NCIC check")
    page.check("#outcome_confirmed")
    page.fill(
        "#id_fresh_check", "VCIN 14:05 via dispatch: record active, vehicle matches"
    )
    page.click("#disposition-form button[type=submit]")
    page.wait_for_selector("#disposition")
    assert "Plate and vehicle confirmed" in page.inner_text("#disposition")
    page.fill("#id_location", "Church St at Market St")
    page.fill("#id_stop_reason", "Stolen vehicle, record confirmed through VCIN")
    page.select_option("#id_result", "recovered")
    page.click("#stop-form button[type=submit]")
    page.wait_for_selector("#stop-record")
    assert "based on an ALPR notification" in page.inner_text("#stop-record")
    disposition = Disposition.objects.get()
    assert (disposition.officer, disposition.outcome) == (alice, "confirmed")
    assert Stop.objects.get().location == "Church St at Market St"
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_DISPOSED).exists()
