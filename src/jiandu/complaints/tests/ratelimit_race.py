"""Many clients at once against one rate limit: how many requests pass.

Imported by test_ratelimit_parallel, and run by it as a program on SQLite:
`python -m jiandu.complaints.tests.ratelimit_race DATABASE_URL SCOPE LIMIT` counts on a fresh
SQLite file database set up as a deployment's is (WAL, IMMEDIATE transactions, a busy timeout).
The test database on SQLite is in memory with a shared cache, where a second writer fails at
once ("table is locked") instead of waiting its turn, so it cannot stand in for a deployment.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

THREADS, PER_THREAD = 40, 3


def parallel_passes(scope: str, address: str) -> int:
    """How many of THREADS × PER_THREAD requests from one address, sent at once, the limit lets through."""
    from django.db import connections
    from django.test import RequestFactory

    from jiandu.complaints import ratelimit

    start = threading.Barrier(THREADS)

    def client() -> int:
        request = RequestFactory().post("/", REMOTE_ADDR=address)
        try:
            start.wait()  # every thread begins together, to make the race as tight as possible
            return sum(ratelimit.hit(request, scope) is None for _ in range(PER_THREAD))
        finally:
            connections.close_all()  # each thread has its own database connections

    with ThreadPoolExecutor(THREADS) as pool:
        return sum(pool.map(lambda _: client(), range(THREADS)))


def main(database_url: str, scope: str, limit: str) -> None:
    os.environ["JIANDU_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiandu.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from jiandu.core.models import RateLimitCount

    settings.REDIS_URL = ""
    settings.JIANDU_PUBLIC_RATE_LIMIT = {scope: (int(limit), 3600)}  # period-literal-ok: test window
    call_command("migrate", "core", verbosity=0)
    passed = parallel_passes(scope, "203.0.113.60")
    counted = sum(RateLimitCount.objects.values_list("count", flat=True))
    print(passed, counted)


if __name__ == "__main__":
    main(*sys.argv[1:])
