"""A separate OS process appending to the ledger, for the concurrency test (spawned, not collected)."""

import os


def append(database_name: str, worker: int, count: int, start) -> None:
    """Connect to the test database and record `count` entries, each in its own transaction."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiandu.settings.test")
    import django

    django.setup()
    from django.db import connection, transaction

    from jiandu.ledger.services import record

    # The test database, not the one the settings name: pytest-django created it for this run.
    connection.settings_dict["NAME"] = database_name
    start.wait()
    for n in range(count):
        with transaction.atomic():
            record("test.concurrent", payload={"worker": worker, "n": n})
    connection.close()
