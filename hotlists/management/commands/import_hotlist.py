"""``import_hotlist FILE --format ncic|csv [--list NAME]``.

NCIC: the LPR extract replaces the NCIC list in one transaction; only §3.C list
codes load, the others are excluded and counted per code. CSV: entries are added
to the named custom or AMBER list (documented in docs/hotlists.md).
"""

from django.core.management.base import CommandParser

from flockgov.commands import (
    EXIT_OK,
    EXIT_REJECTED,
    FlockgovCommand,
)
from flockgov.commands import (
    Unusable as UnusableInput,
)
from hotlists import importing
from hotlists.ncic import EXCLUDED_CODES


class Command(FlockgovCommand):
    help = "Imports a hot-list file (the NCIC extract, or the custom-list CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument("--format", choices=["ncic", "csv"], required=True)
        parser.add_argument(
            "--list",
            dest="list_name",
            help="The custom or AMBER list a CSV adds to (required with csv).",
        )

    def handle(self, *args, **options) -> None:
        with self.acting(options) as actor:
            try:
                if options["format"] == "ncic":
                    report = importing.import_ncic_file(options["file"], actor=actor)
                else:
                    if not options["list_name"]:
                        raise UnusableInput("--list NAME is required with --format csv")
                    report = importing.import_csv_file(
                        options["file"], actor=actor, list_name=options["list_name"]
                    )
            except importing.Unusable as exc:
                raise UnusableInput(str(exc)) from None
        for line, reason in report.rejected:
            self.reject(line, reason)
        for code, n in report.excluded.items():
            self.stdout.write(f"excluded code={code} ({EXCLUDED_CODES[code]}) n={n}")
        self.summary(
            imported=report.imported,
            rejected=len(report.rejected),
            excluded=report.excluded_total,
        )
        self.finish(EXIT_REJECTED if report.rejected else EXIT_OK)
