"""Answers are counted (re-handling after a "不满意"); ratings name the answer and the hotline's visit.

Complaints concluded before this migration had been given one answer. Hotline ratings reported
before it carried no visit number; each is given its own, so none of them merges with another.
"""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat


def number_existing(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Rating = apps.get_model("complaints", "Rating")
    Complaint.objects.filter(concluded_at__isnull=False).update(answer_round=1)
    Rating.objects.filter(source="hotline", visit_id="").update(
        visit_id=Concat(Value("before-visit-numbers-"), Cast(F("id"), models.CharField()))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_explanation_matters"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="answer_round",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="答复次数"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="rehandling_reason",
            field=models.TextField(blank=True, verbose_name="重新办理理由"),
        ),
        migrations.AddField(
            model_name="rating",
            name="answer_round",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="所评答复"),
        ),
        migrations.AddField(
            model_name="rating",
            name="visit_id",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="回访编号"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="source",
            field=models.CharField(
                choices=[("complainant", "投诉举报人"), ("hotline", "12345热线回访")],
                max_length=20,
                verbose_name="来源",
            ),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rating",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "complainant")),
                fields=("complaint", "answer_round"),
                name="rating_complainant_once_per_answer",
            ),
        ),
        migrations.AddConstraint(
            model_name="rating",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "hotline")),
                fields=("complaint", "visit_id"),
                name="rating_hotline_visit_once",
            ),
        ),
    ]
