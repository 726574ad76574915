"""Defects the hardening review found in accounts: staff status follows the role,
no admin page shows a second factor's secret, a first enrolment needs an
administrator-issued password inside its window, and each account act is its
own event with its field history linked."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import Officer, SealedTOTPDevice
from accounts.roles import Role
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from tests.accounts.conftest import actor_of, events, password_only, signed_in
from tests.conftest import PASSWORD

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


# --- 1. staff status follows the role ------------------------------------------


def test_it_makes_a_new_administrator_staff_and_audits_it(dave):
    created = services.create_account(
        actor=actor_of(dave),
        account=services.NewAccount(username="olga", role=Role.ADMIN),
        password="a long initial passphrase",
    )
    officer = services.create_account(
        actor=actor_of(dave),
        account=services.NewAccount(username="gina", role=Role.OFFICER),
        password="a long initial passphrase",
    )
    assert (created.is_staff, created.is_superuser) == (True, True)
    assert (officer.is_staff, officer.is_superuser) == (False, False)
    recorded = events(EventType.ACCOUNT_CREATED)
    assert [event.data["staff"] for event in recorded] == [True, False]


def test_it_bootstraps_the_first_superuser_as_an_administrator(db):
    first = Officer.objects.create_superuser("root", password=PASSWORD)
    assert (first.role, first.is_staff, first.is_superuser) == (Role.ADMIN, True, True)


def test_it_keeps_staff_status_in_step_when_the_role_changes(dave, alice):
    services.change_role(actor=actor_of(dave), officer=alice, role=Role.ADMIN)
    alice.refresh_from_db()
    assert (alice.role, alice.is_staff, alice.is_superuser) == (Role.ADMIN, True, True)
    services.change_role(actor=actor_of(dave), officer=alice, role=Role.RECORDS)
    alice.refresh_from_db()
    assert (alice.role, alice.is_staff, alice.is_superuser) == (
        Role.RECORDS,
        False,
        False,
    )
    changes = events(EventType.ACCOUNT_ROLE_CHANGED, outcome=Outcome.SUCCESS)
    assert [(e.data["previous_role"], e.data["staff"]) for e in changes] == [
        (Role.OFFICER, True),
        (Role.ADMIN, False),
    ]


def test_it_refuses_a_role_change_by_anyone_but_another_administrator(
    dave, carol, alice
):
    for actor, officer in ((carol, alice), (dave, dave)):
        with pytest.raises(services.AccountRuleError):
            services.change_role(
                actor=actor_of(actor), officer=officer, role=Role.ADMIN
            )
    assert not Officer.objects.filter(is_staff=True).exists()
    assert events(EventType.ACCOUNT_ROLE_CHANGED, outcome=Outcome.REFUSED).count() == 2


def _staff_administrator(dave) -> Officer:
    """An administrator made through the services (so staff), with an app."""
    olga = services.provision_trained_account(
        actor=actor_of(dave), username="olga", role=Role.ADMIN, password=PASSWORD
    )
    SealedTOTPDevice.new_for(olga, name="test", confirmed=True).save()
    assert olga.is_staff
    return olga


def test_it_keeps_role_and_staff_status_out_of_the_django_admin_form(dave, alice):
    client = signed_in(_staff_administrator(dave))
    page = client.get(f"/admin/accounts/officer/{alice.pk}/change/").content.decode()
    for field in ("role", "is_staff", "is_superuser"):
        assert f'name="{field}"' not in page, field


def test_it_offers_the_role_change_on_the_account_page_to_administrators(
    dave, carol, alice
):
    assert (
        'id="action-role"'
        in signed_in(dave).get(f"/accounts/manage/{alice.pk}/").content.decode()
    )
    assert (
        'id="action-role"'
        not in signed_in(carol).get(f"/accounts/manage/{alice.pk}/").content.decode()
    )


# --- 2. no admin page shows another person's seed or QR code ---------------------


def test_it_shows_no_seed_or_qr_code_of_a_device_in_the_admin(dave, alice):
    client = signed_in(_staff_administrator(dave))
    device = SealedTOTPDevice.objects.get(user=alice)
    seed_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    pages = [
        "/admin/",
        "/admin/accounts/sealedtotpdevice/",
        f"/admin/accounts/sealedtotpdevice/{device.pk}/change/",
        f"/admin/accounts/officer/{alice.pk}/change/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        for secret in (seed_b32, device.bin_key.hex(), device.sealed_key):
            assert secret not in body, path
        assert "otpauth://" not in body and 'class="qr"' not in body, path
    # django-otp's own device admins (with their config and QR pages) are gone.
    for path in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
        "/admin/otp_static/staticdevice/",
    ):
        assert client.get(path).status_code == 404, path


# --- 3. a first enrolment needs an administrator-issued password -----------------


def _without_device(officer: Officer, *, issued: bool) -> Officer:
    SealedTOTPDevice.objects.filter(user=officer).delete()
    Officer.objects.filter(pk=officer.pk).update(
        must_change_password=issued, password_changed_at=timezone.now()
    )
    officer.refresh_from_db()
    return officer


@time_machine.travel(NOW, tick=False)
def test_it_refuses_enrolment_to_someone_holding_only_the_officers_password(alice):
    _without_device(alice, issued=False)
    client = password_only(alice)
    response = client.get("/accounts/enrol/")
    assert response["Location"] == "/accounts/login/"
    assert not SealedTOTPDevice.objects.filter(user=alice).exists()
    refused = events(EventType.MFA_ENROLLED, outcome=Outcome.REFUSED).get()
    assert "one-time password" in refused.summary
    # The person is told what to do; the password-only session is over.
    assert "Ask an administrator for a one-time password" in (
        client.get("/accounts/login/").content.decode()
    )
    assert client.get("/accounts/enrol/")["Location"].startswith("/accounts/login/")


def test_it_lets_an_issued_password_enrol_until_its_window_closes(alice):
    with time_machine.travel(NOW, tick=False):
        _without_device(alice, issued=True)
    with time_machine.travel(NOW + timedelta(hours=71, minutes=59), tick=False):
        assert password_only(alice).get("/accounts/enrol/").status_code == 200
    with time_machine.travel(NOW + timedelta(hours=72, seconds=1), tick=False):
        response = password_only(alice).get("/accounts/enrol/")
        assert response["Location"] == "/accounts/login/"
        refused = events(EventType.MFA_ENROLLED, outcome=Outcome.REFUSED).get()
        assert "more than 72 hours old" in refused.summary


def test_it_opens_the_window_again_at_activation_or_a_password_reset(dave, alice):
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        _without_device(alice, issued=True)
    with time_machine.travel(NOW, tick=False):
        assert password_only(alice).get("/accounts/enrol/").status_code == 302
        Officer.objects.filter(pk=alice.pk).update(activated_at=timezone.now())
        assert password_only(alice).get("/accounts/enrol/").status_code == 200
    with time_machine.travel(NOW + timedelta(days=5), tick=False):
        assert password_only(alice).get("/accounts/enrol/").status_code == 302
        temporary = services.reset_password(actor=actor_of(dave), officer=alice)
        client = Client()
        client.post(
            "/accounts/login/",
            {"username": "alice", "password": temporary, "acknowledge": "on"},
        )
        assert client.get("/accounts/enrol/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_it_refuses_to_confirm_a_device_once_the_window_closed(alice):
    _without_device(alice, issued=True)
    client = password_only(alice)
    assert client.get("/accounts/enrol/").status_code == 200
    device = SealedTOTPDevice.objects.get(user=alice, confirmed=False)
    with time_machine.travel(NOW + timedelta(hours=73), tick=False):
        response = client.post("/accounts/enrol/", {"token": device.current_code()})
    assert response.status_code == 302
    assert not SealedTOTPDevice.objects.filter(user=alice, confirmed=True).exists()


# --- 4. each account act is its own event, with its field history linked ---------


def test_it_records_each_account_act_as_its_own_event_with_field_history(
    dave, carol, erin, alice
):
    acts = [
        (
            EventType.ACCOUNT_SUSPENDED,
            lambda: services.suspend_for_violation(
                actor=actor_of(carol), officer=alice, reference="F-1"
            ),
        ),
        (
            EventType.ACCOUNT_RESTORED,
            lambda: services.restore(
                actor=actor_of(erin), officer=alice, decision="counselled"
            ),
        ),
        (
            EventType.ACCOUNT_ROLE_CHANGED,
            lambda: services.change_role(
                actor=actor_of(dave), officer=alice, role=Role.SUPERVISOR
            ),
        ),
        (
            EventType.PASSWORD_RESET,
            lambda: services.reset_password(actor=actor_of(dave), officer=alice),
        ),
        (
            EventType.ACCOUNT_DEACTIVATED,
            lambda: services.deactivate(
                actor=actor_of(carol), officer=alice, reason="left"
            ),
        ),
    ]
    first = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]
    for event_type, act in acts:
        entries_before = set(LogEntry.objects.values_list("pk", flat=True))
        act()
        new_entries = set(LogEntry.objects.values_list("pk", flat=True))
        new_entries -= entries_before
        assert new_entries, event_type
        event = events(event_type, outcome=Outcome.SUCCESS).last()
        assert set(event.data["field_history"]) == new_entries, event_type
        assert event.logentry_id in new_entries
    # No act left a generic change record beside its own event.
    later = AuditEvent.objects.filter(seq__gt=first)
    assert not later.filter(
        event_type__in=[EventType.CONFIG_CHANGED, EventType.ACCOUNT_CHANGED]
    ).exists()


def test_it_links_a_new_accounts_field_history_to_its_creation(dave):
    officer = services.create_account(
        actor=actor_of(dave),
        account=services.NewAccount(username="gina", role=Role.OFFICER),
        password="a long initial passphrase",
    )
    entry = LogEntry.objects.get_for_object(officer).get()
    created = events(EventType.ACCOUNT_CREATED).get()
    assert created.logentry_id == entry.pk
    assert entry.action == LogEntry.Action.CREATE
    assert not AuditEvent.objects.filter(event_type=EventType.CONFIG_CHANGED).exists()
