"""``list_ingest_sources``: every source that was issued a key, with its key's
prefix, when it was issued, last used and revoked (times in UTC).

The key is never shown again after ``create_ingest_source`` printed it, and its
digest is not shown either: the prefix is enough to tell keys apart, and a digest
on a terminal or in a ticket is one more thing that could be matched against a
leaked key."""

from datetime import UTC, datetime

from flockgov.commands import EXIT_OK, FlockgovCommand
from hotlists.models import IngestSource

COLUMNS = ("name", "key_prefix", "created", "last_used", "revoked")


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "-"


class Command(FlockgovCommand):
    help = "Lists read sources: name, key prefix, created, last used, revoked."
    takes_actor = False

    def handle(self, *args, **options) -> None:
        # Only the columns shown are read: the digest never leaves the database
        # through this command.
        sources = IngestSource.objects.order_by("name").values_list(
            "name", "key_prefix", "created_at", "last_used_at", "revoked_at"
        )
        rows = [
            (name, prefix, _when(created), _when(last_used), _when(revoked))
            for name, prefix, created, last_used, revoked in sources
        ]
        table = [COLUMNS, *rows] if rows else []
        widths = [
            max(len(cell) for cell in column) for column in zip(*table, strict=True)
        ]
        for row in table:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        revoked = sum(1 for row in rows if row[4] != "-")
        self.summary(sources=len(rows), active=len(rows) - revoked, revoked=revoked)
        self.finish(EXIT_OK)
