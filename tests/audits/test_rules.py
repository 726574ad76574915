"""Each audit rule on small hand-made cases."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from audits import rules, services
from audits.context import Actor
from audits.models import AuditPeriod, Finding
from tests.audits.conftest import MID_MARCH, make_search

MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def run_march():
    with time_machine.travel(datetime(2026, 4, 2, 12, tzinfo=UTC), tick=False):
        return services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=MARCH[0],
            end=MARCH[1],
        )


def flagged(rule: str) -> set[int]:
    return {
        int(f.subject_id)
        for f in Finding.objects.filter(rule=rule, subject_type="queries.search")
    }


@pytest.fixture(autouse=True)
def _no_sample(settings):
    # The random sample is tested on its own; elsewhere it would only add noise.
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}


def test_it_flags_bare_words_placeholders_and_numbers_as_vague(alice):
    vague = [
        make_search(alice, MID_MARCH, justification=text)
        for text in ("inv", "BOLO", ".", "Investigation", "123456", "uuv stuff")
    ]
    clear = make_search(alice, MID_MARCH)
    run_march()
    assert flagged("vague_reason") == {s.pk for s in vague}
    assert clear.pk not in flagged("vague_reason")


def test_it_flags_missing_malformed_and_typed_in_case_numbers(alice):
    missing = make_search(alice, MID_MARCH, purpose="B", case_number="")
    malformed = make_search(alice, MID_MARCH, case_number="CASE 12")
    typed = make_search(
        alice, MID_MARCH, purpose="C", case_number="", justification="see 26-004512"
    )
    notification = make_search(alice, MID_MARCH, purpose="C", case_number="")
    run_march()
    assert flagged("case_number") == {missing.pk, malformed.pk, typed.pk}
    assert notification.pk not in flagged("case_number")


def test_it_matches_prohibited_terms_as_words_only(alice):
    protest = make_search(alice, MID_MARCH, justification="Plates seen at the protest")
    hsi = make_search(alice, MID_MARCH, justification="Assist HSI with a vehicle")
    inside = make_search(
        alice, MID_MARCH, justification="Vehicle at the HSIEH residence, police call"
    )
    ice = make_search(alice, MID_MARCH, justification="Crash on ice near the bridge")
    run_march()
    assert flagged("prohibited_purpose") == {protest.pk, hsi.pk}
    assert inside.pk not in flagged("prohibited_purpose")
    assert ice.pk not in flagged("prohibited_purpose")


def test_it_finds_dates_of_birth_ssn_and_phone_numbers_but_not_case_numbers(alice):
    dob = make_search(alice, MID_MARCH, justification="Subject DOB 4/12/1987 fled")
    old_date = make_search(alice, MID_MARCH, justification="born 1990-02-03, suspect")
    ssn = make_search(alice, MID_MARCH, justification="owner ssn 123-45-6789 robbery")
    phone = make_search(alice, MID_MARCH, justification="caller (540) 555-0147 saw it")
    recent = make_search(alice, MID_MARCH, justification="Stolen on 03/02/2026 at noon")
    case = make_search(alice, MID_MARCH, justification="Robbery 26-004512 Church St")
    run_march()
    assert flagged("personal_data") == {dob.pk, old_date.pk, ssn.pk, phone.pk}
    assert not {recent.pk, case.pk} & flagged("personal_data")


def test_it_flags_one_plate_searched_repeatedly_without_a_case(alice, bob):
    repeated = [
        make_search(alice, MID_MARCH + timedelta(hours=i), purpose="C", case_number="")
        for i in range(3)
    ]
    twice = [
        make_search(bob, MID_MARCH + timedelta(hours=i), purpose="C", case_number="")
        for i in range(2)
    ]
    with_case = [make_search(bob, MID_MARCH + timedelta(hours=i)) for i in range(4)]
    run_march()
    assert flagged("repeated_plate") == {s.pk for s in repeated}
    assert not {s.pk for s in twice + with_case} & flagged("repeated_plate")


def test_it_flags_a_burst_after_a_long_idle_stretch(alice, bob):
    make_search(alice, MID_MARCH - timedelta(days=20))
    burst = [make_search(alice, MID_MARCH + timedelta(minutes=i)) for i in range(10)]
    make_search(bob, MID_MARCH - timedelta(days=13))
    busy = [make_search(bob, MID_MARCH + timedelta(minutes=i)) for i in range(10)]
    run_march()
    assert flagged("burst_after_idle") == {s.pk for s in burst}
    assert not {s.pk for s in busy} & flagged("burst_after_idle")


def test_a_burst_counts_the_idle_stretch_from_a_busy_days_last_search(alice, bob):
    # Both searched twice on 1 March; the stretch runs from the later search.
    day = datetime(2026, 3, 1, 13, tzinfo=UTC)
    for officer in (alice, bob):
        make_search(officer, day)
        make_search(officer, day + timedelta(hours=7))
    last = day + timedelta(hours=7)
    # Alice comes back one second short of 14 days, Bob exactly 14 days later.
    short = [
        make_search(alice, last + timedelta(days=14, seconds=-1, minutes=i))
        for i in range(10)
    ]
    exact = [make_search(bob, last + timedelta(days=14, minutes=i)) for i in range(10)]
    run_march()
    assert flagged("burst_after_idle") == {s.pk for s in exact}
    assert not {s.pk for s in short} & flagged("burst_after_idle")
    detail = Finding.objects.filter(rule="burst_after_idle").first().detail
    assert detail == "10 searches within 60 min after 14 days without any"


def test_a_burst_rule_without_an_idle_stretch_is_refused(settings, alice):
    settings.FLOCKGOV_AUDIT_RULES = {
        "sample": {"enabled": False},
        "burst_after_idle": {"idle_days": 0},
    }
    make_search(alice, MID_MARCH)
    with pytest.raises(ValueError, match="idle_days must be at least 1"):
        run_march()
    assert not Finding.objects.exists()


def test_it_flags_searches_outside_the_shift_or_normal_hours(alice, bob):
    alice.shift_start, alice.shift_end = time(22, 0), time(6, 0)
    alice.save()
    # 08:00 in Virginia on 11 March (EDT, UTC-4) is 12:00 UTC.
    morning = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    night = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # 03:00 local
    alice_day = make_search(alice, morning)
    alice_night = make_search(alice, night)
    bob_day = make_search(bob, morning)
    bob_night = make_search(bob, night)
    # 22:29 local is inside bob's normal hours with the 30-minute grace.
    bob_grace = make_search(bob, datetime(2026, 3, 12, 2, 29, tzinfo=UTC))
    bob_late = make_search(bob, datetime(2026, 3, 12, 2, 31, tzinfo=UTC))
    run_march()
    assert flagged("off_shift") == {alice_day.pk, bob_night.pk, bob_late.pk}
    assert not {alice_night.pk, bob_day.pk, bob_grace.pk} & flagged("off_shift")


def test_it_flags_windows_reaching_back_past_retention(alice):
    exactly = make_search(alice, MID_MARCH, window_start=MID_MARCH - timedelta(days=21))
    past = make_search(
        alice, MID_MARCH, window_start=MID_MARCH - timedelta(days=21, seconds=1)
    )
    run_march()
    assert flagged("lookback_past_retention") == {past.pk}
    assert exactly.pk not in flagged("lookback_past_retention")


def test_it_samples_each_officer_reproducibly(settings, alice, bob):
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"rate": 0.1, "minimum": 2}}
    for i in range(30):
        make_search(alice, MID_MARCH + timedelta(minutes=i))
    make_search(bob, MID_MARCH)
    run_march()
    sampled = Finding.objects.filter(rule="sample")
    assert sampled.filter(officer=alice).count() == 3
    assert sampled.filter(officer=bob).count() == 1
    first = set(sampled.values_list("subject_id", flat=True))
    Finding.objects.all().delete()
    run_march()
    assert set(sampled.values_list("subject_id", flat=True)) == first


def test_it_can_switch_a_rule_off_and_tune_it(settings, alice):
    make_search(alice, MID_MARCH, justification="inv")
    settings.FLOCKGOV_AUDIT_RULES = {
        "sample": {"enabled": False},
        "vague_reason": {"enabled": False},
    }
    result = run_march()
    assert result.per_rule["vague_reason"] == 0
    assert not rules.RULES["vague_reason"].enabled


def test_it_keeps_months_in_the_department_zone(alice):
    # 1 March 2026 00:00 in Virginia (EST) is 05:00 UTC.
    last_of_feb = make_search(alice, datetime(2026, 3, 1, 4, 59, 59, tzinfo=UTC))
    first_of_march = make_search(alice, datetime(2026, 3, 1, 5, 0, tzinfo=UTC))
    # 1 April 00:00 EDT (after the DST change) is 04:00 UTC.
    last_of_march = make_search(alice, datetime(2026, 4, 1, 3, 59, 59, tzinfo=UTC))
    first_of_april = make_search(alice, datetime(2026, 4, 1, 4, 0, tzinfo=UTC))
    for search in (last_of_feb, first_of_march, last_of_march, first_of_april):
        make_search(alice, search.created_at, justification="inv")
    result = run_march()
    assert result.period.figures["searches_by_source"] == {"own": 4}
    subjects = set(Finding.objects.values_list("subject_at", flat=True))
    assert first_of_march.created_at in subjects
    assert last_of_march.created_at in subjects
    assert last_of_feb.created_at not in subjects
    assert first_of_april.created_at not in subjects


def test_it_adds_nothing_when_the_rules_run_again(alice):
    make_search(alice, MID_MARCH, justification="inv")
    first = run_march()
    again = run_march()
    assert first.per_rule == again.per_rule
    assert Finding.objects.count() == first.total


def test_it_lets_a_new_rule_be_one_function(alice):
    @rules.rule(
        "test_every_search", label="t", severity="low", policy="§7.A", kind="python"
    )
    def every(ctx, params):
        for row in ctx.search_rows():
            yield rules.Hit.about(row, "seen")

    try:
        search = make_search(alice, MID_MARCH)
        result = run_march()
        assert result.per_rule["test_every_search"] == 1
        assert flagged("test_every_search") == {search.pk}
    finally:
        del rules.RULES["test_every_search"]
