"""The two cross-issue rules on small hand-made cases: custom hot-list entries not
re-verified within 24 hours (§4.B) and shares without an approved ground (§9).

Records are made directly, as the data could stand after a bug, a setting
change or a hand edit; one test goes through the real services to show that what
they allow is never flagged."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.roles import Role
from audits import services
from audits.context import Actor
from audits.events import EventType
from audits.models import AuditPeriod, Finding
from audits.trail import record
from hotlists import services as hotlist_services
from hotlists.models import Alert, HotList, HotListEntry
from sharing.models import (
    Acknowledgment,
    Dissemination,
    NetworkAccessGrant,
    Organisation,
    SharingRequest,
)
from tests.audits.conftest import MID_MARCH
from tests.conftest import make_account

DAY = timedelta(hours=24)
SECOND = timedelta(seconds=1)
AFTER_MARCH = datetime(2026, 4, 2, 12, tzinfo=UTC)


def run_month(start: date, end: date, *, now: datetime = AFTER_MARCH):
    with time_machine.travel(now, tick=False):
        return services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=start,
            end=end,
        )


def run_march(now: datetime = AFTER_MARCH):
    return run_month(date(2026, 3, 1), date(2026, 4, 1), now=now)


def flagged(rule: str, subject_type: str) -> dict[int, Finding]:
    return {
        int(f.subject_id): f
        for f in Finding.objects.filter(rule=rule, subject_type=subject_type)
    }


@pytest.fixture(autouse=True)
def _no_sample(settings):
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}


# --- Hot-list entries ----------------------------------------------------------


@pytest.fixture
def custom(alice) -> HotList:
    return HotList.objects.create(
        name="Alice's follow-ups",
        key="alice-follow-ups",
        source=HotList.Source.CUSTOM,
        owner=alice,
        created_at=MID_MARCH - timedelta(days=30),
    )


def entry(hotlist, officer, entered_at, **fields) -> HotListEntry:
    values = {
        "plate": "KLM4821",
        "state": "VA",
        "category": "stolen_vehicle",
        "purpose": "C",
        "case_number": "26-004512",
        "reason": "Reported stolen from Church St lot",
        "entered_by": officer,
        "entered_at": entered_at,
        "expires_at": entered_at + DAY,
    }
    values.update(fields)
    return HotListEntry.objects.create(hotlist=hotlist, **values)


def alert(item: HotListEntry, camera, at: datetime) -> Alert:
    return Alert.objects.create(
        entry=item,
        hotlist=item.hotlist,
        created_at=at,
        read_id=1,
        read_plate=item.plate,
        read_state=item.state,
        read_captured_at=at,
        camera=camera,
        camera_name=camera.name,
        entry_plate=item.plate,
        entry_state=item.state,
        category=item.category,
        match_kind="exact",
    )


def test_it_allows_exactly_24_hours_and_flags_one_second_more(alice, custom):
    t = MID_MARCH
    exact = entry(custom, alice, t, expires_at=t + DAY)
    under = entry(custom, alice, t, plate="ABC1111", expires_at=t + DAY - SECOND)
    over = entry(custom, alice, t, plate="ABC2222", expires_at=t + DAY + SECOND)
    run_march()
    found = flagged("hotlist_unverified", "hotlists.entry")
    assert set(found) == {over.pk}
    assert exact.pk not in found and under.pk not in found
    finding = found[over.pk]
    assert finding.officer_id == alice.pk
    assert finding.subject_at == t + DAY
    assert finding.severity == "medium"
    assert "active 24.0 h after its last entry" in finding.detail


def test_it_counts_from_the_last_re_verification(alice, bob, custom):
    t = MID_MARCH
    verified = t + timedelta(hours=20)
    kept = entry(custom, alice, t, verified_at=verified, expires_at=verified + DAY)
    late = entry(
        custom,
        alice,
        t,
        plate="ABC2222",
        verified_at=verified,
        verified_by=bob,
        expires_at=verified + DAY + SECOND,
    )
    run_march()
    found = flagged("hotlist_unverified", "hotlists.entry")
    assert set(found) == {late.pk}
    assert kept.pk not in found
    assert "after its last re-verification" in found[late.pk].detail
    # The entering officer answers for the entry, whoever verified it last.
    assert found[late.pk].officer_id == alice.pk


def test_it_flags_an_entry_without_expiry_or_removed_too_late(alice, custom):
    t = MID_MARCH
    endless = entry(custom, alice, t, expires_at=None)
    removed_late = entry(
        custom, alice, t, plate="ABC2222", expires_at=None, removed_at=t + DAY + SECOND
    )
    removed_on_time = entry(
        custom, alice, t, plate="ABC3333", expires_at=None, removed_at=t + DAY
    )
    run_march()
    found = flagged("hotlist_unverified", "hotlists.entry")
    assert set(found) == {endless.pk, removed_late.pk}
    assert removed_on_time.pk not in found
    assert "still active" in found[endless.pk].detail


def test_it_judges_an_open_entry_up_to_the_moment_of_the_run(alice, custom):
    t = MID_MARCH
    item = entry(custom, alice, t, expires_at=None)
    run_march(now=t + DAY)
    assert flagged("hotlist_unverified", "hotlists.entry") == {}
    run_march(now=t + DAY + SECOND)
    assert set(flagged("hotlist_unverified", "hotlists.entry")) == {item.pk}


def test_it_flags_alerts_raised_after_the_entry_lapsed(alice, custom, camera):
    t = MID_MARCH
    expires = t + timedelta(hours=20)
    used_after = entry(custom, alice, t, expires_at=expires)
    alert(used_after, camera, expires)  # expiry is exclusive: this one is late
    used_before = entry(custom, alice, t, plate="ABC2222", expires_at=expires)
    alert(used_before, camera, expires - SECOND)
    run_march()
    found = flagged("hotlist_unverified", "hotlists.entry")
    assert set(found) == {used_after.pk}
    finding = found[used_after.pk]
    assert finding.severity == "high"
    assert finding.subject_at == expires
    assert "1 alert(s) after it lapsed" in finding.detail


def test_it_makes_one_finding_per_entry_in_the_month_it_first_broke(
    alice, custom, camera
):
    feb = datetime(2026, 2, 20, 12, tzinfo=UTC)
    old = entry(custom, alice, feb, expires_at=None)
    alert(old, camera, MID_MARCH)
    both = entry(custom, alice, MID_MARCH, plate="ABC2222", expires_at=None)
    alert(both, camera, MID_MARCH + DAY + timedelta(hours=1))
    run_month(date(2026, 2, 1), date(2026, 3, 1))
    run_march()
    feb_findings = Finding.objects.filter(period__start=date(2026, 2, 1))
    mar_findings = Finding.objects.filter(period__start=date(2026, 3, 1))
    assert [f.subject_id for f in feb_findings] == [old.pk]
    assert [f.subject_id for f in mar_findings] == [both.pk]
    detail = mar_findings.get().detail
    assert "still active" in detail and "after it lapsed" in detail


def test_it_ignores_ncic_entries(alice):
    ncic = HotList.objects.create(
        name="NCIC", key="ncic", source=HotList.Source.NCIC, created_at=MID_MARCH
    )
    entry(ncic, None, MID_MARCH - timedelta(days=5), expires_at=None)
    run_march()
    assert flagged("hotlist_unverified", "hotlists.entry") == {}


def test_it_never_flags_what_the_hot_list_services_allow(db, camera):
    sergeant = make_account("sam", Role.SUPERVISOR)
    frank = make_account("frank", Role.OFFICER, supervisor=sergeant)
    t = MID_MARCH
    with time_machine.travel(t, tick=False):
        hotlist = hotlist_services.create_hotlist(
            actor=Actor.for_officer(frank),
            name="Frank's list",
            audience=HotList.Audience.DEPARTMENT,
            owner=frank,
        )
        item = hotlist_services.add_entry(
            actor=Actor.for_officer(frank),
            hotlist=hotlist,
            data={
                "plate": "KLM4821",
                "state": "VA",
                "category": "stolen_vehicle",
                "purpose": "C",
                "case_number": "26-004512",
                "reason": "Reported stolen from Church St lot",
            },
        )
    with time_machine.travel(t + DAY - SECOND, tick=False):
        hotlist_services.reverify_entry(actor=Actor.for_officer(sergeant), entry=item)
    run_march()
    assert flagged("hotlist_unverified", "hotlists.entry") == {}


# --- Shares ----------------------------------------------------------------------


def org(name, jurisdiction="virginia", kind="law_enforcement", ori="") -> Organisation:
    return Organisation.objects.create(
        name=name, jurisdiction=jurisdiction, kind=kind, ori=ori
    )


@pytest.fixture
def henry(db) -> Organisation:
    return org("Henry County Sheriff's Office", ori="VA0440000")


def request_(recipient, requester, decider, *, ground=1, decided_at=None, **extra):
    pending = extra.get("status") == SharingRequest.Status.PENDING
    values = {
        "basis": "purpose",
        "purpose": "A",
        "case_number": "26-004512",
        "justification": "Suspect vehicle in a joint robbery investigation",
        "requested_by": requester,
        "requested_at": MID_MARCH - timedelta(hours=2),
        "status": SharingRequest.Status.APPROVED,
        "decided_by": decider,
        "decided_at": None
        if pending
        else (decided_at or MID_MARCH - timedelta(hours=1)),
    }
    values.update(extra)
    return SharingRequest.objects.create(recipient=recipient, ground=ground, **values)


def acknowledge(req, officer, at):
    return Acknowledgment.objects.create(
        request=req,
        signed_by="Sgt. Example",
        signed_on=at.date(),
        statement="We will follow §9 with this data.",
        recorded_by=officer,
        recorded_at=at,
    )


def send(recipient, officer, at, *, req=None, ground=1) -> Dissemination:
    return Dissemination.objects.create(
        request=req,
        recipient=recipient,
        ground=ground,
        method=Dissemination.Method.ELECTRONIC,
        received_by="Sgt. Example",
        sent_by=officer,
        sent_at=at,
        contents={"reads": 1},
        sha256="0" * 64,
        size_bytes=10,
    )


def test_it_passes_a_share_with_approval_and_acknowledgment(alice, carol, henry):
    req = request_(henry, alice, carol, decided_at=MID_MARCH)
    acknowledge(req, alice, MID_MARCH)
    send(henry, alice, MID_MARCH, req=req)  # sent the very second it was approved
    vendor = org("Flock Safety", kind="vendor")
    send(vendor, carol, MID_MARCH, ground=5)  # maintenance access needs no request
    run_march()
    assert not Finding.objects.filter(rule="share_without_ground").exists()


def test_it_flags_a_dissemination_sent_before_approval_or_acknowledgment(
    alice, carol, henry
):
    early = request_(henry, alice, carol, decided_at=MID_MARCH + SECOND)
    acknowledge(early, alice, MID_MARCH)
    sent_early = send(henry, alice, MID_MARCH, req=early)
    unacked = request_(henry, alice, carol, decided_at=MID_MARCH)
    acknowledge(unacked, alice, MID_MARCH + SECOND)
    sent_unacked = send(henry, alice, MID_MARCH, req=unacked)
    pending = request_(henry, alice, None, status=SharingRequest.Status.PENDING)
    acknowledge(pending, alice, MID_MARCH)
    sent_pending = send(henry, alice, MID_MARCH, req=pending)
    bare = send(henry, alice, MID_MARCH)
    run_march()
    found = flagged("share_without_ground", "sharing.dissemination")
    assert set(found) == {sent_early.pk, sent_unacked.pk, sent_pending.pk, bare.pk}
    assert "sent before request" in found[sent_early.pk].detail
    assert "acknowledgment" in found[sent_unacked.pk].detail
    assert "never approved" in found[sent_pending.pk].detail
    assert "no sharing request" in found[bare.pk].detail
    assert found[bare.pk].officer_id == alice.pk
    assert found[bare.pk].severity == "high"


def test_it_flags_shares_to_recipients_the_statute_bars(alice, carol, henry):
    ice = org("U.S. Immigration and Customs Enforcement", "federal", ori="DCICE0000")
    nc = org("Greensboro Police Department", "other_state", ori="NC0410200")
    broker = org("Plate Data Brokers LLC", kind="commercial")
    to_ice = send(ice, alice, MID_MARCH, req=request_(ice, alice, carol))
    nc_request = request_(nc, alice, carol)
    acknowledge(nc_request, alice, MID_MARCH - timedelta(hours=1))
    to_nc = send(nc, alice, MID_MARCH, req=nc_request)
    # An approved request to a broker that never left is still a finding.
    broker_request = request_(broker, alice, carol, ground=4, basis="court_order")
    run_march()
    sent = flagged("share_without_ground", "sharing.dissemination")
    assert set(sent) == {to_ice.pk, to_nc.pk}
    assert "§9.B.2 bars" in sent[to_ice.pk].detail
    assert "other_state" in sent[to_nc.pk].detail
    approved = flagged("share_without_ground", "sharing.request")
    assert set(approved) == {broker_request.pk}
    assert approved[broker_request.pk].officer_id == carol.pk


def test_it_flags_a_request_approved_by_someone_who_may_not(alice, bob, henry):
    req = request_(henry, alice, bob)
    run_march()
    found = flagged("share_without_ground", "sharing.request")
    assert set(found) == {req.pk}
    assert "who may not approve" in found[req.pk].detail


def test_it_judges_the_approver_by_the_role_held_when_approving(
    alice, bob, carol, henry
):
    # Carol approved as Captain and has since moved to patrol; Bob approved as
    # an officer and has since been made Captain. The approvals' own records tell.
    by_carol = request_(henry, alice, carol)
    by_bob = request_(henry, alice, bob)
    for req, approver in ((by_carol, carol), (by_bob, bob)):
        record(EventType.SHARE_APPROVED, actor=Actor.for_officer(approver), target=req)
    carol.role, bob.role = Role.OFFICER, Role.CAPTAIN
    carol.save(update_fields=["role"])
    bob.save(update_fields=["role"])
    run_march()
    found = flagged("share_without_ground", "sharing.request")
    assert set(found) == {by_bob.pk}
    assert "bob" in found[by_bob.pk].detail


def grant(organisation, captain, granted_at, **extra) -> NetworkAccessGrant:
    values = {
        "expires_at": granted_at + timedelta(days=300),
        "justification": "Regional robbery task force",
        "reviewed_at": granted_at,
        "reviewed_by": captain,
    }
    values.update(extra)
    return NetworkAccessGrant.objects.create(
        organisation=organisation, granted_by=captain, granted_at=granted_at, **values
    )


@pytest.mark.parametrize(
    ("run_at", "overdue"),
    [(-SECOND, False), (timedelta(0), False), (SECOND, True)],
    ids=["a-second-before", "exactly-due", "a-second-after"],
)
def test_it_flags_a_network_grant_past_its_monthly_review(
    settings, carol, henry, run_at, overdue
):
    review = timedelta(days=settings.FLOCKGOV_NETWORK_GRANT_REVIEW_DAYS)
    reviewed = MID_MARCH - review
    item = grant(henry, carol, reviewed - timedelta(days=40), reviewed_at=reviewed)
    run_march(now=MID_MARCH + run_at)
    found = flagged("share_without_ground", "sharing.grant")
    assert set(found) == ({item.pk} if overdue else set())
    if overdue:
        assert found[item.pk].subject_at == MID_MARCH
        assert found[item.pk].officer_id == carol.pk
        assert "after its last review" in found[item.pk].detail


def test_it_flags_network_access_for_a_non_virginia_agency(carol):
    nc = org("Greensboro Police Department", "other_state", ori="NC0410200")
    item = grant(nc, carol, MID_MARCH)
    revoked = grant(
        org("Some federal task force", "federal"),
        carol,
        MID_MARCH - timedelta(days=60),
        revoked_at=datetime(2026, 3, 1, 5, tzinfo=UTC),  # the month's first instant
    )
    run_march()
    found = flagged("share_without_ground", "sharing.grant")
    assert set(found) == {item.pk}
    assert revoked.pk not in found
    assert "not a classified Virginia law-enforcement agency" in found[item.pk].detail


def test_it_flags_an_entry_long_expired_that_alerts_in_the_month(alice, custom, camera):
    january = datetime(2026, 1, 10, 12, tzinfo=UTC)
    stale = entry(custom, alice, january)
    alert(stale, camera, MID_MARCH)
    run_march()
    found = flagged("hotlist_unverified", "hotlists.entry")
    assert set(found) == {stale.pk}
    assert found[stale.pk].subject_at == MID_MARCH
    assert found[stale.pk].severity == "high"
