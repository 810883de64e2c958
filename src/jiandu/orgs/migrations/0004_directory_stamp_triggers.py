"""Triggers that give the directory a fresh stamp on any change to who-is-who.

Tables watched: API tokens, people, role assignments, agencies, rule-profile rows — everything
`orgs.directory` caches. PostgreSQL: one statement-level trigger per table (TRUNCATE included).
SQLite: a row-level trigger per table and operation. Each upserts the single stamp row, so a
database emptied by a test flush gets its row back at the next change. On SQLite, a later
migration that rebuilds one of these tables drops its triggers: it must create them again
(`orgs.tests.test_directory` checks that every trigger is present after all migrations).
"""

from django.db import migrations

# (app label, model name) of every table the directory cache reads.
WATCHED = [
    ("authtoken", "Token"),
    ("orgs", "Person"),
    ("orgs", "RoleAssignment"),
    ("orgs", "Agency"),
    ("rules", "RuleProfile"),
]
PG_FUNCTION = "jiandu_directory_restamp"
SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in WATCHED]


def trigger_names(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"{table}_directory_restamp"]
    return [f"{table}_directory_restamp_{operation.lower()}" for operation in SQLITE_OPERATIONS]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    stamps = quote(apps.get_model("orgs", "DirectoryStamp")._meta.db_table)
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {stamps} (id, stamp) VALUES (1, gen_random_uuid()::text)
                    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
                RETURN NULL;
            END;
            $$
            """,
            params=None,
        )
        for table in _tables(apps):
            (name,) = trigger_names(table, vendor)
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
                params=None,
            )
        schema_editor.execute(
            f"INSERT INTO {stamps} (id, stamp) VALUES (1, gen_random_uuid()::text) ON CONFLICT (id) DO NOTHING",
            params=None,
        )
    elif vendor == "sqlite":
        restamp = (
            f"INSERT INTO {stamps} (id, stamp) VALUES (1, lower(hex(randomblob(16)))) "
            "ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp"
        )
        for table in _tables(apps):
            for operation, name in zip(SQLITE_OPERATIONS, trigger_names(table, vendor), strict=True):
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation} ON {quote(table)} BEGIN {restamp}; END",
                    params=None,
                )
        schema_editor.execute(restamp, params=None)
    else:
        raise NotImplementedError(f"no directory triggers for the {vendor} database")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    for table in _tables(apps):
        for name in trigger_names(table, vendor):
            on = f" ON {quote(table)}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)
    if vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_directory_stamp"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("rules", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
