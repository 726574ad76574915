"""The migration that seals authenticators enrolled before seeds were encrypted."""

from binascii import hexlify

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import SealedTOTPDevice
from tests.conftest import make_account

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accounts", "0002_training_status_mfa"),
    ("otp_totp", "0003_add_timestamps"),
]
AFTER = [("accounts", "0003_seal_existing_totp_devices")]


def test_it_seals_plain_totp_seeds_and_removes_them():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    officer = make_account("olive", "officer")
    SealedTOTPDevice.objects.filter(user=officer).delete()
    seed = bytes(range(20))
    old_apps.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=officer.pk, name="phone", confirmed=True, key=hexlify(seed).decode()
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    device = SealedTOTPDevice.objects.get(user=officer)
    assert device.bin_key == seed
    assert device.confirmed
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
