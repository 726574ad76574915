"""What every flockgov management command shares.

Output conventions (one summary line of ``key=value`` pairs at the end, rejected
records on standard error as ``line <n>: <reason>``) and exit codes:

* 0: done, nothing rejected;
* 1: the input was understood but some or all records were rejected (good ones
  kept), or a verification found problems;
* 2: the input could not be used at all, nothing changed.

Every command that changes data acts as someone: ``--actor USERNAME``, or a system
actor named after the command. The audit record also notes the OS user.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.context import Actor, acting_as

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNUSABLE = 2


class Unusable(CommandError):
    """The input cannot be used at all: exit 2, nothing changed."""

    def __init__(self, message: str):
        super().__init__(message, returncode=EXIT_UNUSABLE)


class FlockgovCommand(BaseCommand):
    """Base for commands: ``--actor``, the summary line and the exit status."""

    #: Set False for read-only commands that take no actor.
    takes_actor = True

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        self._command_name = subcommand
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        if self.takes_actor:
            parser.add_argument(
                "--actor",
                metavar="USERNAME",
                help="Account recorded as doing this (default: a system actor named "
                "after the command).",
            )

    def actor(self, options: dict) -> Actor:
        try:
            return Actor.for_command(self._command_name, options.get("actor"))
        except LookupError as exc:
            raise Unusable(str(exc)) from exc

    @contextmanager
    def acting(self, options: dict) -> Iterator[Actor]:
        with acting_as(self.actor(options)) as actor:
            yield actor

    def reject(self, line: int, reason: str) -> None:
        """One rejected record, on standard error."""
        self.stderr.write(f"line {line}: {reason}")

    def summary(self, **pairs: object) -> None:
        """The last line of output: ``key=value`` pairs in the order given."""
        self.stdout.write(" ".join(f"{key}={value}" for key, value in pairs.items()))

    def finish(self, code: int) -> None:
        """Ends the command with ``code`` after output is flushed."""
        self.stdout.flush()
        self.stderr.flush()
        if code:
            sys.exit(code)
