"""Test support for the append-only ledger tables; a pytest plugin. Never used outside tests.

The ledger's triggers refuse DELETE and TRUNCATE, and so they also refuse the flush with which
Django empties the database after every `django_db(transaction=True)` test. As a plugin
(`-p jiandu.ledger.testing`, or imported into a conftest) this module lets that flush, and only
it, run with the triggers suspended inside the flush's own transaction.

`guard_suspended()` is the same suspension for tests that tamper with the ledger on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLES = ("ledger_ledgerentry", "ledger_checkpoint")


@contextmanager
def guard_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Inside one transaction, lift the append-only triggers; they are back when it ends.

    On success the triggers are restored before the transaction commits; on an error the rollback
    restores them (both databases roll back DDL), so no path leaves the guard off.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                TABLES,
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred (foreign-key) checks are pending: run them now,
            # and defer again afterwards, as Django's foreign keys are INITIALLY DEFERRED.
            present = [t for t in TABLES if t in connection.introspection.table_names(cursor)]
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in present:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
            yield
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in present:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            raise NotImplementedError(f"no append-only triggers for the {connection.vendor} database")


def pytest_configure(config: Any) -> None:
    # Imported here: importing Django's backend modules before Django has loaded is a circular import.
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush
    if hasattr(original, "without_ledger_guard"):
        return  # loaded twice: as a plugin and from a conftest

    def execute_sql_flush(self: Any, sql_list: list[str]) -> None:
        with guard_suspended(self.connection.alias):
            original(self, sql_list)

    execute_sql_flush.without_ledger_guard = original
    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush


def pytest_unconfigure(config: Any) -> None:
    from django.db.backends.base.operations import BaseDatabaseOperations

    patched = BaseDatabaseOperations.execute_sql_flush
    if hasattr(patched, "without_ledger_guard"):
        BaseDatabaseOperations.execute_sql_flush = patched.without_ledger_guard
