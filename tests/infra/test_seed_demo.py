"""The demo data: refused outside development, complete, inside retention,
idempotent, audited, and its accounts sign in with the published keys."""

import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Officer, SealedTOTPDevice
from accounts.roles import Role
from audits.events import EventType
from audits.models import AuditEvent, AuditPeriod
from flockgov import alarms
from hotlists.models import Alert, HotList, HotListEntry
from queries import demo
from queries.models import Camera, PlateRead, Search, read_cutoff
from sharing.models import Organisation

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # days after the DST change
# A twentieth of the traffic keeps these tests quick; the full volume is checked
# without the database below.
SCALE = "0.05"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    with time_machine.travel(NOW, tick=False):
        output = run("seed_demo", "--scale", SCALE)
    return output


def test_it_refuses_to_seed_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        run("seed_demo")
    assert refused.value.returncode == 2
    assert "DEBUG is off" in str(refused.value)
    assert not Officer.objects.exists()
    assert not PlateRead.objects.exists()


def test_it_creates_every_demo_account_with_its_role_and_key(seeded):
    for spec in demo.DEMO_ACCOUNTS:
        officer = Officer.objects.get(username=spec.username)
        assert officer.role == spec.role
        assert officer.check_password(spec.password)
        assert len(spec.password) >= 12
        device = SealedTOTPDevice.objects.get(user=officer, confirmed=True)
        assert device.bin_key == bytes.fromhex(spec.totp_key_hex)
        # Sealed like any other seed: the database holds no plain copy.
        assert spec.totp_key_hex not in device.sealed_key
        assert spec.totp_key_base32 in seeded
        assert officer.is_active
        assert officer.current_certificate() is not None
        assert officer.is_staff == (spec.role == Role.ADMIN)
    officer = Officer.objects.get(username="officer")
    assert officer.supervisor.username == "supervisor"
    assert Officer.objects.get(username="admin").is_staff


def test_it_creates_cameras_of_each_kind(seeded):
    kinds = set(Camera.objects.values_list("kind", flat=True))
    assert kinds == {Camera.Kind.FIXED, Camera.Kind.VEHICLE, Camera.Kind.TEMPORARY}
    assert Camera.objects.count() == len(demo.DEMO_CAMERAS) == 20


def test_it_makes_a_few_tens_of_thousands_of_reads_at_full_scale():
    cameras = [
        (spec, Camera(pk=n, device_id=spec.device_id, kind=spec.kind))
        for n, spec in enumerate(demo.DEMO_CAMERAS, start=1)
    ]
    reads = demo.generate_reads(cameras, start=NOW - timedelta(days=21), end=NOW)
    assert 20_000 <= len(reads) <= 60_000
    assert {read.camera_id for read in reads} == set(range(1, 21))
    # The listed vehicles pass a camera a few times: alerts, not a flood of them.
    listed = [demo.demo_vehicle(rank)[0] for _, rank in demo.NCIC_DEMO_RANKS]
    listed.append(demo.demo_vehicle(demo.CUSTOM_ENTRY_RANK)[0])
    passes = Counter(read.plate for read in reads if read.plate in listed)
    assert set(passes) == set(listed)
    assert all(1 <= n <= 30 for n in passes.values())


def test_it_refuses_a_scale_out_of_bounds(db, settings):
    settings.DEBUG = True
    for scale in ("0", "-1", "21"):
        with pytest.raises(CommandError, match="--scale must be"):
            run("seed_demo", "--scale", scale)
    assert not PlateRead.objects.exists()


def test_it_stores_reads_inside_the_retention_period_only(seeded):
    reads = PlateRead.objects.all()
    assert 1_000 <= reads.count() <= 3_000
    oldest = reads.order_by("captured_at").first().captured_at
    newest = reads.order_by("-captured_at").first().captured_at
    assert oldest > read_cutoff(NOW)
    assert newest <= NOW
    assert newest - oldest > timedelta(days=20)


def test_it_makes_days_busier_than_nights(seeded):
    def reads_between(first_hour: int, last_hour: int) -> int:
        return sum(
            1
            for at in PlateRead.objects.values_list("captured_at", flat=True)
            if first_hour <= timezone.localtime(at).hour < last_hour
        )

    assert reads_between(8, 12) > 4 * reads_between(1, 5)


def test_it_mixes_virginia_and_out_of_state_plates(seeded):
    states = PlateRead.objects.values_list("state", flat=True)
    virginia = sum(1 for state in states if state == "VA")
    assert 0.75 < virginia / len(states) < 0.95
    assert {"NC", "TN"} <= set(states)


def test_it_includes_the_recurring_plates_it_prints(seeded):
    for plate, state, *_ in demo.RECURRING:
        assert PlateRead.objects.filter(plate=plate, state=state).count() >= 30
        assert plate in seeded


def test_it_adds_nothing_when_run_again_at_once(seeded, settings):
    before = PlateRead.objects.count()
    events = AuditEvent.objects.count()
    with time_machine.travel(NOW, tick=False):
        output = run("seed_demo", "--scale", SCALE)
    assert output.splitlines()[-1] == (
        "accounts_created=0 cameras_created=0 reads_added=0 ncic_entries=0 "
        "custom_entries_added=0 organisations_created=0 reads_purged=0 "
        "searches_added=0 audit_findings=0"
    )
    assert PlateRead.objects.count() == before
    # Nothing else is recorded: the purge waits for a commit, and in a test
    # transaction none comes (the test below runs it).
    assert AuditEvent.objects.count() == events


def test_it_tops_up_later_with_the_same_reads_a_single_run_would_make(
    transactional_db, settings
):
    settings.DEBUG = True
    with time_machine.travel(NOW - timedelta(hours=6), tick=False):
        run("seed_demo", "--scale", SCALE)
    with time_machine.travel(NOW, tick=False):
        last_line = run("seed_demo", "--scale", SCALE).splitlines()[-1]
    assert "reads_added=0" not in last_line
    in_parts = sorted(
        PlateRead.objects.filter(captured_at__gte=NOW - timedelta(hours=6)).values_list(
            "captured_at", "plate"
        )
    )
    cameras = [
        (spec, Camera.objects.get(device_id=spec.device_id))
        for spec in demo.DEMO_CAMERAS
    ]
    at_once = sorted(
        (read.captured_at, read.plate)
        for read in demo.generate_reads(
            cameras, start=NOW - timedelta(hours=6), end=NOW, scale=float(SCALE)
        )
    )
    assert in_parts == at_once


def test_it_audits_the_seeding(seeded):
    created = AuditEvent.objects.filter(event_type=EventType.ACCOUNT_CREATED)
    assert created.count() == len(demo.DEMO_ACCOUNTS)
    assert {event.actor_label for event in created} == {"system:seed_demo"}
    # Each account was trained, activated and given the published key, audited.
    for event_type in (
        EventType.TRAINING_RECORDED,
        EventType.ACCOUNT_ACTIVATED,
        EventType.MFA_ENROLLED,
    ):
        events = AuditEvent.objects.filter(event_type=event_type)
        assert events.count() == len(demo.DEMO_ACCOUNTS), event_type
        assert all(event.data["provisioned"] for event in events)
    imported = AuditEvent.objects.get(event_type=EventType.READS_IMPORTED)
    assert imported.data["imported"] == PlateRead.objects.count()
    assert imported.data["source"] == demo.DEMO_SOURCE


def test_it_lets_a_demo_account_sign_in_with_the_printed_code(seeded, settings):
    client = Client()
    spec = demo.DEMO_BY_USERNAME["officer"]
    response = client.post(
        "/accounts/login/",
        {"username": "officer", "password": spec.password, "acknowledge": "on"},
    )
    assert response.status_code == 302
    code = run("demo_code", "officer").split()[0].removeprefix("code=")
    response = client.post("/accounts/verify/", {"token": code})
    assert response.status_code == 302
    assert client.get("/search/").status_code == 200


def test_it_lets_the_demo_administrator_use_the_django_admin(seeded, settings):
    client = Client()
    spec = demo.DEMO_BY_USERNAME["admin"]
    client.post(
        "/accounts/login/",
        {"username": "admin", "password": spec.password, "acknowledge": "on"},
    )
    code = run("demo_code", "admin").split()[0].removeprefix("code=")
    assert client.post("/accounts/verify/", {"token": code}).status_code == 302
    assert client.get("/admin/accounts/officer/").status_code == 200


def test_it_prints_the_code_and_how_long_it_lasts(seeded, settings):
    with time_machine.travel(NOW + timedelta(seconds=12), tick=False):
        line = run("demo_code", "captain").strip()
        expected = demo.current_code(demo.DEMO_BY_USERNAME["captain"])
    assert line == f"code={expected[0]} username=captain seconds_left=18"


def test_it_refuses_codes_for_accounts_that_are_not_demo_ones(seeded, settings):
    with pytest.raises(CommandError) as refused:
        run("demo_code", "someone")
    assert refused.value.returncode == 2
    assert "not a demo account" in str(refused.value)


def test_it_refuses_codes_once_the_demo_key_is_replaced(seeded, settings):
    SealedTOTPDevice.objects.filter(user__username="chief").delete()
    with pytest.raises(CommandError, match="no confirmed device with the demo key"):
        run("demo_code", "chief")


def test_it_refuses_codes_without_debug(seeded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run("demo_code", "officer")


def test_it_imports_the_synthetic_ncic_extract_through_the_importer(seeded):
    ncic = HotList.objects.get(source=HotList.Source.NCIC)
    assert ncic.name == "NCIC - VSP"
    assert ncic.last_import_at == NOW
    loaded = ncic.entries.filter(removed_at__isnull=True)
    # Three §3.C records and the two excluded codes (K, X) left out.
    assert loaded.count() == len(demo.NCIC_DEMO_RANKS) + 3
    imported = AuditEvent.objects.get(event_type=EventType.HOTLIST_IMPORTED)
    assert imported.data["excluded"] == {"K": 1, "X": 1}
    assert not any(a["name"] == alarms.NCIC_STALE for a in alarms.active_alarms())


def test_it_raises_an_alert_for_every_read_of_a_listed_plate(seeded):
    listed = HotListEntry.objects.values_list("plate", flat=True)
    hits = PlateRead.objects.filter(plate__in=list(listed))
    assert Alert.objects.count() == hits.count()
    assert set(Alert.objects.values_list("read_id", flat=True)) == set(
        hits.values_list("id", flat=True)
    )


def test_it_leaves_one_live_alert_waiting_for_an_officer(seeded):
    # Three weeks stored at once raise only alerts from old reads, which never
    # page: a fresh demo needs one vehicle seen minutes ago.
    waiting = Alert.objects.open().live()
    assert waiting.count() == 1
    plate, state, *_ = demo.demo_vehicle(demo.NCIC_DEMO_RANKS[0][1])
    alert = waiting.get()
    assert (alert.read_plate, alert.read_state) == (plate, state)
    assert alert.read_captured_at == NOW - timedelta(minutes=2)


def test_it_keeps_a_custom_list_with_an_entry_by_the_demo_officer(seeded):
    entry = HotListEntry.objects.get(hotlist__name=demo.CUSTOM_LIST_NAME)
    assert entry.entered_by.username == "officer"
    assert entry.entered_at == NOW
    assert entry.plate == demo.demo_vehicle(demo.CUSTOM_ENTRY_RANK)[0]
    # Custom entries last a day at most: a run two days later lists it again.
    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        output = run("seed_demo", "--scale", SCALE)
    assert "custom_entries_added=1" in output
    assert HotListEntry.objects.filter(
        hotlist__name=demo.CUSTOM_LIST_NAME, expires_at__gt=later
    ).exists()


def test_it_registers_lawful_and_refused_organisations(seeded):
    kinds = {
        (o.jurisdiction, o.kind)
        for o in Organisation.objects.filter(notes__contains="Demo")
    }
    assert Organisation.objects.count() == len(demo.DEMO_ORGANISATIONS)
    assert ("virginia", "law_enforcement") in kinds
    assert ("virginia", "prosecutor") in kinds
    assert ("virginia", "court") in kinds
    assert ("federal", "law_enforcement") in kinds
    assert ("other_state", "law_enforcement") in kinds
    registered = AuditEvent.objects.filter(event_type=EventType.ORGANISATION_REGISTERED)
    assert {event.actor_label for event in registered} == {"captain"}


@pytest.mark.django_db(transaction=True)
def test_it_purges_and_audits_last_month_so_the_health_page_is_quiet(settings):
    # Committed as the command commits, so the purge runs and is audited.
    settings.DEBUG = True
    with time_machine.travel(NOW, tick=False):
        output = run("seed_demo", "--scale", "0.01")
    assert "reads_purged=0 searches_added=" in output
    assert AuditEvent.objects.filter(event_type=EventType.READS_PURGED).exists()
    period = AuditPeriod.objects.get(kind=AuditPeriod.Kind.MONTH)
    assert period.start.isoformat() == "2026-02-01"
    assert alarms.active_alarms() == []


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_captain_last_months_searches_to_audit(settings):
    settings.DEBUG = True
    with time_machine.travel(NOW, tick=False):
        output = run("seed_demo", "--scale", "0.01")
        again = run("seed_demo", "--scale", "0.01")
    february = Search.objects.filter(
        created_at__gte=datetime(2026, 2, 1, 5, tzinfo=UTC),
        created_at__lt=datetime(2026, 3, 1, 5, tzinfo=UTC),
    )
    assert Search.objects.count() == february.count() >= 3 * 35
    assert set(february.values_list("officer__username", flat=True)) == set(
        demo.DEMO_SEARCHERS
    )
    assert f"searches_added={february.count()}" in output
    assert "searches_added=0" in again
    seeded = AuditEvent.objects.get(event_type=EventType.DEMO_SEARCHES_SEEDED)
    assert seeded.data == {"month": "2026-02", "searches": february.count()}
    # The month's audit ran over them and found the poor reasons and night work.
    period = AuditPeriod.objects.get(kind=AuditPeriod.Kind.MONTH)
    assert period.figures["searches"] == february.count()
    found = period.figures["rules"]
    assert found["vague_reason"] > 0
    assert found["case_number"] > 0
    assert found["off_shift"] > 0
    assert f"audit_findings={sum(found.values())}" in output
