"""Attachment names are sealed like the identity (a file name may name the complainant); a rating
says why the complainant is not satisfied."""

from django.db import migrations, models


def seal_names(apps, schema_editor):
    from jiandu.core import crypto

    Material = apps.get_model("complaints", "Material")
    for material in Material.objects.exclude(original_name="").only("pk", "original_name").iterator():
        Material.objects.filter(pk=material.pk).update(
            name_sealed=crypto.encrypt_json({"name": material.original_name})
        )


def unseal_names(apps, schema_editor):
    from jiandu.core import crypto

    Material = apps.get_model("complaints", "Material")
    for material in Material.objects.exclude(name_sealed="").only("pk", "name_sealed").iterator():
        Material.objects.filter(pk=material.pk).update(
            original_name=crypto.decrypt_json(material.name_sealed)["name"][:200]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_answer_rounds_and_rating_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="material",
            name="name_sealed",
            field=models.TextField(blank=True, verbose_name="文件名（加密）"),
        ),
        migrations.RunPython(seal_names, unseal_names),
        migrations.RemoveField(model_name="material", name="original_name"),
        migrations.AddField(
            model_name="rating",
            name="reason",
            field=models.TextField(blank=True, default="", verbose_name="不满意的原因"),
        ),
    ]
