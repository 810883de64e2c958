"""Renew the "directory" change stamp on any change to who-is-who (see jiandu.core.stamps).

Watched: API tokens, people, role assignments, agencies, rule-profile rows — what
`orgs.directory` keeps in memory.
"""

from django.db import migrations

from jiandu.core.stamps import install_triggers, remove_triggers

TOPIC = "directory"
WATCHED = [
    ("authtoken", "Token"),
    ("orgs", "Person"),
    ("orgs", "RoleAssignment"),
    ("orgs", "Agency"),
    ("rules", "RuleProfile"),
]


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in WATCHED]


def install(apps, schema_editor):
    install_triggers(schema_editor, TOPIC, _tables(apps))


def remove(apps, schema_editor):
    remove_triggers(schema_editor, TOPIC, _tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_change_stamps"),
        ("orgs", "0002_alter_roleassignment_role"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("rules", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
