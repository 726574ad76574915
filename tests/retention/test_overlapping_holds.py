"""Two legal holds over the same data: each reports exactly what it covers,
whether it took the data from the live tables or from the other hold's vault
copy, and releasing one keeps what the other still covers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent
from hotlists.models import Alert, HotList, HotListEntry
from queries import criteria as search_rules
from queries.models import PlateRead
from queries.services import perform_search
from retention.models import HeldAuditRecord, HeldRead, HoldCoverage, LegalHold
from retention.purge import run_purge
from retention.services import HoldError, extend_hold, open_hold, release_hold

from .conftest import put_read

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=30)  # the reads of T0 - 2 days are long past 21 days
ROBBERY = "26-004512"
FRAUD = "26-000777"


def open_for(officer, case: str, at: datetime) -> LegalHold:
    with time_machine.travel(at, tick=False):
        return open_hold(
            actor=Actor.for_officer(officer),
            case_number=case,
            kind=LegalHold.Kind.INVESTIGATION,
            reference=f"MPD CID file {case}",
        )


def hold_plate(officer, hold: LegalHold, at: datetime, plate: str = "ABC1234"):
    with time_machine.travel(at, tick=False):
        return extend_hold(
            actor=Actor.for_officer(officer),
            hold=hold,
            method=HoldCoverage.Method.PLATE,
            plate=plate,
            window_start=T0 - timedelta(days=3),
            window_end=T0,
        )


def release(officer, hold: LegalHold, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        release_hold(
            actor=Actor.for_officer(officer),
            hold=hold,
            reason=LegalHold.ReleaseReason.NO_CHARGES,
            release_date=at.date(),
        )


def search_as(officer, case: str, at: datetime, *, start: datetime):
    with time_machine.travel(at, tick=False):
        found = search_rules.validate(
            purpose="A",
            case_number=case,
            offense_type="Robbery",
            justification="Vehicle seen leaving the scene of the robbery",
            plate="ABC1234",
            window_start=start,
            window_end=at,
        )
        return perform_search(actor=Actor.for_officer(officer), criteria=found)


def vault_of(hold: LegalHold) -> set[int]:
    return set(HeldRead.objects.filter(hold=hold).values_list("read_id", flat=True))


def extended_events() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(event_type=EventType.HOLD_EXTENDED).order_by("seq")
    )


def test_a_second_hold_takes_a_read_that_only_the_first_holds_vault_keeps(
    carol, rita, alice, camera, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    image = tmp_path / "reads" / "held.jpg"
    image.parent.mkdir()
    image.write_bytes(b"held image")
    with time_machine.travel(T0, tick=False):
        held = put_read(camera, T0 - timedelta(days=2), image_ref="reads/held.jpg")
    robbery = open_for(carol, ROBBERY, T0)
    first = hold_plate(carol, robbery, T0)
    assert (first.reads_taken, first.reads_missing) == (1, 0)

    report = run_purge(actor=Actor.system("test"), now=LATER)
    assert report.reads_purged == 1 and report.held == 1
    assert not PlateRead.objects.filter(id=held.id).exists()

    # The read is gone from the live table but kept under the robbery hold: the
    # fraud case can still hold it, and says it took one read, none destroyed.
    fraud = open_for(rita, FRAUD, LATER)
    second = hold_plate(rita, fraud, LATER)
    assert (second.reads_taken, second.reads_missing) == (1, 0)
    assert vault_of(fraud) == {held.id}
    copy = HeldRead.objects.get(hold=fraud)
    original = HeldRead.objects.get(hold=robbery)
    assert (copy.plate, copy.captured_at, copy.camera_id, copy.image_ref) == (
        original.plate,
        original.captured_at,
        original.camera_id,
        original.image_ref,
    )
    assert copy.held_at == LATER
    coverage = HoldCoverage.objects.get(hold=fraud)
    assert (coverage.reads_taken, coverage.reads_missing) == (1, 0)
    event = extended_events()[-1]
    assert event.object_id == str(fraud.pk)
    assert event.data["reads_taken"] == 1 and event.data["reads_missing"] == 0
    assert event.data["reads_from_vault"] == 1
    # The first hold's own counts are untouched.
    assert HoldCoverage.objects.get(hold=robbery).reads_taken == 1

    # Releasing the robbery hold, then purging: the fraud hold keeps the read
    # (and its image), and its case still finds it.
    release(carol, robbery, LATER)
    report = run_purge(actor=Actor.system("test"), now=LATER + timedelta(hours=1))
    assert report.vault_reads == 1 and report.held == 1
    assert vault_of(robbery) == set()
    assert vault_of(fraud) == {held.id}
    assert image.exists()
    outcome = search_as(
        alice, FRAUD, LATER + timedelta(hours=2), start=T0 - timedelta(days=3)
    )
    assert [read.id for read in outcome.reads] == [held.id]
    assert outcome.legal_hold_case == FRAUD and outcome.held_reads == 1

    # Only when the fraud hold is released too does the read (and image) go.
    release(rita, fraud, LATER + timedelta(hours=2))
    report = run_purge(actor=Actor.system("test"), now=LATER + timedelta(hours=3))
    assert report.vault_reads == 1 and report.held == 0
    assert not HeldRead.objects.exists()
    assert not image.exists()


def test_a_second_hold_counts_reads_it_takes_while_they_are_still_live(
    carol, rita, camera
):
    with time_machine.travel(T0, tick=False):
        first_read = put_read(camera, T0 - timedelta(days=2))
        second_read = put_read(camera, T0 - timedelta(days=1))
    robbery = open_for(carol, ROBBERY, T0)
    assert hold_plate(carol, robbery, T0).reads_taken == 2
    fraud = open_for(rita, FRAUD, T0)
    second = hold_plate(rita, fraud, T0)
    assert (second.reads_taken, second.reads_missing) == (2, 0)
    assert vault_of(fraud) == vault_of(robbery) == {first_read.id, second_read.id}
    assert extended_events()[-1].data["reads_from_vault"] == 0


def test_asking_again_for_what_a_hold_already_has_says_so(carol, camera):
    with time_machine.travel(T0, tick=False):
        put_read(camera, T0 - timedelta(days=2))
    robbery = open_for(carol, ROBBERY, T0)
    hold_plate(carol, robbery, T0)
    with pytest.raises(HoldError) as error:
        hold_plate(carol, robbery, T0 + timedelta(minutes=5))
    message = " ".join(error.value.errors["__all__"])
    assert "already under this hold" in message and "1 read" in message
    assert "destroyed" not in message
    assert HoldCoverage.objects.filter(hold=robbery).count() == 1
    refusal = AuditEvent.objects.get(event_type=EventType.HOLD_REFUSED)
    assert refusal.data["action"] == "extend"


def test_a_second_hold_by_search_or_case_takes_vaulted_reads(
    carol, rita, alice, camera
):
    with time_machine.travel(T0, tick=False):
        held = put_read(camera, T0 - timedelta(days=2))
    # A search under the fraud case saw the read while it was live.
    fraud_search = search_as(alice, FRAUD, T0, start=T0 - timedelta(days=3))
    assert fraud_search.search.read_ids == [held.id]
    robbery = open_for(carol, ROBBERY, T0)
    hold_plate(carol, robbery, T0)
    run_purge(actor=Actor.system("test"), now=LATER)

    # A search under the robbery case made now reaches the read in the vault;
    # a hold taken from that search gets the read, not "already destroyed".
    robbery_search = search_as(alice, ROBBERY, LATER, start=T0 - timedelta(days=3))
    assert robbery_search.search.read_ids == [held.id]
    fraud = open_for(rita, FRAUD, LATER)
    with time_machine.travel(LATER, tick=False):
        by_search = extend_hold(
            actor=Actor.for_officer(rita),
            hold=fraud,
            method=HoldCoverage.Method.SEARCH,
            search=robbery_search.search,
        )
    assert (by_search.reads_taken, by_search.reads_missing) == (1, 0)
    assert by_search.audit_records_taken >= 2  # the search and its audit records

    # Everything under the fraud case: the read is already in this hold (neither
    # taken again nor missing); the fraud search and its records are new.
    with time_machine.travel(LATER, tick=False):
        by_case = extend_hold(
            actor=Actor.for_officer(rita),
            hold=fraud,
            method=HoldCoverage.Method.CASE,
        )
    assert (by_case.reads_taken, by_case.reads_missing) == (0, 0)
    assert by_case.audit_records_taken >= 2
    assert vault_of(fraud) == {held.id}


def test_a_case_hold_takes_vaulted_reads_its_own_search_returned(
    carol, rita, alice, camera
):
    with time_machine.travel(T0, tick=False):
        held = put_read(camera, T0 - timedelta(days=2))
    search_as(alice, FRAUD, T0, start=T0 - timedelta(days=3))
    robbery = open_for(carol, ROBBERY, T0)
    hold_plate(carol, robbery, T0)
    run_purge(actor=Actor.system("test"), now=LATER)
    fraud = open_for(rita, FRAUD, LATER)
    with time_machine.travel(LATER, tick=False):
        result = extend_hold(
            actor=Actor.for_officer(rita), hold=fraud, method=HoldCoverage.Method.CASE
        )
    assert (result.reads_taken, result.reads_missing) == (1, 0)
    assert vault_of(fraud) == {held.id}


ALERT_NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ALERT_AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)  # past two years at ALERT_NOW


def test_a_second_hold_takes_an_audit_record_only_the_vault_keeps(
    carol, rita, alice, camera
):
    hotlist = HotList.objects.create(
        name="Burglary follow-ups",
        key="burglary",
        source=HotList.Source.CUSTOM,
        owner=alice,
        created_at=ALERT_AT - timedelta(days=30),
    )
    entry = HotListEntry.objects.create(
        hotlist=hotlist,
        plate="KLM4821",
        state="VA",
        category="stolen_vehicle",
        purpose="C",
        case_number=ROBBERY,
        reason="Reported stolen",
        entered_by=alice,
        entered_at=ALERT_AT - timedelta(days=30),
        expires_at=ALERT_AT + timedelta(days=300),
    )
    alert = Alert.objects.create(
        entry=entry,
        hotlist=hotlist,
        created_at=ALERT_AT,
        read_id=1,
        read_plate="KLM4821",
        read_state="VA",
        read_captured_at=ALERT_AT - timedelta(seconds=5),
        camera=camera,
        camera_name=camera.name,
        entry_plate="KLM4821",
        category=entry.category,
        match_kind="exact",
    )
    window = {
        "method": HoldCoverage.Method.PLATE,
        "plate": "KLM4821",
        "window_start": ALERT_AT - timedelta(days=1),
        "window_end": ALERT_AT + timedelta(days=1),
    }
    robbery = open_for(carol, ROBBERY, ALERT_AT + timedelta(days=2))
    with time_machine.travel(ALERT_AT + timedelta(days=2), tick=False):
        first = extend_hold(actor=Actor.for_officer(carol), hold=robbery, **window)
    assert first.audit_records_taken == 1
    run_purge(actor=Actor.system("test"), now=ALERT_NOW)
    assert not Alert.objects.filter(pk=alert.pk).exists()

    fraud = open_for(rita, FRAUD, ALERT_NOW)
    with time_machine.travel(ALERT_NOW, tick=False):
        second = extend_hold(actor=Actor.for_officer(rita), hold=fraud, **window)
    assert (second.reads_taken, second.audit_records_taken) == (0, 1)
    copy = HeldAuditRecord.objects.get(hold=fraud)
    assert (copy.source, copy.record_id) == ("hotlists.alert", alert.pk)
    assert copy.content["read_plate"] == "KLM4821"

    release(carol, robbery, ALERT_NOW)
    run_purge(actor=Actor.system("test"), now=ALERT_NOW + timedelta(hours=1))
    assert not HeldAuditRecord.objects.filter(hold=robbery).exists()
    assert HeldAuditRecord.objects.filter(hold=fraud).count() == 1
