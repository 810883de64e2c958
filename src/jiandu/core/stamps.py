"""Change stamps: read a topic's stamp, and install the triggers that renew it.

A topic names a few rarely changing tables that some process cache reads (`directory`: tokens,
people, roles, agencies, rule-profile rows; `calendar`: calendar years added by administrators).
The owning app's migration calls `install_triggers(schema_editor, topic, tables)`; from then on
every insert, update or delete on those tables, however made, upserts the topic's `ChangeStamp`
row with a fresh random value in the same transaction. A cache reads `current(topic)` first and
its rows after, and files the rows under that stamp (rows read after the stamp are at least as
new as it, so nothing older than a stamp is ever filed under it).

On SQLite a later migration that rebuilds a watched table (Django's ALTER emulation copies it)
drops that table's triggers: it must install them again. `missing_triggers()` lists what is gone
(a test keeps it empty).
"""

from __future__ import annotations

import re

from django.db import connection

from .models import ChangeStamp

PG_FUNCTION = "jiandu_change_restamp"
TOPIC_PATTERN = re.compile(r"[a-z][a-z_]*")
SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
# Every topic and the tables its migration watches (the migrations name them themselves, as
# migrations must; this is what missing_triggers checks against).
WATCHED: dict[str, list[str]] = {
    "directory": [
        "authtoken_token",
        "orgs_person",
        "orgs_roleassignment",
        "orgs_agency",
        "rules_ruleprofile",
    ],
    "calendar": ["deadlines_calendaryear"],
}


def current(topic: str) -> str | None:
    """The topic's stamp now; None where its row is missing (then nothing may be cached)."""
    table = connection.ops.quote_name(ChangeStamp._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {table} WHERE topic = %s", [topic])  # noqa: S608 (our table)
        row = cursor.fetchone()
    return row[0] if row else None


def trigger_names(topic: str, table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"{table}_{topic}_restamp"]
    return [f"{table}_{topic}_restamp_{operation.lower()}" for operation in SQLITE_OPERATIONS]


def _upsert(schema_editor, topic: str) -> str:
    # Trigger bodies take no parameters: the topic is written into the SQL, so it must be a name.
    if not TOPIC_PATTERN.fullmatch(topic):
        raise ValueError(f"a change-stamp topic is a lower-case name, not {topic!r}")
    table = schema_editor.quote_name(ChangeStamp._meta.db_table)
    postgresql = schema_editor.connection.vendor == "postgresql"
    fresh = "gen_random_uuid()::text" if postgresql else "lower(hex(randomblob(16)))"
    return (
        f"INSERT INTO {table} (topic, stamp) VALUES ('{topic}', {fresh}) "  # noqa: S608 (checked name)
        "ON CONFLICT (topic) DO UPDATE SET stamp = excluded.stamp"
    )


def install_triggers(schema_editor, topic: str, tables: list[str]) -> None:
    """Make every change to `tables` renew `topic`'s stamp; give the topic its first stamp."""
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "postgresql":
        # The topic is the trigger's argument, so one function serves every topic.
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {quote(ChangeStamp._meta.db_table)} (topic, stamp)
                    VALUES (TG_ARGV[0], gen_random_uuid()::text)
                    ON CONFLICT (topic) DO UPDATE SET stamp = excluded.stamp;
                RETURN NULL;
            END;
            $$
            """,  # noqa: S608 (only our own table name is written into it)
            params=None,
        )
        for table in tables:
            (name,) = trigger_names(topic, table, vendor)
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}('{topic}')",
                params=None,
            )
    elif vendor == "sqlite":
        for table in tables:
            for operation, name in zip(SQLITE_OPERATIONS, trigger_names(topic, table, vendor), strict=True):
                body = _upsert(schema_editor, topic)
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation} ON {quote(table)} BEGIN {body}; END",
                    params=None,
                )
    else:
        raise NotImplementedError(f"no change-stamp triggers for the {vendor} database")
    schema_editor.execute(_upsert(schema_editor, topic), params=None)


def remove_triggers(schema_editor, topic: str, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    for table in tables:
        for name in trigger_names(topic, table, vendor):
            on = f" ON {quote(table)}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)


def missing_triggers() -> list[str]:
    """The change-stamp triggers that should exist on this database and do not."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [
        name
        for topic, tables in WATCHED.items()
        for table in tables
        for name in trigger_names(topic, table, connection.vendor)
        if name not in present
    ]
