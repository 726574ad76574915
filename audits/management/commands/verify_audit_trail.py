"""``manage.py verify_audit_trail``: walks the hash chain; exit 1 on a problem."""

import time

from audits import verify
from audits.events import EventType, Outcome
from audits.trail import record
from flockgov.commands import EXIT_OK, EXIT_REJECTED, FlockgovCommand

SHOWN = 50


class Command(FlockgovCommand):
    help = (
        "Verifies the audit trail's hash chain in seq order across partitions and "
        "purge tombstones; reports the first modified, missing or reordered record."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        problems = 0
        verified = 0
        for item in verify.walk():
            if isinstance(item, int):
                verified = item
                continue
            problems += 1
            if problems == 1:
                self.stderr.write(f"first problem: {item}")
            elif problems <= SHOWN:
                self.stderr.write(str(item))
        elapsed = time.monotonic() - started
        if problems > SHOWN:
            self.stderr.write(f"... and {problems - SHOWN} more")
        self.stdout.write(
            f"walked {verified} records in {elapsed:.1f} s "
            f"({verified / elapsed if elapsed else 0:.0f} records/s)"
        )
        # Reading the trail is itself recorded, with what the walk found.
        with self.acting(options) as actor:
            record(
                EventType.AUDIT_VIEWED,
                actor=actor,
                outcome=Outcome.FAILED if problems else Outcome.SUCCESS,
                object_type="audits.auditevent",
                summary=f"hash chain verified: {verified} records, {problems} problems",
                data={"verified": verified, "problems": problems},
            )
        self.summary(verified=verified, problems=problems)
        self.finish(EXIT_REJECTED if problems else EXIT_OK)
