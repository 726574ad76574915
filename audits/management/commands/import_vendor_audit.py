"""``manage.py import_vendor_audit FILE [--kind org|network|portal]``."""

from pathlib import Path

from audits import imports, vendor
from audits.models import VendorSearch
from flockgov.commands import EXIT_OK, EXIT_REJECTED, FlockgovCommand, Unusable
from flockgov.csvfiles import UnusableFile, read_records


class Command(FlockgovCommand):
    help = (
        "Imports a vendor search-audit export (Flock Organization or Network Audit, "
        "or a transparency-portal search audit). Re-importing a row adds nothing."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument(
            "--kind",
            choices=[k.value for k in VendorSearch.Kind],
            help="Force the layout instead of recognising it from the header.",
        )

    def handle(self, *args, **options) -> None:
        path = options["file"]
        forced = options.get("kind")
        try:
            header, records = read_records(path)
        except UnusableFile as exc:
            raise Unusable(str(exc)) from exc
        try:
            layout = vendor.detect(header, forced)
        except vendor.LayoutError as exc:
            raise Unusable(f"{path}: {exc}") from exc
        rows: list[vendor.ParsedRow] = []
        rejected = 0
        for record in records:
            try:
                rows.append(vendor.parse_row(record, layout, len(header)))
            except vendor.RowError as exc:
                rejected += 1
                self.reject(record.line, str(exc))
        if layout.kind == "portal":
            kind = VendorSearch.Kind.PORTAL
        else:
            kind = forced or imports.decide_kind(rows)
        with self.acting(options) as actor:
            result = imports.import_rows(
                actor=actor,
                rows=rows,
                kind=kind,
                source=Path(path).name,
                rejected=rejected,
            )
        if result.new_organisations:
            self.stdout.write(
                f"{len(result.new_organisations)} organisation(s) queued for "
                f"classification: {', '.join(result.new_organisations)}"
            )
        self.summary(
            imported=result.imported,
            rejected=rejected,
            skipped=result.skipped,
            kind=kind,
        )
        self.finish(EXIT_REJECTED if rejected else EXIT_OK)
