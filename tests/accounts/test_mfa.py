"""Second factors: enrolment, one use per code, recovery codes, seeds at rest."""

import base64
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from accounts import crypto, services
from accounts.models import Officer, RecoveryCode, SealedTOTPDevice
from audits.events import EventType, Outcome
from tests.accounts.conftest import actor_of, events, password_only, signed_in
from tests.conftest import PASSWORD, current_code

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 15:00Z"


@time_machine.travel(NOW, tick=False)
def test_it_enrols_an_authenticator_at_first_sign_in(alice):
    SealedTOTPDevice.objects.filter(user=alice).delete()
    # As a new account: the password is one an administrator issued.
    Officer.objects.filter(pk=alice.pk).update(
        must_change_password=True, password_changed_at=timezone.now()
    )
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
    )
    assert response["Location"].startswith("/accounts/enrol/")
    page = client.get(response["Location"])
    # The QR code is an inline SVG drawn by the server, not an outside image.
    assert b"<svg" in page.content
    assert b"otpauth" not in page.content.split(b"<svg")[0]
    device = SealedTOTPDevice.objects.get(user=alice, confirmed=False)
    response = client.post("/accounts/enrol/", {"token": device.current_code()})
    assert response.status_code == 302
    assert SealedTOTPDevice.objects.get(user=alice).confirmed
    # Signed in; the issued password is replaced before anything else.
    assert client.get("/search/")["Location"].startswith("/accounts/password/")
    assert events(EventType.MFA_ENROLLED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_it_accepts_each_code_once(alice):
    code = current_code(alice)
    signed_in(alice)
    second = password_only(alice)
    response = second.post("/accounts/verify/", {"token": code})
    assert response.status_code == 200
    assert "That code was already used" in response.content.decode()
    refused = events(EventType.MFA_FAILED, outcome=Outcome.REFUSED).get()
    assert refused.data["result"] == "replayed"
    assert second.get("/search/")["Location"].startswith("/accounts/verify/")


def test_it_uses_six_digits_and_a_thirty_second_step(alice):
    device = SealedTOTPDevice.objects.get(user=alice)
    assert (device.digits, device.step) == (6, 30)
    assert len(device.bin_key) * 8 >= 112
    with time_machine.travel("2026-12-04 15:00:00Z", tick=False):
        code = device.current_code()
    # One step of tolerance: accepted 30 s later, refused 90 s later.
    with time_machine.travel("2026-12-04 15:01:30Z", tick=False):
        assert device.check_token(code).value == "wrong"
    with time_machine.travel("2026-12-04 15:00:30Z", tick=False):
        assert device.verify_token(code)


def test_it_stores_seeds_encrypted(alice):
    device = SealedTOTPDevice.objects.get(user=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sealed_key FROM accounts_sealedtotpdevice WHERE id = %s",
            [device.pk],
        )
        (stored,) = cursor.fetchone()
    assert device.bin_key.hex() not in stored
    assert device.bin_key not in stored.encode()
    assert crypto.unseal(device.key_id, stored) == device.bin_key


def test_it_rotates_the_seed_key(alice, bob):
    seed = SealedTOTPDevice.objects.get(user=alice).bin_key
    dev_key = base64.urlsafe_b64encode(crypto.key_ring().keys["dev"]).decode()
    new_key = f"new:{crypto.new_key()}"
    out = StringIO()
    with override_settings(FLOCKGOV_TOTP_KEYS=f"{new_key},dev:{dev_key}"):
        call_command("rotate_totp_key", stdout=out)
        assert out.getvalue().strip().splitlines()[-1] == (
            "rotated=2 already_current=0 unreadable=0"
        )
    assert set(SealedTOTPDevice.objects.values_list("key_id", flat=True)) == {"new"}
    with override_settings(FLOCKGOV_TOTP_KEYS=new_key):
        # The old key has left the ring; the seeds still open.
        assert SealedTOTPDevice.objects.get(user=alice).bin_key == seed
    assert events(EventType.TOTP_KEYS_ROTATED).get().data["rotated"] == 2
    with pytest.raises(crypto.SeedUnreadable):
        SealedTOTPDevice.objects.get(user=alice).bin_key  # noqa: B018


@time_machine.travel(NOW, tick=False)
def test_it_stores_recovery_codes_hashed_and_accepts_each_once(alice):
    codes = services.issue_recovery_codes(actor=actor_of(alice), officer=alice)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = list(RecoveryCode.objects.values_list("salt", "digest"))
    assert len({salt for salt, _ in stored}) == 10
    for code in codes:
        bare = code.replace("-", "")
        assert all(bare not in digest and code not in digest for _, digest in stored)
    client = password_only(alice)
    response = client.post("/accounts/verify/", {"token": codes[0].lower()})
    assert response.status_code == 302
    assert client.get("/search/").status_code == 200
    assert events(EventType.RECOVERY_CODE_USED).get().data["remaining"] == 9
    other = password_only(alice)
    response = other.post("/accounts/verify/", {"token": codes[0]})
    assert response.status_code == 200
    assert "That recovery code was already used" in response.content.decode()
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


@time_machine.travel(NOW, tick=False)
def test_it_shows_new_recovery_codes_once_after_a_step_up(alice):
    client = signed_in(alice)
    response = client.post("/accounts/me/recovery-codes/")
    assert response.status_code == 200
    shown = response.context["codes"]
    assert len(shown) == 10
    assert shown[0].encode() in response.content
    # Nothing shows them again.
    assert shown[0].encode() not in client.get("/accounts/me/").content
    with time_machine.travel("2026-12-04 15:16Z", tick=False):
        response = client.post("/accounts/me/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/step-up/")
