"""`jiandu documents …`: official documents.

jiandu documents fonts    convert the PDF font once on this machine (about half a minute), so that
                          the first document issued does not wait for it; run at deployment
jiandu documents kinds    list the registered document kinds and the context keys each needs
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiandu.documents import fonts
from jiandu.documents.kinds import all_kinds


class Command(BaseCommand):
    help = "Official documents: prepare the PDF font, list the document kinds."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        commands.add_parser("fonts", help="convert the embedded PDF font now (cached under VAR_DIR/fonts)")
        commands.add_parser("kinds", help="list document kinds and the context keys each needs")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "fonts":
            existed = fonts.converted_path().exists()
            path = fonts.ensure_converted()
            self.stdout.write(f"{'already converted' if existed else 'converted'}: {path}")
        else:
            for kind in all_kinds():
                self.stdout.write(
                    f"{kind.code}\t{kind.title}\t{kind.family}\t{', '.join(kind.required_keys)}"
                )
