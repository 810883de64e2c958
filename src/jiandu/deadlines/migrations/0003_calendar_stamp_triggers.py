"""Renew the "calendar" change stamp on any change to the calendar years (see jiandu.core.stamps).

`deadlines.calendar_source` keeps the built calendar in memory under this stamp.
"""

from django.db import migrations

from jiandu.core.stamps import install_triggers, remove_triggers

TOPIC = "calendar"


def _tables(apps) -> list[str]:
    return [apps.get_model("deadlines", "CalendarYear")._meta.db_table]


def install(apps, schema_editor):
    install_triggers(schema_editor, TOPIC, _tables(apps))


def remove(apps, schema_editor):
    remove_triggers(schema_editor, TOPIC, _tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_change_stamps"),
        ("deadlines", "0002_deadline_deadline_open_due"),
    ]

    operations = [migrations.RunPython(install, remove)]
