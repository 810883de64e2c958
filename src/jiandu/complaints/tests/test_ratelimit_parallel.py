"""Rate limits hold under parallel requests: exactly the limit passes, on the database and on Redis."""

import secrets
import socket
import subprocess
import sys

import pytest
from django.db import connection
from django.test import RequestFactory

from jiandu.complaints import ratelimit
from jiandu.complaints.tests.ratelimit_race import PER_THREAD, THREADS, parallel_passes
from jiandu.core.models import RateLimitCount

LIMIT = 20
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scope", [ratelimit.SUBMIT, ratelimit.STATUS])
def test_database_count_lets_exactly_the_limit_pass(settings, scope):
    settings.REDIS_URL = ""
    settings.JIANDU_PUBLIC_RATE_LIMIT = {scope: (LIMIT, 3600)}
    assert parallel_passes(scope, "203.0.113.50") == LIMIT
    (row,) = RateLimitCount.objects.all()
    assert row.count == THREADS * PER_THREAD


@pytest.mark.parametrize("scope", [ratelimit.SUBMIT, ratelimit.STATUS])
def test_sqlite_file_count_lets_exactly_the_limit_pass(tmp_path, scope):
    # In a separate interpreter, on a file database configured as a deployment's SQLite.
    url = f"sqlite:///{tmp_path / 'counts.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "jiandu.complaints.tests.ratelimit_race", url, scope, str(LIMIT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    passed, counted = (int(n) for n in result.stdout.split())
    assert (passed, counted) == (LIMIT, THREADS * PER_THREAD)


@pytest.mark.django_db
def test_ended_windows_are_deleted_when_a_new_one_begins(settings):
    settings.REDIS_URL = ""
    RateLimitCount.objects.create(key="jiandu:ratelimit:old", count=5, window_end=1)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.51")
    assert ratelimit.hit(request, ratelimit.SUBMIT) is None
    assert not RateLimitCount.objects.filter(key="jiandu:ratelimit:old").exists()
    assert RateLimitCount.objects.count() == 1


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_redis_count_lets_exactly_the_limit_pass(settings):
    redis = pytest.importorskip("redis")
    settings.REDIS_URL = REDIS_URL
    settings.JIANDU_PUBLIC_RATE_LIMIT = {ratelimit.SUBMIT: (LIMIT, 3600)}
    ratelimit._forget_clients()  # a client of this test's own, not one an earlier test left behind
    # A fresh client address per run, so that runs (and other test sessions) never share a window.
    address = f"2001:db8::{secrets.randbelow(0xFFFF):x}:{secrets.randbelow(0xFFFF):x}"
    digest = ratelimit._client_digest(address)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        assert parallel_passes(ratelimit.SUBMIT, address) == LIMIT
        (key,) = server.keys(f"jiandu:ratelimit:{ratelimit.SUBMIT}:*:{digest}")
        assert int(server.get(key)) == THREADS * PER_THREAD
        assert 0 < server.ttl(key) <= 3600
        assert RateLimitCount.objects.count() == 0  # nothing went to the database
    finally:
        for key in server.keys(f"jiandu:ratelimit:*:{digest}"):
            server.delete(key)
