"""Other apps' audit-trail records (alerts with their dispositions, ended hot-list
entries, FOIA answers, superseded sharing settings, vendor searches) go two years
after capture through the purge path, to the second; a held alert survives in the
vault; verify_retention counts any that are late."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction

from audits.context import Actor
from audits.models import VendorSearch
from hotlists.models import Alert, Disposition, HotList, HotListEntry
from retention.models import HeldAuditRecord, HoldCoverage, LegalHold
from retention.purge import run_purge
from retention.services import extend_hold, open_hold
from retention.verify import verify
from sharing.models import FoiaRequest, SharingSettings

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
CUTOFF = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)  # exactly two years before NOW


@pytest.fixture
def entry(alice):
    hotlist = HotList.objects.create(
        name="Burglary follow-ups",
        key="burglary",
        source=HotList.Source.CUSTOM,
        owner=alice,
        created_at=CUTOFF - timedelta(days=30),
    )
    return HotListEntry.objects.create(
        hotlist=hotlist,
        plate="KLM4821",
        state="VA",
        category="stolen_vehicle",
        purpose="C",
        case_number="26-004512",
        reason="Reported stolen",
        entered_by=alice,
        entered_at=CUTOFF - timedelta(days=30),
        expires_at=CUTOFF + timedelta(days=300),
    )


def alert_at(entry, camera, at: datetime) -> Alert:
    return Alert.objects.create(
        entry=entry,
        hotlist=entry.hotlist,
        created_at=at,
        read_id=1,
        read_plate=entry.plate,
        read_state="VA",
        read_captured_at=at - timedelta(seconds=5),
        camera=camera,
        camera_name=camera.name,
        entry_plate=entry.plate,
        category=entry.category,
        match_kind="exact",
    )


def test_it_destroys_an_alert_exactly_two_years_old_with_its_disposition(
    entry, camera, alice
):
    due = alert_at(entry, camera, CUTOFF)
    Disposition.objects.create(
        alert=due, officer=alice, recorded_at=CUTOFF, outcome="no_action"
    )
    older = alert_at(entry, camera, CUTOFF - timedelta(seconds=1))
    kept = alert_at(entry, camera, CUTOFF + timedelta(seconds=1))
    report = run_purge(actor=Actor.system("test"), now=NOW)
    assert set(Alert.objects.values_list("pk", flat=True)) == {kept.pk}
    assert not Disposition.objects.exists()
    assert report.trail_purged["hotlists_alert"] == 2
    assert report.trail_purged["hotlists_disposition"] == 1
    assert older.pk not in set(Alert.objects.values_list("pk", flat=True))
    # The entry still has a surviving alert (and still alerts): it stays.
    assert HotListEntry.objects.filter(pk=entry.pk).exists()


def test_it_destroys_an_ended_entry_two_years_after_it_stopped_alerting(entry):
    ended = HotListEntry.objects.get(pk=entry.pk)
    HotListEntry.objects.filter(pk=entry.pk).update(
        expires_at=CUTOFF + timedelta(seconds=1)
    )
    run_purge(actor=Actor.system("test"), now=NOW)
    assert HotListEntry.objects.filter(pk=ended.pk).exists()
    HotListEntry.objects.filter(pk=entry.pk).update(removed_at=CUTOFF)
    run_purge(actor=Actor.system("test"), now=NOW + timedelta(hours=1))
    assert not HotListEntry.objects.filter(pk=ended.pk).exists()


def test_it_destroys_sharing_and_vendor_records_at_two_years(alice, carol):
    for moment, name in ((CUTOFF, "due"), (CUTOFF + timedelta(seconds=1), "kept")):
        FoiaRequest.objects.create(
            received_on=moment.date(),
            requester=f"requester {name}",
            description="ALPR policy",
            recorded_by=carol,
            recorded_at=moment,
            answer="Sent the policy.",
            answered_at=moment,
        )
        VendorSearch.objects.create(
            kind=VendorSearch.Kind.ORG,
            row_hash=name * 8,
            source_file="org.csv",
            source_line=2,
            searched_at=moment,
            imported_at=moment,
        )
    for moment in (CUTOFF - timedelta(days=1), CUTOFF):
        SharingSettings.objects.create(
            kind=SharingSettings.Kind.SNAPSHOT,
            taken_at=moment,
            values={},
            digest="0" * 64,
        )
    report = run_purge(actor=Actor.system("test"), now=NOW)
    assert list(FoiaRequest.objects.values_list("requester", flat=True)) == [
        "requester kept"
    ]
    assert list(VendorSearch.objects.values_list("row_hash", flat=True)) == ["kept" * 8]
    # The newest snapshot is the settings in force: kept even when old.
    assert list(SharingSettings.objects.values_list("taken_at", flat=True)) == [CUTOFF]
    assert report.trail_purged["audits_vendorsearch"] == 1


def test_it_keeps_a_held_alert_in_the_vault_through_the_purge(
    entry, camera, alice, carol
):
    due = alert_at(entry, camera, CUTOFF - timedelta(days=1))
    Disposition.objects.create(
        alert=due, officer=alice, recorded_at=CUTOFF, outcome="confirmed"
    )
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        hold = open_hold(
            actor=Actor.for_officer(carol),
            case_number="26-004512",
            kind=LegalHold.Kind.PROSECUTION,
            reference="Martinsville Circuit Court CR26-1187",
        )
        extend_hold(
            actor=Actor.for_officer(carol),
            hold=hold,
            method=HoldCoverage.Method.CASE,
            case_number="26-004512",
        )
    run_purge(actor=Actor.system("test"), now=NOW)
    assert not Alert.objects.filter(pk=due.pk).exists()
    held = HeldAuditRecord.objects.get(source="hotlists.alert", record_id=due.pk)
    assert held.content["read_plate"] == "KLM4821"
    assert held.content["disposition"]["outcome"] == "confirmed"


def test_it_reports_late_trail_records_and_refuses_the_app_role_deleting_them(
    entry, camera
):
    alert_at(entry, camera, CUTOFF - timedelta(hours=3))
    problems = verify(now=NOW).problems
    assert "1 alerts are older than two years" in problems
    with (
        pytest.raises(Exception, match="permission denied|append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL ROLE flockgov_app")
        cursor.execute("DELETE FROM hotlists_alert")
    assert Alert.objects.count() == 1
