"""Complaint numbers move to the one numbering service (core.Sequence, family "TS")."""

from django.db import migrations

FAMILY = "TS"  # the family in the complaint numbers already given: CODE-TS-YEAR-NNNNNN


def move(apps, schema_editor):
    old = apps.get_model("complaints", "NumberCounter")
    new = apps.get_model("core", "Sequence")
    for row in old.objects.all():
        new.objects.create(agency_id=row.agency_id, family=FAMILY, year=row.year, last=row.last)


def back(apps, schema_editor):
    old = apps.get_model("complaints", "NumberCounter")
    new = apps.get_model("core", "Sequence")
    for row in new.objects.filter(family=FAMILY):
        old.objects.create(agency_id=row.agency_id, year=row.year, last=row.last)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_explanation_receipt"),
        ("core", "0003_sequences"),
    ]

    operations = [
        migrations.RunPython(move, back),
        migrations.DeleteModel(name="NumberCounter"),
    ]
