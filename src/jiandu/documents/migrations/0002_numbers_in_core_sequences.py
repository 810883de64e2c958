"""Document numbers move to the one numbering service (core.Sequence); the counts are kept."""

from django.db import migrations


def move(apps, schema_editor):
    old = apps.get_model("documents", "NumberCounter")
    new = apps.get_model("core", "Sequence")
    for row in old.objects.all():
        new.objects.create(agency_id=row.agency_id, family=row.family, year=row.year, last=row.last)


def back(apps, schema_editor):
    old = apps.get_model("documents", "NumberCounter")
    new = apps.get_model("core", "Sequence")
    for row in new.objects.exclude(family__regex=r"^[A-Z]+$"):  # matter families (TS, BA …) are not 文号
        old.objects.create(agency_id=row.agency_id, family=row.family, year=row.year, last=row.last)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("core", "0003_sequences"),
    ]

    operations = [
        migrations.RunPython(move, back),
        migrations.DeleteModel(name="NumberCounter"),
    ]
