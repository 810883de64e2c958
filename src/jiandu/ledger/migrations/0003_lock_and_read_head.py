"""PostgreSQL: take the ledger's writer lock and read the chain's head in one round trip.

`record` used to send `SELECT pg_advisory_xact_lock(…)` and then the head query: two round trips
inside the serialised section every writer waits for. The function does both on the server. It
is VOLATILE, so under READ COMMITTED its SELECT takes a fresh snapshot after the lock is granted
and sees the previous writer's commit (a STABLE function would reuse the calling statement's
snapshot, taken before the wait, and could read a stale head). SQLite needs no lock statement:
its write transactions are IMMEDIATE.
"""

from django.db import migrations

FUNCTION = "jiandu_ledger_lock_head"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("ledger", "LedgerEntry")._meta.db_table)
    schema_editor.execute(
        f"""
        CREATE FUNCTION {FUNCTION}(lock_key bigint, OUT head_seq bigint, OUT head_hash varchar)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            SELECT e.seq, e.entry_hash INTO head_seq, head_hash FROM {table} e ORDER BY e.seq DESC LIMIT 1;
        END;
        $$
        """,
        params=None,
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint)", params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_triggers")]

    operations = [migrations.RunPython(install, remove)]
