"""Per-client request limits on the public complaint pages (anti-abuse settings, not legal periods).

Counts live in Django's cache in fixed windows. In production the cache is shared by every app
server (Redis, or the database cache), so moving between servers does not reset a count; nothing
is kept in process memory. A client is its REMOTE_ADDR, kept in the cache only as a keyed digest:
behind a reverse proxy the proxy must hand the WSGI server the client's address, or every visitor
shares one window.

Limits: `settings.JIANDU_PUBLIC_RATE_LIMIT`, a mapping of scope → (requests, window in seconds),
e.g. {"complaint_submit": (20, 3600)}; a scope it leaves out keeps its entry in DEFAULT_LIMITS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

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


def _client(request: HttpRequest) -> str:
    return salted_hmac("jiandu.ratelimit", request.META.get("REMOTE_ADDR", "")).hexdigest()[:32]


def hit(request: HttpRequest, scope: str) -> int | None:
    """Count one request; None while within the limit, else the seconds until the window ends."""
    requests, window = limit_for(scope)
    now = int(time.time())
    slot = now // window
    key = f"jiandu:ratelimit:{scope}:{window}:{slot}:{_client(request)}"
    cache.add(key, 0, timeout=window)  # period-literal-ok: a cache entry starting at 0, not a calendar
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr: this is the new window's first hit
        cache.set(key, 1, timeout=window)
        count = 1
    if count <= requests:
        return None
    return (slot + 1) * window - now


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
