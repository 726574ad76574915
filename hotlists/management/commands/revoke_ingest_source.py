"""``revoke_ingest_source NAME --reason TEXT``: the source's key stops posting
reads from the next request on. The source stays listed (``list_ingest_sources``)
so its past posts keep a name; a replacement is a new source with a new name."""

from django.core.management.base import CommandParser

from flockgov.commands import EXIT_OK, FlockgovCommand, Unusable
from hotlists.models import IngestSource
from hotlists.services import IngestSourceRefused, revoke_ingest_source


class Command(FlockgovCommand):
    help = "Revokes the key of a camera system or vendor integration."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "name", help="the source's name, as list_ingest_sources shows it"
        )
        parser.add_argument(
            "--reason",
            required=True,
            help="why the key is revoked (leaked, camera retired, vendor replaced)",
        )

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        source = IngestSource.objects.filter(name=name).first()
        if source is None:
            raise Unusable(
                f"no source named {name!r} (list_ingest_sources shows the names)"
            )
        with self.acting(options) as actor:
            try:
                source = revoke_ingest_source(
                    actor=actor, source=source, reason=options["reason"]
                )
            except IngestSourceRefused as exc:
                # Refused and audited by the service; nothing changed.
                raise Unusable(str(exc)) from exc
        self.summary(
            revoked=1,
            source=source.pk,
            key_prefix=source.key_prefix,
            revoked_at=source.revoked_at.isoformat(timespec="seconds"),
        )
        self.finish(EXIT_OK)
