"""``manage.py import_reads FILE``: load a CSV file of plate reads.

Layouts, rules and rejection reasons: docs/import-formats.md.
"""

from django.core.management.base import CommandParser

from audits.trail import AuditWriteError
from flockgov.commands import EXIT_OK, EXIT_REJECTED, FlockgovCommand, Unusable
from flockgov.csvfiles import UnusableFile
from queries.importers import import_file


class Command(FlockgovCommand):
    help = (
        "Import plate reads from a CSV file: the public-records layout "
        "(dt,location,address,device,plate_hash,lon,lat) or the generic layout "
        "(plate,state,captured_at,camera,lat,lon[,make,color,confidence]). Each "
        "rejected record is reported on standard error as 'line <n>: <reason>'; the "
        "last line is 'imported=<n> rejected=<n> cameras_created=<n>'. Exit status: 0 "
        "clean, 1 records rejected (good ones kept), 2 file unusable (nothing changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", metavar="FILE", help="CSV file of plate reads.")
        parser.add_argument(
            "--tz",
            metavar="ZONE",
            help="IANA time zone of local (offset-less) times in the file; default: "
            "the department's zone (TIME_ZONE).",
        )
        parser.add_argument(
            "--shift-to-now",
            action="store_true",
            help="For demos and tests only: move every time by the same amount so "
            "the newest read is now, then apply the retention cut-off.",
        )

    def handle(self, *args, **options) -> None:
        with self.acting(options) as actor:
            try:
                report = import_file(
                    options["file"],
                    actor=actor,
                    time_zone=options["tz"],
                    shift_to_now=options["shift_to_now"],
                    on_reject=self.reject,
                )
            except UnusableFile as exc:
                raise Unusable(str(exc)) from exc
            except AuditWriteError as exc:
                # The storing transaction rolled back with the audit record.
                raise Unusable(
                    f"the import could not be audited, nothing was stored ({exc})"
                ) from exc
        self.summary(
            imported=report.imported,
            rejected=report.rejected,
            cameras_created=len(report.cameras_created),
        )
        self.finish(EXIT_REJECTED if report.rejected else EXIT_OK)
