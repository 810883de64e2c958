"""The `jiandu` console command: the platform's one CLI, wrapping Django management.

`jiandu deadline …`, `jiandu calendar import FILE`, `jiandu rules check`, `jiandu ledger verify`,
`jiandu demo`, and every Django command (`jiandu migrate`, `jiandu runserver`, …).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiandu.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiandu", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
