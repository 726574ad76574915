"""Legal holds (policy §8.C): opening, what they take, searching held reads past
retention under the holding case only, release, and every refusal audited."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from queries import criteria as search_rules
from queries.models import PlateRead, Search
from queries.services import perform_search
from retention.models import HeldAuditRecord, HeldRead, HoldCoverage, LegalHold
from retention.purge import run_purge
from retention.services import (
    HoldError,
    HoldNotPermitted,
    extend_hold,
    open_hold,
    release_hold,
)

from .conftest import put_read

T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
JUSTIFICATION = "Vehicle seen leaving the scene of the robbery"


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=EventType.HOLD_REFUSED))


def search_as(officer, *, plate="ABC1234", case="26-004512", start=None, end=None):
    found = search_rules.validate(
        purpose="A",
        case_number=case,
        offense_type="Robbery",
        justification=JUSTIFICATION,
        plate=plate,
        window_start=start,
        window_end=end,
    )
    return perform_search(actor=Actor.for_officer(officer), criteria=found)


@pytest.fixture
def hold(carol):
    with time_machine.travel(T0, tick=False):
        return open_hold(
            actor=Actor.for_officer(carol),
            case_number="26-004512",
            kind=LegalHold.Kind.PROSECUTION,
            reference="Martinsville Circuit Court CR26-1187",
        )


@pytest.mark.django_db
class TestOpening:
    def test_it_opens_a_hold_and_audits_it(self, hold, carol):
        assert hold.is_active and hold.opened_by == carol
        event = AuditEvent.objects.get(event_type=EventType.HOLD_OPENED)
        assert event.actor == carol
        assert event.data["case_number"] == "26-004512"

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"case_number": ""}, "case_number", "needs the case number"),
            ({"case_number": "robbery"}, "case_number", "department's format"),
            ({"kind": "curiosity"}, "kind", "ongoing investigation"),
            ({"reference": "  "}, "reference", "court docket"),
        ],
    )
    def test_it_refuses_a_bad_hold_with_a_specific_error(
        self, carol, fields, field, message
    ):
        request = {
            "case_number": "26-004512",
            "kind": LegalHold.Kind.INVESTIGATION,
            "reference": "MPD detective unit",
            **fields,
        }
        with pytest.raises(HoldError) as error:
            open_hold(actor=Actor.for_officer(carol), **request)
        assert message in " ".join(error.value.errors[field])
        assert not LegalHold.objects.exists()
        (refusal,) = refusals()
        assert refusal.outcome == Outcome.REFUSED and field in refusal.data["errors"]

    def test_it_refuses_a_second_open_hold_for_the_same_case(self, hold, carol):
        with pytest.raises(HoldError, match="already has an open legal hold"):
            open_hold(
                actor=Actor.for_officer(carol),
                case_number="26-004512",
                kind=LegalHold.Kind.INVESTIGATION,
                reference="again",
            )
        assert LegalHold.objects.count() == 1

    def test_it_lets_records_open_a_hold_but_not_an_officer(self, alice, rita):
        opened = open_hold(
            actor=Actor.for_officer(rita),
            case_number="26-000777",
            kind=LegalHold.Kind.CIVIL_ACTION,
            reference="W.D. Va. 4:26-cv-00012",
        )
        assert opened.opened_by == rita
        with pytest.raises(HoldNotPermitted):
            open_hold(
                actor=Actor.for_officer(alice),
                case_number="26-000778",
                kind=LegalHold.Kind.INVESTIGATION,
                reference="x",
            )
        assert LegalHold.objects.count() == 1
        assert refusals()[0].actor == alice


@pytest.mark.django_db
class TestCoverage:
    def test_it_takes_the_reads_of_a_search_and_its_audit_records(
        self, hold, carol, alice, camera
    ):
        with time_machine.travel(T0, tick=False):
            kept = put_read(camera, T0 - timedelta(days=2))
            put_read(camera, T0 - timedelta(days=1), plate="ZZZ9999")
            outcome = search_as(alice)
            result = extend_hold(
                actor=Actor.for_officer(carol),
                hold=hold,
                method=HoldCoverage.Method.SEARCH,
                search=outcome.search,
            )
        assert result.reads_taken == 1 and result.reads_missing == 0
        assert list(HeldRead.objects.values_list("read_id", flat=True)) == [kept.id]
        sources = set(HeldAuditRecord.objects.values_list("source", flat=True))
        assert sources == {"audits.auditevent", "queries.search"}
        event = AuditEvent.objects.get(event_type=EventType.HOLD_EXTENDED)
        assert event.data["reads_taken"] == 1

    def test_it_takes_a_plate_within_a_window(self, hold, carol, camera):
        with time_machine.travel(T0, tick=False):
            inside = put_read(camera, T0 - timedelta(hours=5), plate="HLD123")
            put_read(camera, T0 - timedelta(days=5), plate="HLD123")
            result = extend_hold(
                actor=Actor.for_officer(carol),
                hold=hold,
                method=HoldCoverage.Method.PLATE,
                plate="hld 123",
                window_start=T0 - timedelta(days=1),
                window_end=T0,
            )
        assert result.reads_taken == 1
        assert HeldRead.objects.get().read_id == inside.id

    def test_it_takes_everything_recorded_under_a_case_number(
        self, hold, carol, alice, camera
    ):
        with time_machine.travel(T0, tick=False):
            put_read(camera, T0 - timedelta(days=3))
            search_as(alice)
            search_as(alice, plate="ZZZ9999")  # nothing found, still recorded
            result = extend_hold(
                actor=Actor.for_officer(carol),
                hold=hold,
                method=HoldCoverage.Method.CASE,
            )
        assert result.reads_taken == 1
        assert HeldAuditRecord.objects.filter(source="queries.search").count() == 2
        assert result.audit_records_taken >= 4

    def test_it_refuses_a_hold_on_reads_already_purged(
        self, hold, carol, alice, camera, transactional_db
    ):
        with time_machine.travel(T0, tick=False):
            put_read(camera, T0 - timedelta(days=3))
            outcome = search_as(alice)
        run_purge(actor=Actor.system("test"), now=T0 + timedelta(days=19))
        assert not PlateRead.objects.exists()
        with pytest.raises(HoldError, match="already been destroyed"):
            extend_hold(
                actor=Actor.for_officer(carol),
                hold=hold,
                method=HoldCoverage.Method.PLATE,
                plate="ABC1234",
                window_start=T0 - timedelta(days=4),
                window_end=T0,
            )
        assert not HeldRead.objects.exists()
        assert refusals()[-1].data["action"] == "extend"
        # The search's own audit records are still there to be held.
        result = extend_hold(
            actor=Actor.for_officer(carol),
            hold=hold,
            method=HoldCoverage.Method.SEARCH,
            search=outcome.search,
        )
        assert (result.reads_taken, result.reads_missing) == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_held_read_searchable_by_its_case_until_released(
    carol, alice, camera, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    image = tmp_path / "reads" / "held.jpg"
    image.parent.mkdir()
    image.write_bytes(b"held image")
    carol_acts = Actor.for_officer(carol)
    with time_machine.travel(T0, tick=False):
        held = put_read(camera, T0 - timedelta(days=2), image_ref="reads/held.jpg")
        other = put_read(camera, T0 - timedelta(days=2), plate="ZZZ9999")
        hold = open_hold(
            actor=carol_acts,
            case_number="26-004512",
            kind=LegalHold.Kind.INVESTIGATION,
            reference="MPD CID",
        )
        extend_hold(
            actor=carol_acts,
            hold=hold,
            method=HoldCoverage.Method.PLATE,
            plate="ABC1234",
            window_start=T0 - timedelta(days=3),
            window_end=T0,
        )
        # Inside retention the live read answers; nothing is claimed from the vault.
        before = search_as(alice, start=T0 - timedelta(days=3), end=T0)
        assert [read.id for read in before.reads] == [held.id]
        assert before.legal_hold_case == "" and before.held_reads == 0
    later = T0 + timedelta(days=30)
    report = run_purge(actor=Actor.system("test"), now=later)
    assert report.reads_purged == 2 and report.held == 1
    assert image.exists()  # the vault copy still points at it
    assert not PlateRead.objects.filter(id__in=[held.id, other.id]).exists()

    with time_machine.travel(later, tick=False):
        outcome = search_as(alice, start=T0 - timedelta(days=3), end=later)
        assert [read.id for read in outcome.reads] == [held.id]
        assert outcome.legal_hold_case == "26-004512" and outcome.held_reads == 1
        assert outcome.search.read_ids == [held.id]
        # Another case number cannot reach back past retention.
        with pytest.raises(search_rules.CriteriaError) as error:
            search_as(alice, case="26-000001", start=T0 - timedelta(days=3))
        assert "retention period" in " ".join(error.value.errors["window_start"])

    with time_machine.travel(later, tick=False):
        release_hold(
            actor=carol_acts,
            hold=hold,
            reason=LegalHold.ReleaseReason.FINAL_DISPOSITION,
            release_date=date(2026, 6, 1),
        )
    assert HeldRead.objects.count() == 1  # released, not yet purged
    report = run_purge(actor=Actor.system("test"), now=later + timedelta(hours=1))
    assert report.reads_purged == 1 and report.held == 0
    assert not HeldRead.objects.exists()
    assert not image.exists() and report.images_removed == 1
    with (
        time_machine.travel(later, tick=False),
        pytest.raises(search_rules.CriteriaError),
    ):
        search_as(alice, start=T0 - timedelta(days=3))


@pytest.mark.django_db
class TestRelease:
    @pytest.mark.parametrize(
        ("reason", "when", "field"),
        [
            ("", date(2026, 5, 1), "reason"),
            ("bored", date(2026, 5, 1), "reason"),
            (LegalHold.ReleaseReason.NO_CHARGES, None, "release_date"),
            (LegalHold.ReleaseReason.NO_CHARGES, date(2027, 1, 1), "release_date"),
        ],
    )
    def test_it_refuses_a_release_without_reason_and_date(
        self, hold, carol, reason, when, field
    ):
        with time_machine.travel(T0, tick=False), pytest.raises(HoldError) as error:
            release_hold(
                actor=Actor.for_officer(carol),
                hold=hold,
                reason=reason,
                release_date=when,
            )
        assert field in error.value.errors
        hold.refresh_from_db()
        assert hold.is_active
        assert refusals()[-1].data["action"] == "release"

    def test_it_records_who_released_and_why(self, hold, rita):
        with time_machine.travel(T0, tick=False):
            release_hold(
                actor=Actor.for_officer(rita),
                hold=hold,
                reason=LegalHold.ReleaseReason.NO_CHARGES,
                release_date=date(2026, 5, 1),
            )
        hold.refresh_from_db()
        assert (hold.released_by, hold.release_reason) == (rita, "no_charges")
        assert hold.released_at == T0
        event = AuditEvent.objects.get(event_type=EventType.HOLD_RELEASED)
        assert event.data["reason"] == "no_charges"


@pytest.mark.django_db
def test_it_keeps_held_audit_copies_append_only(hold, carol, alice, camera):
    with time_machine.travel(T0, tick=False):
        put_read(camera, T0 - timedelta(days=1))
        outcome = search_as(alice)
        extend_hold(
            actor=Actor.for_officer(carol),
            hold=hold,
            method=HoldCoverage.Method.SEARCH,
            search=outcome.search,
        )
    copies = HeldAuditRecord.objects.count()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM retention_heldauditrecord")
    assert HeldAuditRecord.objects.count() == copies == 2
    assert Search.objects.count() == 1
