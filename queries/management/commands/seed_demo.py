"""``manage.py seed_demo``: demo accounts, cameras, synthetic reads, hot lists,
organisations, a purge and last month's audit.

For development only: it refuses to run unless DEBUG is on, because the accounts
it makes have published passwords and TOTP keys. Running it again adds only the
reads for the time since the last run.
"""

from django.conf import settings

from flockgov.commands import EXIT_OK, FlockgovCommand, Unusable
from queries import demo

MAX_SCALE = 20


class Command(FlockgovCommand):
    help = (
        "Development only (needs FLOCKGOV_DEBUG=1): creates the demo accounts, "
        "cameras, about three weeks of synthetic plate reads, hot lists with "
        "alerts, the sharing registry, a purge and last month's audit."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply the traffic (1 gives about 30,000 reads; at most 20)",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise Unusable(
                "seed_demo refuses to run: DEBUG is off. Demo accounts have "
                "published passwords and TOTP keys and must never exist outside "
                "development (set FLOCKGOV_DEBUG=1 on a development machine)."
            )
        scale = options["scale"]
        if not 0 < scale <= MAX_SCALE:
            raise Unusable(f"--scale must be above 0 and at most {MAX_SCALE}.")
        with self.acting(options) as actor:
            counts = demo.seed(actor=actor, scale=scale)
            counts.update(demo.seed_operations(actor=actor))
        self.describe()
        self.summary(**counts)
        self.finish(EXIT_OK)

    def describe(self) -> None:
        """What a person needs to sign in and try a search."""
        self.stdout.write(
            f"{'user':<14}{'role':<12}{'password':<24}TOTP key (base32, for an app)"
        )
        for spec in demo.DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {spec.username:<12}{spec.role:<12}{spec.password:<24}"
                f"{spec.totp_key_base32}"
            )
        examples = ", ".join(f"{p} ({s})" for p, s, *_ in demo.RECURRING)
        self.stdout.write(
            f"Try these plates in a search: {examples}; "
            f"or a pattern such as {demo.RECURRING[0][0][:3]}*"
        )
