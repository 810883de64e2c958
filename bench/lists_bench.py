"""Matter-list bench: the first page of the kernel's list, as a page and as the API, beside the bare view.

Target (issue "One procedure kernel"): any matter list's first page keeps ≥ 0.5× the bare view's
req/s at concurrency 1, and its p95 stays ≤ 2× the bare view's p95 at concurrency 1 and 8.

  GET /m/filings/     the page (session sign-in), as the 司法局 supervisor sees it: the restricted
                      queryset, counts per state, the first keyset page of 50 with next due dates
  GET /api/filings/   the kernel API's list, same viewer, token authentication

over the demo district with LIST_FILINGS filings of the 公共资源交易监督管理局 in every state, a
reply period open on those being corrected. The baseline is the complaints bench's bare view
(`bench.bench_urls`: one complaint row by primary key, plain Django), measured just before the
lists at the same concurrency, on the same gunicorn configuration (`complaints_bench.SERVER`) and
database. SQLite always, PostgreSQL too when JIANDU_DATABASE_URL names one (`bench.procedures_world`):

    .venv/bin/python -m bench.lists_bench
"""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass

from bench import loadgen, procedures_world, server
from bench.complaints_bench import SERVER

LIST_FILINGS = 2_000
STATES = ("submitted", "correcting", "ordered", "reported", "filed", "filed", "filed")
PHASE_SECONDS = 6.0
PHASE_MAX_REQUESTS = 20_000
VIEWER = "supervisor"
TARGET_RPS_RATIO = 0.5
TARGET_P95_RATIO = 2.0


@dataclass(frozen=True)
class Row:
    label: str
    concurrency: int
    result: loadgen.Result | None
    note: str = ""


def _credentials() -> tuple[str, str]:
    """(session cookie, API token) of the viewer."""
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from jiandu.orgs.models import Person

    person = Person.objects.get(username=VIEWER)
    client = Client()
    client.force_login(person)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return session, Token.objects.get_or_create(user=person)[0].key


def _analyze() -> None:
    """Planner statistics for the freshly loaded tables, as a live database has them (PostgreSQL's
    autovacuum gathers them within a minute of a bulk load; on SQLite `ANALYZE`, or the `PRAGMA
    optimize` SQLite recommends on closing a connection). Without them both planners take the
    filings' agency and supervisor indexes as selective and sort every visible filing for a page
    of fifty, where the (created_at, id) index walked in order stops after fifty-one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _measure(port: int, make: loadgen.RequestFactory, concurrency: int) -> loadgen.Result | str:
    probe = loadgen.run(port, make, concurrency=1, max_requests=1, max_seconds=30, warmup_seconds=0)
    if probe.errors:
        return f"not measured: {probe.first_error[:200]}"
    return loadgen.run(
        port, make, concurrency=concurrency, max_requests=PHASE_MAX_REQUESTS, max_seconds=PHASE_SECONDS
    )


def child() -> None:
    procedures_world.build(LIST_FILINGS, lambda i: STATES[i % len(STATES)], matters=True)
    _analyze()
    from jiandu.complaints.models import Complaint

    complaints = list(Complaint.objects.values_list("pk", flat=True))
    session, token = _credentials()
    rng = random.Random(2026)
    endpoints: list[tuple[str, loadgen.RequestFactory]] = [
        (
            "bare view GET /bench/bare/<pk>/",
            lambda w, i: loadgen.Request("GET", f"/bench/bare/{rng.choice(complaints)}/"),
        ),
        (
            "GET /m/filings/ (page)",
            lambda w, i: loadgen.Request("GET", "/m/filings/", headers={"Cookie": session}),
        ),
        (
            "GET /api/filings/ (API)",
            lambda w, i: loadgen.Request("GET", "/api/filings/", headers={"Authorization": f"Token {token}"}),
        ),
    ]
    rows: list[Row] = []
    with server.running(
        SERVER, {"JIANDU_BENCH_DATABASE_URL": os.environ["JIANDU_BENCH_DATABASE_URL"]}
    ) as srv:
        for concurrency in (1, 8):
            for label, make in endpoints:
                outcome = _measure(srv.port, make, concurrency)
                if isinstance(outcome, str):
                    rows.append(Row(label, concurrency, None, outcome))
                else:
                    rows.append(Row(label, concurrency, outcome))
    _print(rows)


def _print(rows: list[Row]) -> None:
    print(
        f"{procedures_world.database_label()}: {LIST_FILINGS:,} filings, viewer {VIEWER}; "
        f"{SERVER.describe()}; closed loop, ≤ {PHASE_SECONDS:.0f} s per row after 1 s of warm-up; "
        "ratios to the bare view measured just before, at the same concurrency"
    )
    print(
        f"  {'endpoint':<34}{'conc':>5}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'× bare req/s':>14}{'× bare p95':>11}"
    )
    bare: loadgen.Result | None = None
    verdicts = []
    for row in rows:
        r = row.result
        if r is None:
            print(f"  {row.label:<34}{row.concurrency:>5}  {row.note}")
            if not row.label.startswith("bare"):
                verdicts.append(
                    f"  {row.label} at concurrency {row.concurrency}: not measured — target unknown"
                )
            continue
        ratios = ""
        if row.label.startswith("bare"):
            bare = r
        elif bare is not None:
            rps, p95 = r.rps / bare.rps, r.percentile(95) / bare.percentile(95)
            ratios = f"{rps:>14.2f}{p95:>11.2f}"
            where = f"{row.label} at concurrency {row.concurrency}"
            if row.concurrency == 1:
                ok = rps >= TARGET_RPS_RATIO
                verdicts.append(
                    f"  {where}: req/s ≥ {TARGET_RPS_RATIO}× bare — {'met' if ok else 'NOT met'} ({rps:.2f}×)"
                )
            ok = p95 <= TARGET_P95_RATIO
            verdicts.append(
                f"  {where}: p95 ≤ {TARGET_P95_RATIO:.0f}× bare — {'met' if ok else 'NOT met'} ({p95:.2f}×)"
            )
        print(
            f"  {row.label:<34}{row.concurrency:>5}{r.requests:>9}{r.errors:>7}{r.rps:>8.0f}"
            f"{r.percentile(50):>8.1f}{r.percentile(95):>8.1f}{ratios}"
        )
        if r.errors:
            print(f"  {'':<34}  errors: {dict(r.statuses)}; first: {r.first_error[:200]}")
    print("Targets:")
    for line in verdicts:
        print(line)
    print()


def main() -> None:
    procedures_world.run_children("bench.lists_bench")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
