"""The `jiandu` console command: the platform's one CLI, wrapping Django management.

`jiandu deadline …`, `jiandu calendar import FILE`, `jiandu rules check`, `jiandu ledger verify`,
`jiandu demo`, and every Django command (`jiandu migrate`, `jiandu runserver`, …).

Like a project's `manage.py`, the command runs with the embedded development defaults (the
SQLite database under var/, a development key) unless the environment says `JIANDU_ENV=production`;
the web server's entry point (`jiandu.wsgi`) defaults to production instead. In production a
missing setting ends the command with one line naming the variable, not a traceback.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("JIANDU_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiandu.settings.base")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading settings is what loads and checks them)
    except ImproperlyConfigured as exc:
        print(f"jiandu: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.db import DatabaseError

    try:
        execute_from_command_line(["jiandu", *(sys.argv[1:] if argv is None else argv)])
        sys.stdout.flush()
    except DatabaseError as exc:
        # Most often a database not yet set up (a fresh clone before `make run`): say so in one line.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"jiandu: 数据库不可用或尚未建立（{first_line}）。请先运行 make run 或 jiandu migrate。",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    except BrokenPipeError:
        # The reader went away (`jiandu deadline … | head -1`): not an error of ours. Point stdout at
        # devnull so that the interpreter's own flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
