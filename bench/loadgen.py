"""A closed-loop HTTP load generator for servers on this machine (127.0.0.1 only).

`concurrency` threads each hold one `http.client` connection (kept alive when the server allows,
reopened when it closes it) and send their next request as soon as the previous answer is read:
the offered load is whatever the server can take at that concurrency. A run stops after
`max_requests` or `max_seconds`, whichever comes first; a warm-up before it is not measured.
Latency is measured per request from sending to the last byte of the body.

Threads share one interpreter: at a few thousand requests per second the client's own CPU use
(on the same cores as the server) is part of what is measured, the same way for every endpoint.
"""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


# Builds worker `w`'s `i`-th request (i counts every request of the run, across workers).
RequestFactory = Callable[[int, int], Request]


@dataclass
class Result:
    """One measured run: latencies in seconds of the requests that completed within it."""

    concurrency: int
    seconds: float
    latencies: list[float]
    errors: int
    statuses: Counter
    connections: int  # TCP connections opened: equal to the requests when the server closes each
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile (q in 0..100), in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1] * 1000


def run(
    port: int,
    make_request: RequestFactory,
    *,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    expect: tuple[int, ...] = (200,),
    warmup_seconds: float = 1.0,
) -> Result:
    """Warm up, then measure `concurrency` closed-loop workers against 127.0.0.1:`port`."""
    if warmup_seconds > 0:
        _run(port, make_request, concurrency, 10**9, warmup_seconds, expect)
    return _run(port, make_request, concurrency, max_requests, max_seconds, expect)


def _run(
    port: int,
    make_request: RequestFactory,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    expect: tuple[int, ...],
) -> Result:
    tickets = itertools.count()  # next() on a count is atomic under the GIL: no lock needed
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    connections = 0
    first_error = ""
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker(w: int) -> None:
        nonlocal errors, connections, first_error
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        my_statuses: Counter = Counter()
        my_errors = my_connections = 0
        my_first = ""
        try:
            while True:
                i = next(tickets)
                if i >= max_requests or time.perf_counter() >= deadline:
                    break
                req = make_request(w, i)
                my_connections += conn.sock is None
                sent = time.perf_counter()
                try:
                    conn.request(req.method, req.path, body=req.body, headers=req.headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # reopened by the next request
                    my_errors += 1
                    my_statuses[type(exc).__name__] += 1
                    my_first = my_first or f"{req.method} {req.path}: {exc!r}"
                    continue
                elapsed = time.perf_counter() - sent
                my_statuses[response.status] += 1
                if response.status in expect:
                    mine.append(elapsed)
                else:
                    my_errors += 1
                    my_first = my_first or f"{req.method} {req.path}: {response.status} {body[:300]!r}"
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                statuses.update(my_statuses)
                errors += my_errors
                connections += my_connections
                first_error = first_error or my_first

    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Result(concurrency, seconds, latencies, errors, statuses, connections, first_error)
