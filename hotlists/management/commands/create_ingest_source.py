"""``create_ingest_source NAME``: issues a key that may post reads to
``/api/v1/reads/`` and do nothing else. The key is printed once, stored hashed."""

from django.core.management.base import CommandParser

from flockgov.commands import EXIT_OK, FlockgovCommand, Unusable
from hotlists.models import IngestSource
from hotlists.services import create_ingest_source


class Command(FlockgovCommand):
    help = "Issues a write-only key for a camera system or vendor integration."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name")

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name:
            raise Unusable("give the source a name")
        if IngestSource.objects.filter(name=name).exists():
            # A name stays with its key for good, so the trail's "source:<name>"
            # always means one key; rotating is a new source under a new name.
            raise Unusable(
                f"a source named {name!r} already exists; to replace its key, "
                "create a source under a new name and revoke the old one "
                "(docs/hotlists.md, Rotating a key)"
            )
        with self.acting(options) as actor:
            source, key = create_ingest_source(actor=actor, name=name)
        self.stdout.write(f"key={key}")
        self.summary(source=source.pk, key_prefix=source.key_prefix)
        self.finish(EXIT_OK)
