from datetime import timedelta

import time_machine

from accounts.models import Notice
from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent
from flockgov import alarms
from hotlists import services, tasks
from tests.hotlists.conftest import ncic_line, run_import


def alarm_names():
    return [a["name"] for a in alarms.active_alarms()]


def test_it_raises_the_stale_alarm_only_after_24_hours(imported_ncic, dave):
    last = imported_ncic.last_import_at
    with time_machine.travel(last + timedelta(hours=24), tick=False):
        assert tasks.check_ncic_freshness() is False
    assert alarms.NCIC_STALE not in alarm_names()
    with time_machine.travel(last + timedelta(hours=24, microseconds=1), tick=False):
        assert tasks.check_ncic_freshness() is True
        # A second run in the same episode notifies nobody again.
        assert tasks.check_ncic_freshness() is True
    assert alarms.NCIC_STALE in alarm_names()
    notice = Notice.objects.get(recipient=dave)
    assert notice.level == Notice.Level.ALARM
    assert notice.subject == "The NCIC hot list is stale"
    assert (
        AuditEvent.objects.filter(event_type=EventType.HOTLIST_NCIC_STALE).count() == 1
    )


def test_it_clears_the_alarm_when_a_good_import_lands(
    imported_ncic, ncic_file, django_capture_on_commit_callbacks
):
    later = imported_ncic.last_import_at + timedelta(hours=30)
    with time_machine.travel(later, tick=False):
        tasks.check_ncic_freshness()
        assert alarms.NCIC_STALE in alarm_names()
        path = ncic_file([ncic_line("V", n, f"NEW{n:04d}") for n in range(1, 5)])
        with django_capture_on_commit_callbacks(execute=True):
            code, out, err = run_import(str(path), format="ncic")
    assert code == 0, err
    assert alarms.NCIC_STALE not in alarm_names()
    assert AuditEvent.objects.filter(event_type=EventType.HOTLIST_NCIC_FRESH).exists()


def test_it_counts_a_never_imported_list_as_stale(db):
    assert services.check_ncic_freshness(actor=Actor.system("test")) is True
    assert "never been imported" in alarms.active_alarms()[0]["message"]


def test_it_shows_officers_the_banner_while_the_list_is_stale(
    imported_ncic, alice_client
):
    assert "ncic-stale" not in alice_client.get("/hotlists/").content.decode()
    with time_machine.travel(
        imported_ncic.last_import_at + timedelta(hours=25), tick=False
    ):
        tasks.check_ncic_freshness()
    page = alice_client.get("/hotlists/").content.decode()
    assert 'id="ncic-stale"' in page
    assert "more than 24 hours ago" in page


def test_it_imports_the_newest_file_from_the_drop_folder_once(
    db, tmp_path, settings, ncic_file
):
    import os

    from hotlists.models import HotList

    settings.FLOCKGOV_NCIC_DROP_DIR = str(tmp_path)
    old = ncic_file([ncic_line("V", 1, "OLD0001")])
    os.utime(old, (1_000_000, 1_000_000))
    newer = tmp_path / "VEHEXTRT-2.txt"
    newer.write_bytes(("HEADER\r\n" + ncic_line("V", 2, "NEW0001") + "\r\n").encode())
    assert tasks.import_ncic_drop() == "imported=1 rejected=0 excluded=0"
    assert tasks.import_ncic_drop() == "already tried"
    ncic = HotList.objects.get(source=HotList.Source.NCIC)
    assert ncic.last_import_file == "VEHEXTRT-2.txt"
    assert list(ncic.entries.values_list("plate", flat=True)) == ["NEW0001"]
