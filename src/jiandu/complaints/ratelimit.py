"""Per-client request limits on the public complaint pages (anti-abuse settings, not legal periods).

Counts live in fixed windows shared by every app server, so moving between servers does not
reset a count and nothing is kept in process memory. Each count is one atomic operation, so that
parallel requests cannot all read the same count and all pass:

- with Redis configured (`settings.REDIS_URL`, from JIANDU_REDIS_URL): INCR and EXPIRE in one
  MULTI/EXEC pipeline;
- otherwise in the database (`core.RateLimitCount`): one INSERT … ON CONFLICT DO UPDATE SET
  count = count + 1 RETURNING count (SQLite ≥ 3.35 and PostgreSQL), and the rows of ended windows
  are deleted when a new window begins.

A client is its REMOTE_ADDR, kept only as a keyed digest: behind a reverse proxy the proxy must
hand the WSGI server the client's address, or every visitor shares one window.

Limits: `settings.JIANDU_PUBLIC_RATE_LIMIT`, a mapping of scope → (requests, window in seconds),
e.g. {"complaint_submit": (20, 3600)}; a scope it leaves out keeps its entry in DEFAULT_LIMITS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from jiandu.core.models import RateLimitCount

SUBMIT, STATUS = "complaint_submit", "complaint_status"

# Generous enough for many people behind one carrier-grade NAT, tight enough to stop scripted
# flooding or guessing.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    SUBMIT: (20, 3600),  # period-literal-ok: anti-abuse window in seconds, not a legal period
    STATUS: (60, 3600),  # period-literal-ok: anti-abuse window in seconds, not a legal period
}


def limit_for(scope: str) -> tuple[int, int]:
    """(requests allowed, window in seconds) for a scope."""
    configured = getattr(settings, "JIANDU_PUBLIC_RATE_LIMIT", None) or {}
    requests, window = configured.get(scope, DEFAULT_LIMITS[scope])
    return int(requests), int(window)


def _client_digest(address: str) -> str:
    return salted_hmac("jiandu.ratelimit", address).hexdigest()[:32]


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def _redis(url: str) -> Any:
    # One client (and its connection pool) per URL and process; redis-py is needed only when
    # Redis is configured, as for Django's own Redis cache. Made under a lock: two threads that
    # each built a client would leave one unreferenced, and redis-py closes a dropped client's
    # pool, sockets in use by the other thread's pipeline included ("Connection closed").
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = _clients[url] = redis.Redis.from_url(url)
        return client


def _forget_clients() -> None:
    """Drop the process's clients (tests that point REDIS_URL elsewhere start afresh)."""
    with _clients_lock:
        _clients.clear()


def _count_redis(url: str, key: str, window: int) -> int:
    pipe = _redis(url).pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, window)
    count, _expiry_set = pipe.execute()
    return int(count)


def _count_database(key: str, window_end: int, now: int) -> int:
    quote = connection.ops.quote_name
    table, key_column, count, end = (
        quote(name) for name in (RateLimitCount._meta.db_table, "key", "count", "window_end")
    )
    upsert = (
        f"INSERT INTO {table} ({key_column}, {count}, {end}) VALUES (%s, 1, %s) "  # noqa: S608 (quoted names)
        f"ON CONFLICT ({key_column}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(upsert, [key, window_end])
        (value,) = cursor.fetchone()
    if value == 1:
        # A window has just begun: the ended ones are of no further use.
        RateLimitCount.objects.filter(window_end__lte=now).delete()
    return int(value)


def hit(request: HttpRequest, scope: str) -> int | None:
    """Count one request; None while within the limit, else the seconds until the window ends."""
    requests, window = limit_for(scope)
    now = int(time.time())
    slot = now // window
    window_end = (slot + 1) * window
    client = _client_digest(request.META.get("REMOTE_ADDR", ""))
    key = f"jiandu:ratelimit:{scope}:{window}:{slot}:{client}"
    redis_url = getattr(settings, "REDIS_URL", "")
    count = _count_redis(redis_url, key, window) if redis_url else _count_database(key, window_end, now)
    if count <= requests:
        return None
    return window_end - now


def rate_limited(scope: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Answer 429 with a Chinese page once the client exceeds the scope's limit on these methods."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in methods:
                retry_after = hit(request, scope)
                if retry_after is not None:
                    response = render(
                        request,
                        "complaints/rate_limited.html",
                        {"minutes": max(1, -(-retry_after // 60))},
                        status=429,
                    )
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
