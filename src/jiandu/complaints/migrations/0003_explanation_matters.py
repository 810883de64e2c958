from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_reveal_complaint_complaint_agency_recent_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="explanationrequest",
            name="matters",
            field=models.TextField(default="", verbose_name="需要说明的事项"),
            preserve_default=False,
        ),
    ]
