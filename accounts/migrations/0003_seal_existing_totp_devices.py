"""Moves authenticators enrolled before seeds were sealed (django-otp's TOTPDevice,
plain hex in the database) into SealedTOTPDevice, then removes the plain copies,
so nobody has to re-enrol and no seed stays readable at rest."""

from binascii import unhexlify

from django.db import migrations


def seal_existing(apps, schema_editor):
    from accounts import crypto

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    SealedTOTPDevice = apps.get_model("accounts", "SealedTOTPDevice")
    for device in TOTPDevice.objects.all():
        key_id, sealed = crypto.seal(unhexlify(device.key))
        SealedTOTPDevice.objects.create(
            user_id=device.user_id,
            name=device.name,
            confirmed=device.confirmed,
            key_id=key_id,
            sealed_key=sealed,
            step=device.step,
            t0=device.t0,
            digits=device.digits,
            tolerance=device.tolerance,
            drift=device.drift,
            last_t=device.last_t,
            created_at=getattr(device, "created_at", None),
            last_used_at=getattr(device, "last_used_at", None),
        )
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_training_status_mfa"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
