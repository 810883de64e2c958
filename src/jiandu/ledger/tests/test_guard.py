"""The database refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL) of ledger rows and checkpoints."""

import pytest
from django.db import IntegrityError, connection

from jiandu.ledger.models import Checkpoint, LedgerEntry
from jiandu.ledger.services import create_checkpoint, record
from jiandu.ledger.testing import guard_suspended
from jiandu.ledger.verify import verify_ledger

# Committed for real, so the triggers act as they do in production, and the test flush must pass them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ledger(person, agency):
    for n in range(3):
        record("test.act", actor=person, agency=agency, payload={"n": n})
    create_checkpoint()


def test_orm_update_and_delete_are_refused(ledger):
    with pytest.raises(IntegrityError):
        LedgerEntry.objects.filter(seq=2).update(action="test.tampered")
    with pytest.raises(IntegrityError):
        LedgerEntry.objects.filter(seq=3).delete()
    entry = LedgerEntry.objects.get(seq=1)
    entry.payload = {"n": 99}
    with pytest.raises(IntegrityError):
        entry.save()
    with pytest.raises(IntegrityError):
        entry.delete()
    with pytest.raises(IntegrityError):
        Checkpoint.objects.update(tree_size=1)
    with pytest.raises(IntegrityError):
        Checkpoint.objects.all().delete()
    assert LedgerEntry.objects.count() == 3 and Checkpoint.objects.count() == 1
    assert verify_ledger().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_ledgerentry SET action = 'test.tampered' WHERE seq = 2",
        "UPDATE ledger_ledgerentry SET seq = seq + 10",
        "DELETE FROM ledger_ledgerentry WHERE seq = 3",
        "DELETE FROM ledger_ledgerentry",
        "UPDATE ledger_checkpoint SET root_hash = ''",
        "DELETE FROM ledger_checkpoint",
    ],
)
def test_raw_sql_update_and_delete_are_refused(ledger, sql):
    with pytest.raises(IntegrityError, match="append-only"), connection.cursor() as cursor:
        cursor.execute(sql)
    assert LedgerEntry.objects.count() == 3 and Checkpoint.objects.count() == 1
    assert verify_ledger().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.parametrize("table", ["ledger_ledgerentry", "ledger_checkpoint"])
def test_truncate_is_refused(ledger, table):
    with pytest.raises(IntegrityError, match="append-only"), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert LedgerEntry.objects.count() == 3 and Checkpoint.objects.count() == 1


def test_suspending_the_guard_is_scoped_to_one_transaction(ledger):
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET action = 'test.tampered' WHERE seq = 2")
    assert LedgerEntry.objects.get(seq=2).action == "test.tampered"
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 2")
    result = verify_ledger()
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 2, "entry hash mismatch")
