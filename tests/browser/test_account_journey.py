"""Accounts in the browser: first-login enrolment, the Captain activating a
trained officer, and an account's whole life from creation to restoration."""

import base64
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP

from accounts import services
from accounts.models import AccountStatus, Officer, SealedTOTPDevice
from accounts.roles import Role
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, current_code, make_account

PDF = b"%PDF-1.4\n% certificate scan\n"
NEW_PASSWORD = "gina has a long new passphrase"


def _code_from_secret(text: str) -> str:
    raw = text.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{TOTP(key).token():06d}"


def _wait_for_next_step() -> None:
    """A code is accepted once: a second sign-in needs the next 30 s step."""
    time.sleep(30 - time.time() % 30 + 1)


@pytest.fixture
def new_page(chromium, live_server):
    """More people at their own browsers; every context closed afterwards."""
    contexts = []

    def make():
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_it_enrols_an_authenticator_at_first_sign_in(page, alice):
    SealedTOTPDevice.objects.filter(user=alice).delete()
    # As a new account: the password is one an administrator issued.
    Officer.objects.filter(pk=alice.pk).update(
        must_change_password=True, password_changed_at=timezone.now()
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.check("#id_acknowledge")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/enrol/**")
    assert page.locator("main .qr svg").count() == 1
    page.fill("#id_token", _code_from_secret(page.inner_text("#totp-secret")))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/password/**")
    assert SealedTOTPDevice.objects.get(user=alice).confirmed
    assert AuditEvent.objects.filter(event_type=EventType.MFA_ENROLLED).count() == 1


def test_it_lets_the_captain_activate_a_trained_officer(page, carol, dave):
    frank = make_account("frank", Role.OFFICER, badge_number="1003")
    frank.certificates.all().delete()
    Officer.objects.filter(pk=frank.pk).update(
        status=AccountStatus.PENDING, is_active=False
    )
    services.record_certificate(
        actor=Actor.for_officer(dave),
        officer=frank,
        course="ALPR system and department policy",
        completed_on=timezone.localdate() - timedelta(days=2),
        issuer_reference="LMS-FRANK",
    )
    sign_in(page, carol)
    page.wait_for_url("**/search/")
    page.goto("/accounts/manage/")
    page.click("#accounts >> text=frank")
    page.fill("#action-activate textarea[name=reason]", "Completed training")
    page.click("#action-activate button[type=submit]")
    page.wait_for_selector("text=Done: activate.")
    assert page.inner_text("#account-status") == "Active"
    frank.refresh_from_db()
    assert frank.is_active
    assert frank.activated_by == carol


def test_it_takes_an_account_from_creation_to_restoration(
    page, new_page, dave, carol, erin
):
    olga = make_account("olga", Role.ADMIN)
    # 1. An administrator creates the account; it cannot sign in yet.
    sign_in(page, dave)
    page.wait_for_url("**/audit/")
    page.goto("/accounts/manage/new/")
    page.fill("#id_username", "gina")
    page.fill("#id_first_name", "Gina")
    page.fill("#id_last_name", "Example")
    page.select_option("#id_role", Role.OFFICER)
    page.fill("#id_badge_number", "1010")
    page.fill("#id_password", "initial passphrase for gina")
    page.click("main #new-account button[type=submit]")
    page.wait_for_selector("text=Account gina created.")
    assert page.inner_text("#account-status") == "Awaiting activation"
    gina = Officer.objects.get(username="gina")
    # 2. The administrator records her training and prepares the activation.
    completed = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.fill("#action-certificate input[name=completed_on]", completed)
    page.fill("#action-certificate input[name=issuer_reference]", "LMS-GINA-1")
    page.set_input_files(
        "#action-certificate input[name=file]",
        {"name": "cert.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.click("#action-certificate button[type=submit]")
    page.wait_for_selector("#certificates >> text=LMS-GINA-1")
    page.click("#action-prepare button[type=submit]")
    page.wait_for_selector("text=Activation prepared by dave")
    # 3. The Captain activates her.
    captain = new_page()
    sign_in(captain, carol)
    captain.wait_for_url("**/search/")
    captain.goto(f"/accounts/manage/{gina.pk}/")
    captain.click("#action-activate button[type=submit]")
    captain.wait_for_selector("text=Done: activate.")
    assert captain.inner_text("#account-status") == "Active"
    # 4. Gina signs in: enrols her authenticator, replaces the initial password.
    officer = new_page()
    officer.goto("/accounts/login/")
    officer.fill("#id_username", "gina")
    officer.fill("#id_password", "initial passphrase for gina")
    officer.check("#id_acknowledge")
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/accounts/enrol/**")
    officer.fill("#id_token", _code_from_secret(officer.inner_text("#totp-secret")))
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/accounts/password/**")
    officer.fill("#id_old_password", "initial passphrase for gina")
    officer.fill("#id_new_password1", NEW_PASSWORD)
    officer.fill("#id_new_password2", NEW_PASSWORD)
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/search/")
    # 5. Another administrator suspends her for a violation; her session ends.
    admin = new_page()
    sign_in(admin, olga)
    admin.wait_for_url("**/audit/")
    admin.goto(f"/accounts/manage/{gina.pk}/")
    admin.fill("#action-suspend input[name=reference]", "Finding 2026-12/3")
    admin.click("#action-suspend button[type=submit]")
    admin.wait_for_selector("text=Done: suspend.")
    assert admin.inner_text("#account-status") == "Suspended"
    officer.goto("/searches/mine/")
    officer.wait_for_url("**/accounts/login/**")
    assert "suspended for a policy violation" in officer.inner_text("#session-ended")
    # 6. The Chief restores her, recording the review decision.
    chief = new_page()
    sign_in(chief, erin)
    chief.wait_for_url("**/audit/")
    chief.goto(f"/accounts/manage/{gina.pk}/")
    assert chief.locator("#action-activate").count() == 0
    chief.fill(
        "#action-restore textarea[name=decision]",
        "Reviewed the finding with the Captain: counselled; access restored.",
    )
    chief.click("#action-restore button[type=submit]")
    chief.wait_for_selector("text=Done: restore.")
    assert chief.inner_text("#account-status") == "Active"
    # 7. She signs in again with her own password and a fresh code.
    _wait_for_next_step()
    officer.fill("#id_username", "gina")
    officer.fill("#id_password", NEW_PASSWORD)
    officer.check("#id_acknowledge")
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/accounts/verify/**")
    officer.fill("#id_token", current_code(gina))
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/search/")
    steps = list(
        AuditEvent.objects.filter(object_id=str(gina.pk), outcome=Outcome.SUCCESS)
        .order_by("seq")
        .values_list("event_type", "actor_label")
    )
    for expected in [
        (EventType.ACCOUNT_CREATED, "dave"),
        (EventType.TRAINING_RECORDED, "dave"),
        (EventType.ACCOUNT_ACTIVATION_PREPARED, "dave"),
        (EventType.ACCOUNT_ACTIVATED, "carol"),
        (EventType.MFA_ENROLLED, "gina"),
        (EventType.PASSWORD_CHANGED, "gina"),
        (EventType.ACCOUNT_SUSPENDED, "olga"),
        (EventType.ACCOUNT_RESTORED, "erin"),
    ]:
        assert expected in steps, expected
