"""Re-encrypts every TOTP seed under the key ring's current key.

Rotation: add a new ``id:key`` pair at the front of ``FLOCKGOV_TOTP_KEYS`` (or its
file; ``--new-key`` prints a fresh key), restart, run this command, then remove the
old pair. Seeds that no key in the ring opens are reported and left as they are.
"""

from django.db import transaction

from accounts import crypto
from accounts.models import SealedTOTPDevice
from audits.events import EventType
from audits.trail import record
from flockgov.commands import EXIT_OK, EXIT_REJECTED, FlockgovCommand


class Command(FlockgovCommand):
    help = "Re-encrypt every TOTP seed under the current key of FLOCKGOV_TOTP_KEYS."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print a fresh key for the ring and change nothing.",
        )

    def handle(self, *args, **options) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        ring = crypto.key_ring()
        rotated = current = unreadable = 0
        with self.acting(options) as actor:
            for pk in SealedTOTPDevice.objects.values_list("pk", flat=True):
                with transaction.atomic():
                    device = SealedTOTPDevice.objects.select_for_update().get(pk=pk)
                    try:
                        changed = device.reseal(ring)
                    except crypto.SeedUnreadable:
                        unreadable += 1
                        self.stderr.write(f"device {pk}: no key in the ring opens it")
                        continue
                    if changed:
                        device.save(update_fields=["key_id", "sealed_key"])
                        rotated += 1
                    else:
                        current += 1
            with transaction.atomic():
                record(
                    EventType.TOTP_KEYS_ROTATED,
                    actor=actor,
                    object_type="accounts.sealedtotpdevice",
                    summary=f"seeds re-encrypted under key {ring.current_id}",
                    data={
                        "key_id": ring.current_id,
                        "rotated": rotated,
                        "already_current": current,
                        "unreadable": unreadable,
                    },
                )
        self.summary(rotated=rotated, already_current=current, unreadable=unreadable)
        self.finish(EXIT_REJECTED if unreadable else EXIT_OK)
