from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management.base import CommandError

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from hotlists import services
from hotlists.models import HotList, HotListEntry
from hotlists.rules import RuleError
from tests.conftest import verified_client
from tests.hotlists.conftest import entry_data, run_import

T0 = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


def add(officer, hotlist, **overrides):
    return services.add_entry(
        actor=Actor.for_officer(officer), hotlist=hotlist, data=entry_data(**overrides)
    )


def test_it_expires_a_custom_entry_exactly_24_hours_after_entry(frank, custom_list):
    with time_machine.travel(T0, tick=False):
        entry = add(frank, custom_list)
    assert entry.expires_at == T0 + timedelta(hours=24)
    active = HotListEntry.objects.active
    assert active(now=T0 + timedelta(hours=24) - timedelta(microseconds=1)).filter(
        pk=entry.pk
    )
    assert not active(now=T0 + timedelta(hours=24)).filter(pk=entry.pk)
    assert not active(now=T0 + timedelta(hours=24, seconds=1)).filter(pk=entry.pk)
    added = AuditEvent.objects.get(event_type=EventType.HOTLIST_ENTRY_ADDED)
    assert added.data["case_number"] == "26-004512"
    assert added.object_id == str(entry.pk)


def test_it_extends_the_entry_24_hours_from_re_verification(frank, custom_list):
    with time_machine.travel(T0, tick=False):
        entry = add(frank, custom_list)
    last_moment = T0 + timedelta(hours=24) - timedelta(seconds=1)
    with time_machine.travel(last_moment, tick=False):
        verified = services.reverify_entry(actor=Actor.for_officer(frank), entry=entry)
    assert verified.verified_at == last_moment
    assert verified.expires_at == last_moment + timedelta(hours=24)
    assert HotListEntry.objects.active(now=T0 + timedelta(hours=30)).filter(pk=entry.pk)
    event = AuditEvent.objects.get(event_type=EventType.HOTLIST_ENTRY_VERIFIED)
    assert event.actor_label == "frank"


def test_it_refuses_to_re_verify_an_entry_that_has_expired(frank, custom_list):
    with time_machine.travel(T0, tick=False):
        entry = add(frank, custom_list)
    with (
        time_machine.travel(T0 + timedelta(hours=24), tick=False),
        pytest.raises(services.NotPermitted, match="has expired"),
    ):
        services.reverify_entry(actor=Actor.for_officer(frank), entry=entry)
    entry.refresh_from_db()
    assert entry.expires_at == T0 + timedelta(hours=24)


def test_it_lets_the_supervisor_re_verify_but_no_other_officer(
    frank, sergeant, alice, custom_list
):
    with time_machine.travel(T0, tick=False):
        entry = add(frank, custom_list)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        with pytest.raises(services.NotPermitted, match="Only the officer who entered"):
            services.reverify_entry(actor=Actor.for_officer(alice), entry=entry)
        entry.refresh_from_db()
        assert entry.verified_at is None
        refused = AuditEvent.objects.get(event_type=EventType.HOTLIST_ENTRY_REFUSED)
        assert refused.outcome == Outcome.REFUSED
        assert refused.actor_label == "alice"
        services.reverify_entry(actor=Actor.for_officer(sergeant), entry=entry)
    entry.refresh_from_db()
    assert entry.verified_by == sergeant


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"purpose": ""}, "purpose", "Choose the §3 purpose"),
        ({"case_number": ""}, "case_number", "A case or incident number is required"),
        ({"case_number": "lost dog"}, "case_number", "is not a case number"),
        ({"reason": ""}, "reason", "Say why the vehicle is listed"),
        (
            {"reason": "Track cars at the immigration protest"},
            "reason",
            "points to a prohibited purpose",
        ),
        (
            {"vehicle_description": "Grey van seen at the abortion clinic"},
            "vehicle_description",
            "Policy §6.B forbids",
        ),
        ({"plate": " - "}, "plate", "the plate is empty"),
        ({"category": "felony_vehicle"}, "category", "Choose what the entry is about"),
        (
            {"expires_at": "2026-12-05T14:00:01+00:00"},
            "expires_at",
            "at most 24 hours",
        ),
        ({"expires_at": "tomorrow"}, "expires_at", "is not a date and time"),
    ],
)
def test_it_refuses_a_custom_entry_that_breaks_a_rule(
    frank, custom_list, overrides, field, message
):
    with time_machine.travel(T0, tick=False), pytest.raises(RuleError) as raised:
        add(frank, custom_list, **overrides)
    assert message in " ".join(raised.value.errors[field])
    assert not HotListEntry.objects.exists()
    refused = AuditEvent.objects.get(event_type=EventType.HOTLIST_ENTRY_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    assert field in refused.data["errors"]


def test_it_accepts_an_expiry_exactly_at_the_maximum(frank, custom_list):
    with time_machine.travel(T0, tick=False):
        entry = add(frank, custom_list, expires_at="2026-12-05T14:00:00+00:00")
    assert entry.expires_at == T0 + timedelta(hours=24)


def test_it_refuses_entries_on_someone_elses_owner_only_list(frank, alice):
    private = services.create_hotlist(
        actor=Actor.for_officer(frank),
        name="Frank only",
        owner=frank,
        audience=HotList.Audience.OWNER,
    )
    with pytest.raises(services.NotPermitted):
        add(alice, private)
    assert AuditEvent.objects.filter(
        event_type=EventType.HOTLIST_ENTRY_REFUSED, actor_label="alice"
    ).exists()


def test_it_imports_the_custom_csv_and_reports_bad_rows(
    frank, custom_list, tmp_path: Path
):
    path = tmp_path / "custom.csv"
    path.write_text(
        "Plate,State,Category,Purpose,Case Number,Reason,Expires\r\n"
        "KLM 4821,VA,stolen_vehicle,C,26-004512,Stolen from Church St lot,\r\n"
        "NOP1111,VA,warrant,C,,Outstanding warrant for the owner,\r\n"
        "QRS2222,VA,missing,B,26-000777,Endangered adult driving this car,"
        "2026-12-06T14:00:00+00:00\r\n",
        encoding="utf-8",
    )
    with time_machine.travel(T0, tick=False):
        code, out, err = run_import(
            str(path), format="csv", list=custom_list.name, actor="frank"
        )
    assert code == 1
    assert out.strip().splitlines()[-1] == "imported=1 rejected=2 excluded=0"
    lines = err.strip().splitlines()
    assert lines[0].startswith("line 3: case_number: A case or incident number")
    assert lines[1].startswith("line 4: expires_at: An entry may run at most 24")
    entry = HotListEntry.objects.get()
    assert (entry.plate, entry.entered_by, entry.expires_at) == (
        "KLM4821",
        frank,
        T0 + timedelta(hours=24),
    )


def test_it_refuses_a_custom_csv_without_an_entering_officer(custom_list, tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text(
        "plate,category,purpose,case number,reason\n"
        "KLM4821,stolen_vehicle,C,26-004512,Stolen from Church St lot\n"
    )
    with pytest.raises(CommandError, match="pass --actor") as raised:
        run_import(str(path), format="csv", list=custom_list.name)
    assert raised.value.returncode == 2
    assert not HotListEntry.objects.exists()


def test_it_refuses_an_ncic_file_passed_as_csv(frank, custom_list, ncic_file):
    from tests.hotlists.conftest import ncic_line

    path = ncic_file([ncic_line("V", 1, "ABC1234")])
    with pytest.raises(CommandError, match="not the hot-list CSV layout"):
        run_import(str(path), format="csv", list=custom_list.name, actor="frank")
    assert not HotListEntry.objects.exists()


@pytest.mark.parametrize(
    ("plate", "message"),
    [
        ("KLM*", "wildcards (* and ?) cannot be listed"),
        ("KLM?821", "wildcards (* and ?) cannot be listed"),
        ("KLM=4821", "characters no plate has: ="),
        ("<b>KLM</b>", "characters no plate has: < > /"),
    ],
)
def test_it_refuses_a_plate_with_wildcards_or_symbols(
    frank, custom_list, plate, message
):
    # Once "KLM*" was stored as the exact plate KLM: an entry for a vehicle
    # nobody was looking for, and none for the one they were.
    with time_machine.travel(T0, tick=False), pytest.raises(RuleError) as raised:
        add(frank, custom_list, plate=plate)
    assert message in " ".join(raised.value.errors["plate"])
    assert not HotListEntry.objects.exists()
    refused = AuditEvent.objects.get(event_type=EventType.HOTLIST_ENTRY_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    assert refused.data["submitted"]["plate"] == plate
    assert "plate" in refused.data["errors"]


def test_it_still_takes_the_spaces_and_hyphens_printed_on_plates(frank, custom_list):
    with time_machine.travel(T0, tick=False):
        entry = add(frank, custom_list, plate="klm-48 21")
    assert entry.plate == "KLM4821"


def test_it_refuses_a_second_active_entry_for_the_same_plate_and_state(
    frank, sergeant, custom_list
):
    with time_machine.travel(T0, tick=False):
        first = add(frank, custom_list)
    with (
        time_machine.travel(T0 + timedelta(hours=3), tick=False),
        pytest.raises(RuleError) as raised,
    ):
        add(sergeant, custom_list, plate="KLM 4821", reason="Seen again at the mall")
    (message,) = raised.value.errors["plate"]
    assert message == (
        "KLM4821 (VA) is already on this list until 2026-12-05 09:00 EST; "
        "re-verify it instead."
    )
    assert list(HotListEntry.objects.all()) == [first]
    refused = AuditEvent.objects.get(event_type=EventType.HOTLIST_ENTRY_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    assert refused.actor_label == "sam"
    assert refused.data["existing_entry"] == first.pk
    assert "already on this list" in refused.summary


def test_it_takes_the_same_plate_from_another_state_or_on_another_list(
    frank, custom_list
):
    other = services.create_hotlist(actor=Actor.for_officer(frank), name="Other")
    with time_machine.travel(T0, tick=False):
        add(frank, custom_list)
        add(frank, custom_list, state="NC")
        add(frank, other)
    assert HotListEntry.objects.filter(plate="KLM4821").count() == 3


def test_it_takes_the_plate_again_once_the_entry_expired_or_was_removed(
    frank, custom_list
):
    with time_machine.travel(T0, tick=False):
        first = add(frank, custom_list)
    expiry = T0 + timedelta(hours=24)
    with (
        time_machine.travel(expiry - timedelta(microseconds=1), tick=False),
        pytest.raises(RuleError),
    ):
        add(frank, custom_list)
    with time_machine.travel(expiry, tick=False):
        second = add(frank, custom_list)
        services.remove_entry(actor=Actor.for_officer(frank), entry=second)
        third = add(frank, custom_list)
    assert {first.pk, second.pk, third.pk} == set(
        HotListEntry.objects.values_list("pk", flat=True)
    )
    assert HotListEntry.objects.active(now=expiry).get() == third


def test_the_import_rejects_duplicates_of_active_entries_and_of_earlier_rows(
    frank, custom_list, tmp_path: Path
):
    with time_machine.travel(T0, tick=False):
        add(frank, custom_list)
    path = tmp_path / "custom.csv"
    path.write_text(
        "Plate,State,Category,Purpose,Case Number,Reason\r\n"
        "KLM4821,VA,stolen_vehicle,C,26-004512,Stolen from Church St lot\r\n"
        "NOP1111,VA,warrant,C,26-004512,Outstanding warrant for the owner\r\n"
        "NOP 1111,VA,warrant,C,26-004512,Outstanding warrant for the owner\r\n"
        "KLM*,VA,stolen_vehicle,C,26-004512,Stolen from Church St lot\r\n",
        encoding="utf-8",
    )
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        code, out, err = run_import(
            str(path), format="csv", list=custom_list.name, actor="frank"
        )
    assert code == 1
    assert out.strip().splitlines()[-1] == "imported=1 rejected=3 excluded=0"
    lines = err.strip().splitlines()
    assert lines[0].startswith("line 2: plate: KLM4821 (VA) is already on this list")
    assert lines[1].startswith("line 4: plate: NOP1111 VA is already on line 3")
    assert lines[2].startswith("line 5: plate: A hot-list entry is one exact plate")
    assert sorted(HotListEntry.objects.values_list("plate", flat=True)) == [
        "KLM4821",
        "NOP1111",
    ]


def test_the_page_names_the_duplicate_beside_the_plate_field(frank, custom_list):
    with time_machine.travel(T0, tick=False):
        add(frank, custom_list)
        response = verified_client(frank).post(
            f"/hotlists/{custom_list.pk}/entries/", entry_data(plate="KLM4821")
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<p class="errorlist">KLM4821 (VA) is already on this list until '
        "2026-12-05 09:00 EST; re-verify it instead.</p>"
    ) in page
    assert HotListEntry.objects.count() == 1
