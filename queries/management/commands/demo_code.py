"""``manage.py demo_code USERNAME``: the current TOTP code of a demo account.

Development only, and only for accounts that still carry the published demo key,
so it never reveals a code derived from a real secret.
"""

from django.conf import settings

from flockgov.commands import EXIT_OK, FlockgovCommand, Unusable
from queries import demo


class Command(FlockgovCommand):
    help = "Development only: prints the current TOTP code of a demo account."
    takes_actor = False

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username", help="a demo account, e.g. officer")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise Unusable("demo_code refuses to run: DEBUG is off.")
        spec = demo.DEMO_BY_USERNAME.get(username)
        if spec is None:
            names = ", ".join(demo.DEMO_BY_USERNAME)
            raise Unusable(f"{username!r} is not a demo account (one of: {names}).")
        current = demo.current_code(spec)
        if current is None:
            raise Unusable(
                f"{username} has no confirmed device with the demo key "
                "(run manage.py seed_demo)."
            )
        code, seconds_left = current
        self.summary(code=code, username=username, seconds_left=seconds_left)
        self.finish(EXIT_OK)
