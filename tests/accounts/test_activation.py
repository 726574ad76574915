"""Created (administrator) → trained → active (Captain) → suspended → restored
(Chief), with every refusal audited and nothing changed by it."""

from datetime import date

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client

from accounts import services
from accounts.models import AccountStatus, Officer, SuspensionKind
from accounts.roles import Role
from audits.events import EventType, Outcome
from audits.signals import violation_confirmed
from tests.accounts.conftest import actor_of, events, signed_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NOW = "2026-12-04 15:00Z"


def _train(dave, officer, reference="LMS-1"):
    return services.record_certificate(
        actor=actor_of(dave),
        officer=officer,
        course="ALPR system and department policy",
        completed_on=date(2026, 12, 1),
        issuer_reference=reference,
    )


@time_machine.travel(NOW, tick=False)
def test_it_creates_accounts_pending_and_refuses_a_duplicate_badge(dave):
    new = services.NewAccount(
        username="gina", role=Role.OFFICER, first_name="Gina", badge_number="1001"
    )
    officer = services.create_account(
        actor=actor_of(dave), account=new, password="a long enough passphrase 1"
    )
    assert officer.status == AccountStatus.PENDING
    assert not officer.is_active
    assert officer.must_change_password
    again = services.NewAccount(username="hank", role=Role.OFFICER, badge_number="1001")
    with pytest.raises(
        services.AccountRuleError,
        match="Badge number 1001 already belongs to another account",
    ):
        services.create_account(
            actor=actor_of(dave), account=again, password="another long passphrase"
        )
    assert not Officer.objects.filter(username="hank").exists()
    assert events(EventType.ACCOUNT_CREATED, outcome=Outcome.REFUSED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_it_refuses_short_and_common_passwords(dave):
    new = services.NewAccount(username="gina", role=Role.OFFICER)
    with pytest.raises(services.AccountRuleError, match="at least 12 characters"):
        services.create_account(actor=actor_of(dave), account=new, password="short1")
    with pytest.raises(services.AccountRuleError, match="too common"):
        services.create_account(
            actor=actor_of(dave), account=new, password="password1234"
        )
    long_password = "x" * 40 + " and a very long passphrase with spaces " + "y" * 40
    officer = services.create_account(
        actor=actor_of(dave), account=new, password=long_password
    )
    assert officer.check_password(long_password)
    assert not officer.check_password(long_password[:64])


@time_machine.travel(NOW, tick=False)
def test_it_refuses_activation_without_training_and_changes_nothing(carol, frank):
    with pytest.raises(
        services.AccountRuleError, match="no current training certificate"
    ):
        services.activate(actor=actor_of(carol), officer=frank)
    frank.refresh_from_db()
    assert frank.status == AccountStatus.PENDING
    assert not frank.is_active
    refused = events(EventType.ACCOUNT_ACTIVATED, outcome=Outcome.REFUSED).get()
    assert refused.object_id == str(frank.pk)
    assert refused.actor == carol


@time_machine.travel(NOW, tick=False)
def test_it_lets_only_the_captain_activate_and_never_oneself(dave, carol, erin, frank):
    _train(dave, frank)
    for who in (dave, erin):
        with pytest.raises(services.AccountRuleError, match="Only the Captain"):
            services.activate(actor=actor_of(who), officer=frank)
    carol.status, carol.is_active = AccountStatus.DISABLED, False
    carol.save()
    with pytest.raises(services.AccountRuleError, match="own account"):
        services.activate(actor=actor_of(carol), officer=carol)


@time_machine.travel(NOW, tick=False)
def test_it_walks_the_whole_life_of_an_account(dave, carol, erin, frank):
    _train(dave, frank)
    services.prepare_activation(actor=actor_of(dave), officer=frank)
    services.activate(actor=actor_of(carol), officer=frank, reason="new hire")
    frank.refresh_from_db()
    assert (frank.status, frank.is_active, frank.activated_by) == (
        AccountStatus.ACTIVE,
        True,
        carol,
    )
    services.suspend_for_violation(
        actor=actor_of(carol), officer=frank, reference="Finding 2026-11/4"
    )
    frank.refresh_from_db()
    assert frank.status == AccountStatus.SUSPENDED
    assert frank.suspension_kind == SuspensionKind.VIOLATION
    assert frank.status_reference == "Finding 2026-11/4"
    # The Captain cannot undo a violation suspension; only the Chief can.
    with pytest.raises(services.AccountRuleError, match="only the Chief"):
        services.activate(actor=actor_of(carol), officer=frank)
    with pytest.raises(services.AccountRuleError, match="Only the Chief"):
        services.restore(actor=actor_of(carol), officer=frank, decision="ok")
    with pytest.raises(services.AccountRuleError, match="Record the review decision"):
        services.restore(actor=actor_of(erin), officer=frank, decision="  ")
    services.restore(
        actor=actor_of(erin),
        officer=frank,
        decision="Reviewed: counselled, retrained; access restored.",
    )
    frank.refresh_from_db()
    assert frank.status == AccountStatus.ACTIVE
    restored = events(EventType.ACCOUNT_RESTORED, outcome=Outcome.SUCCESS).get()
    assert restored.data["decision"].startswith("Reviewed")
    assert restored.actor == erin
    services.deactivate(actor=actor_of(carol), officer=frank, reason="left the force")
    frank.refresh_from_db()
    assert frank.status == AccountStatus.DEACTIVATED


@time_machine.travel(NOW, tick=False)
def test_it_suspends_on_a_confirmed_violation(carol, alice):
    with transaction.atomic():
        violation_confirmed.send(
            sender=None,
            finding=None,
            officer=alice,
            actor=actor_of(carol),
            reference="Finding 2026-11/7",
        )
    alice.refresh_from_db()
    assert alice.status == AccountStatus.SUSPENDED
    assert alice.status_reference == "Finding 2026-11/7"
    event = events(EventType.ACCOUNT_SUSPENDED).get()
    assert event.data["reference"] == "Finding 2026-11/7"
    # A second finding while suspended is recorded without undoing the first.
    violation_confirmed.send(
        sender=None,
        finding=None,
        officer=alice,
        actor=actor_of(carol),
        reference="Finding 2026-11/8",
    )
    assert events(EventType.ACCOUNT_SUSPENDED).count() == 2


@time_machine.travel(NOW, tick=False)
def test_it_ends_the_session_and_api_access_of_a_suspended_officer(carol, alice):
    client = signed_in(alice)
    assert client.get("/search/").status_code == 200
    assert client.get("/api/v1/searches/").status_code == 200
    alice.refresh_from_db()
    key = alice.live_session_key
    assert Session.objects.filter(session_key=key).exists()
    services.suspend_for_violation(
        actor=actor_of(carol), officer=alice, reference="Finding 9"
    )
    # The session no longer holds a sign-in, only why it ended.
    left = Session.objects.get(session_key=key).get_decoded()
    assert "_auth_user_id" not in left
    assert "suspended" in left["accounts.ended_message"]
    response = client.get("/api/v1/searches/")
    assert response.status_code == 403
    assert "suspended for a policy violation" in response.json()["detail"]
    refused = events(EventType.SESSION_ENDED, outcome=Outcome.REFUSED).get()
    assert refused.object_id == str(alice.pk)
    assert refused.data["path"] == "/api/v1/searches/"
    ended = events(EventType.SESSION_ENDED, outcome=Outcome.SUCCESS).get()
    assert ended.data["reason"] == "account suspended"
    response = client.get("/search/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # Signing in again is refused with the reason, and audited.
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
    )
    assert response.status_code == 200
    assert "suspended for a policy violation" in response.content.decode()
    refused = events(EventType.LOGIN_FAILED, outcome=Outcome.REFUSED).last()
    assert refused.data["reason"] == "status suspended"


@time_machine.travel(NOW, tick=False)
def test_it_disables_at_once_and_forces_a_password_change(dave, carol, alice):
    services.emergency_disable(
        actor=actor_of(dave),
        officer=alice,
        reason="credentials found on a paste site",
        password_compromised=True,
    )
    alice.refresh_from_db()
    assert alice.status == AccountStatus.DISABLED
    assert alice.must_change_password
    services.activate(actor=actor_of(carol), officer=alice)
    client = signed_in(alice)
    response = client.get("/search/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase for alice",
            "new_password2": "a brand new passphrase for alice",
        },
    )
    assert response.status_code == 302
    assert client.get("/search/").status_code == 200
    assert events(EventType.PASSWORD_CHANGED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_it_resets_a_password_without_signing_anyone_in(dave, alice):
    client = signed_in(dave)
    response = client.post(f"/accounts/manage/{alice.pk}/reset-password/")
    assert response.status_code == 200
    temporary = response.context["temporary_password"]
    alice.refresh_from_db()
    assert alice.must_change_password
    browser = Client()
    response = browser.post(
        "/accounts/login/",
        {"username": "alice", "password": temporary, "acknowledge": "on"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/")
    # Password alone reaches nothing: the second factor is still required.
    assert browser.get("/search/")["Location"].startswith("/accounts/verify/")


@time_machine.travel(NOW, tick=False)
def test_it_requires_retraining_after_an_incident(dave, carol, alice):
    services.require_retraining(
        actor=actor_of(carol), officer=alice, incident="INC-2026-12"
    )
    alice.refresh_from_db()
    assert alice.retraining_due_by == date(2027, 1, 3)
    services.record_certificate(
        actor=actor_of(dave),
        officer=alice,
        course="ALPR refresher",
        completed_on=date(2026, 12, 4),
        issuer_reference="LMS-R1",
    )
    alice.refresh_from_db()
    assert alice.retraining_due_by is None


@time_machine.travel(NOW, tick=False)
def test_it_provisions_a_trained_active_account(dave):
    officer = services.provision_trained_account(
        actor=actor_of(dave), username="ivan", role=Role.OFFICER, password="x" * 14
    )
    assert officer.status == AccountStatus.ACTIVE
    assert officer.current_certificate() is not None
    assert events(EventType.ACCOUNT_ACTIVATED).get().data["provisioned"] is True


@time_machine.travel(NOW, tick=False)
def test_it_tells_a_suspended_officers_old_session_why_it_ended(carol, alice):
    client = signed_in(alice)
    services.suspend_for_violation(
        actor=actor_of(carol), officer=alice, reference="Finding 9"
    )
    response = client.get("/search/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/"
    assert "suspended for a policy violation" in response.content.decode()
    ended = events(EventType.SESSION_ENDED, outcome=Outcome.SUCCESS).get()
    assert ended.data["reason"] == "account suspended"
    assert events(EventType.SESSION_ENDED, outcome=Outcome.REFUSED).count() == 1
    # Said once: the next visit to the sign-in page is plain.
    assert b"session-ended" not in client.get("/accounts/login/").content


@time_machine.travel(NOW, tick=False)
def test_it_prompts_a_yearly_password_change(alice):
    from datetime import timedelta

    from django.utils import timezone

    type(alice).objects.filter(pk=alice.pk).update(
        password_changed_at=timezone.now() - timedelta(days=365) + timedelta(seconds=1)
    )
    client = signed_in(alice)
    assert client.get("/search/").status_code == 200
    type(alice).objects.filter(pk=alice.pk).update(
        password_changed_at=timezone.now() - timedelta(days=365)
    )
    response = client.get("/search/")
    assert response["Location"].startswith("/accounts/password/")
    page = client.get(response["Location"])
    assert "Your password is a year old" in page.content.decode()


def test_it_asks_for_a_fresh_code_before_account_changes(dave, carol, frank):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = signed_in(carol)
        traveller.shift(15 * 60)
        response = client.post(f"/accounts/manage/{frank.pk}/activate/", {})
        assert response["Location"].startswith("/accounts/step-up/")
        frank.refresh_from_db()
        assert frank.status == AccountStatus.PENDING
