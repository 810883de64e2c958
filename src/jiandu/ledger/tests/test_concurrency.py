"""Several OS processes appending at once never fork the chain or reuse a seq (PostgreSQL)."""

import multiprocessing

import pytest
from django.db import connection

from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.tests.concurrent_writer import append
from jiandu.ledger.verify import verify_ledger

WORKERS, EACH = 4, 25


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database other processes can reach")
@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_append_one_gapless_chain():
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited connections
    start = context.Event()
    workers = [
        context.Process(target=append, args=(connection.settings_dict["NAME"], worker, EACH, start))
        for worker in range(WORKERS)
    ]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * WORKERS

    rows = list(LedgerEntry.objects.order_by("seq").values_list("seq", "prev_hash", "payload"))
    assert [seq for seq, _, _ in rows] == list(range(1, WORKERS * EACH + 1))
    assert len({prev_hash for _, prev_hash, _ in rows}) == WORKERS * EACH
    written = {(payload["worker"], payload["n"]) for _, _, payload in rows}
    assert written == {(w, n) for w in range(WORKERS) for n in range(EACH)}
    result = verify_ledger()
    assert result.ok and result.count == WORKERS * EACH, result.message
