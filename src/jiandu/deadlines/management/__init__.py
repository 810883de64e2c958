"""Console commands of the deadlines app (`jiandu deadline`, `jiandu calendar`) and what they share.

Both commands report a failure as one line on stderr and exit with status 2 — argument errors
included, without argparse's usage block or Django's "CommandError:" prefix — so that scripts
and people read the same message. Called through `call_command` they raise CommandError instead.
"""

import sys
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError


class OneLineParser(CommandParser):
    """A CommandParser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: {message}（参数错误，见 --help）\n")
        raise CommandError(f"Error: {message}", returncode=2)


class OneLineCommand(BaseCommand):
    """A command that fails with a single line and exit status 2."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Same parser, one-line errors: OneLineParser adds no state, only overrides error().
        parser.__class__ = OneLineParser
        return parser

    def execute(self, *args, **options) -> str | None:
        try:
            return super().execute(*args, **options)
        except DatabaseError as exc:
            # An unreachable database is an operating condition, not a bug: one line, no traceback.
            self.fail(f"数据库不可用（database unavailable）：{str(exc).strip().splitlines()[0]}")

    def fail(self, message: str) -> NoReturn:
        if self._called_from_command_line:
            self.stderr.write(message)
            sys.exit(2)
        raise CommandError(message, returncode=2)
