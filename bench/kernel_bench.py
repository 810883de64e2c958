"""Kernel bench: what the step runner costs over the least a ledgered state change can do.

Target (issue "One procedure kernel"): an empty kernel step costs at most 10% over the ledgered
floor row. Both are timed in-process (no HTTP), on filings of the same world, alternately in
batches so that both see the same machine:

  floor   one transaction that locks a filing row (SELECT … FOR UPDATE), sets its state and writes
          one ledger entry by hand (`ledger.services.record`): what any state change must do;
  kernel  `run_step("filings.accept", …)` with no inputs on a submitted filing: the step with the
          least work (no body, periods, files or letter), so what it costs beyond the floor is the
          runner's own: its guards (visibility, actor, state), the profile, the inputs, the payload.

Per-op time is a batch's time over its size; the table shows the median over the rounds. After
the timing, one more kernel batch runs under cProfile and the runner's parts are shown with their
share of the step. Run on SQLite always and on PostgreSQL when JIANDU_DATABASE_URL names one
(`bench.procedures_world`):

    .venv/bin/python -m bench.kernel_bench
    JIANDU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandu make bench   (the server it names)
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator

from bench import procedures_world

ROUNDS = 9
BATCH = 100
WARMUP = 30
PROFILED = 200
TARGET_OVERHEAD = 0.10

# The parts of a step shown from the profile: (label, module path fragment, function name).
PARTS = (
    ("run_step (the whole step)", "procedures/runner.py", "run_step"),
    ("QuerySet.get (the lock among them)", "django/db/models/query.py", "get"),
    ("guards: _refusal", "procedures/runner.py", "_refusal"),
    ("  visibility: orgs.scope.visible_agency_ids", "orgs/scope.py", "visible_agency_ids"),
    ("profile_for", "orgs/profiles.py", "profile_for"),
    ("inputs: _clean_inputs", "procedures/runner.py", "_clean_inputs"),
    ("close_periods (none declared)", "procedures/runner.py", "close_periods"),
    ("save the matter", "django/db/models/base.py", "save"),
    ("ledger.services.record", "ledger/services.py", "record"),
    ("transaction commit", "django/db/transaction.py", "__exit__"),
)


def _floor(pk: int, actor: object) -> None:
    from django.db import transaction

    from jiandu.filings.models import Filing
    from jiandu.ledger.services import record

    with transaction.atomic():
        filing = Filing.objects.select_for_update().get(pk=pk)
        source, filing.state = filing.state, Filing.State.FILED
        filing.save(update_fields=["state", "updated_at"])
        record(
            "bench.floor_row",
            actor=actor,
            agency=filing.agency,
            obj=filing,
            payload={"from": source, "to": filing.state},
        )


def _kernel(pk: int, actor: object) -> None:
    from jiandu.filings.models import Filing
    from jiandu.procedures.runner import run_step

    run_step("filings.accept", Filing(pk=pk), actor=actor, inputs={})  # type: ignore[arg-type]


def _timed(op: Callable[[int, object], None], pks: Iterator[int], n: int, actor: object) -> float:
    """Seconds per op over `n` ops."""
    started = time.perf_counter()
    for _ in range(n):
        op(next(pks), actor)
    return (time.perf_counter() - started) / n


def _queries(op: Callable[[int, object], None], pk: int, actor: object) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        op(pk, actor)
    return len(captured)


def _profile(pks: Iterator[int], actor: object) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILED):
        _kernel(next(pks), actor)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    whole = None
    print(f"Where a kernel step's time goes (cProfile over {PROFILED} steps; cumulative, so parts nest):")
    for label, path, name in PARTS:
        cumulative = sum(
            row[3] for (filename, _line, func), row in stats.items() if func == name and path in filename
        )
        per_op = cumulative / PROFILED * 1000
        whole = whole or per_op
        print(f"  {label:<46}{per_op:>8.3f} ms{per_op / whole:>7.0%}")
    top = sorted(
        (
            (row[3], f"{filename.split('site-packages/')[-1].split('src/')[-1]}:{func}")
            for (filename, _line, func), row in stats.items()
            if "jiandu" in filename and "bench" not in filename
        ),
        reverse=True,
    )[:12]
    print("  the platform's own functions by cumulative time:")
    for cumulative, where in top:
        print(f"    {cumulative / PROFILED * 1000:>8.3f} ms  {where}")


def _measure(pks: Iterator[int], actor: object, rounds: int) -> tuple[list[float], list[float]]:
    floor, kernel = [], []
    for _ in range(rounds):
        floor.append(_timed(_floor, pks, BATCH, actor))
        kernel.append(_timed(_kernel, pks, BATCH, actor))
    return floor, kernel


def child() -> None:
    # Floor and kernel alternating; their queries; where the kernel's time goes.
    needed = 2 * (WARMUP + ROUNDS * BATCH) + 3 + PROFILED
    pks = iter(procedures_world.build(needed, lambda i: "submitted"))
    from jiandu.orgs.models import Person

    actor = Person.objects.get(username="supervisor")
    _timed(_floor, pks, WARMUP, actor)
    _timed(_kernel, pks, WARMUP, actor)
    floor, kernel = _measure(pks, actor, ROUNDS)
    floor_queries, kernel_queries = _queries(_floor, next(pks), actor), _queries(_kernel, next(pks), actor)
    f, k = statistics.median(floor) * 1000, statistics.median(kernel) * 1000
    overhead = k / f - 1
    label = procedures_world.database_label()
    print(f"{label}: {ROUNDS} rounds of {BATCH} ops each, alternating; median ms per op")
    print(f"  {'operation':<52}{'ms/op':>8}{'min':>8}{'max':>8}{'queries':>9}")
    print(
        f"  {'floor: lock + state + one ledger entry':<52}{f:>8.3f}{min(floor) * 1000:>8.3f}"
        f"{max(floor) * 1000:>8.3f}{floor_queries:>9}"
    )
    print(
        f"  {'kernel: run_step filings.accept, no inputs':<52}{k:>8.3f}{min(kernel) * 1000:>8.3f}"
        f"{max(kernel) * 1000:>8.3f}{kernel_queries:>9}"
    )
    verdict = "met" if overhead <= TARGET_OVERHEAD else "NOT met"
    print(
        f"  kernel ÷ floor = {k / f:.2f}× ({overhead:+.0%}); target ≤ +{TARGET_OVERHEAD:.0%} over the floor: "
        f"{verdict}"
    )
    _profile(pks, actor)
    print()


def main() -> None:
    procedures_world.run_children("bench.kernel_bench")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
