"""A complaint becomes a kernel matter: it gains the matter's timestamps (registered = received)."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def registered_when_received(apps, schema_editor):
    apps.get_model("complaints", "Complaint").objects.update(created_at=F("received_at"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_numbers_in_core_sequences")]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="登记时间"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="更新时间"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(registered_when_received, migrations.RunPython.noop),
    ]
