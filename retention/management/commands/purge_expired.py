"""Destroys reads past their retention period and audit-trail data past two
years (policy §8). The hourly beat job runs the same code."""

from django.core.management.base import CommandParser

from flockgov.commands import EXIT_OK, EXIT_UNUSABLE, FlockgovCommand
from retention.purge import PurgeRefused, run_purge


class Command(FlockgovCommand):
    help = (
        "Destroy expired reads and audit records; ends with "
        "reads_purged=<n> audit_purged=<n> held=<n>."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be destroyed; destroy nothing.",
        )

    def handle(self, *args, **options) -> None:
        with self.acting(options) as actor:
            try:
                report = run_purge(actor=actor, dry_run=options["dry_run"])
            except PurgeRefused as exc:
                self.stderr.write(f"refused: {exc}")
                self.summary(reads_purged=0, audit_purged=0, held=0)
                self.finish(EXIT_UNUSABLE)
                return
        if report.busy:
            self.stdout.write("busy: another purge is running; nothing done")
            self.summary(reads_purged=0, audit_purged=0, held=0, busy=1)
            self.finish(EXIT_OK)
            return
        verb = "would drop" if report.dry_run else "dropped"
        for name in report.read_partitions + report.audit_partitions:
            self.stdout.write(f"{verb} partition {name}")
        for problem in report.problems:
            self.stderr.write(f"problem: {problem}")
        pairs: dict[str, object] = {
            "reads_purged": report.reads_purged,
            "audit_purged": report.audit_purged,
            # Reads and audit records kept past their date by legal holds.
            "held": report.held + report.held_audit,
        }
        if report.dry_run:
            pairs["dry_run"] = 1
        self.summary(**pairs)
        self.finish(1 if report.problems else EXIT_OK)
