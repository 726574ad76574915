"""Passkeys through django-otp-webauthn, against Chromium's virtual authenticator
(the DevTools WebAuthn domain): registered from the account page, then used in
place of the authenticator code after the password."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from audits.events import EventType
from audits.models import AuditEvent
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


@pytest.fixture
def authenticator(page, live_server, settings):
    # The origin of the live server (its port changes from run to run).
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_it_registers_a_passkey_and_signs_in_with_it(page, authenticator, alice):
    sign_in(page, alice)
    page.wait_for_url("**/search/")
    page.goto("/accounts/me/")
    page.click("#passkey-register-button")
    page.wait_for_function(
        "document.getElementById('passkey-register-status-message')"
        ".getAttribute('data-status-enum') === 'success'"
    )
    assert WebAuthnCredential.objects.filter(user=alice, confirmed=True).count() == 1
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.check("#id_acknowledge")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/verify/**")
    page.click("#passkey-verification-button")
    page.wait_for_url("**/search/")
    verified = AuditEvent.objects.filter(
        event_type=EventType.MFA_VERIFIED, data__device_type="passkey"
    )
    assert verified.count() == 1
    alice.refresh_from_db()
    assert alice.live_session_key
    assert page.goto("/searches/mine/").status == 200
