"""The database itself refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of ledger rows.

The hash chain and signed checkpoints detect any edit; these triggers stop the ordinary ways of
making one (an ORM .update()/.delete(), a stray SQL statement) before it happens. The SQL differs
per database, chosen by the connection's vendor. On SQLite, a later migration that rebuilds one of
these tables (Django's SQLite ALTER emulation copies the table) drops its triggers: such a
migration must create them again.
"""

from django.db import migrations

TABLES = {"LedgerEntry": "ledger_entry", "Checkpoint": "ledger_checkpoint"}
PG_FUNCTION = "jiandu_ledger_refuse_change"


def _tables(apps):
    return {apps.get_model("ledger", model)._meta.db_table: prefix for model, prefix in TABLES.items()}


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'jiandu ledger: % on % refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$
            """,
            params=None,
        )
        for table, prefix in _tables(apps).items():
            schema_editor.execute(
                f"CREATE TRIGGER {prefix}_refuse_update_delete BEFORE UPDATE OR DELETE ON {quote(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
                params=None,
            )
            schema_editor.execute(
                f"CREATE TRIGGER {prefix}_refuse_truncate BEFORE TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
                params=None,
            )
    elif vendor == "sqlite":
        for table, prefix in _tables(apps).items():
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {prefix}_refuse_{operation.lower()} BEFORE {operation} ON {quote(table)} "
                    f"BEGIN SELECT RAISE(ABORT, 'jiandu ledger: {operation} on {table} refused: "
                    f"the ledger is append-only'); END",
                    params=None,
                )
    else:
        raise NotImplementedError(f"no append-only triggers for the {vendor} database")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "postgresql":
        for table, prefix in _tables(apps).items():
            for trigger in (f"{prefix}_refuse_update_delete", f"{prefix}_refuse_truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quote(table)}", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()", params=None)
    elif vendor == "sqlite":
        for prefix in _tables(apps).values():
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {prefix}_refuse_{operation}", params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
