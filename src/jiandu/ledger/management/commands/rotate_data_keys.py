"""`jiandu rotate-data-keys`: re-encrypt every sealed personal-data value with the newest key.

Run after putting a new key first in JIANDU_DATA_KEYS; once it finishes, the old key can be dropped.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from jiandu.core import crypto
from jiandu.ledger.services import record

# Every field that holds a `crypto.encrypt_json` token, as (model label, field name).
SEALED_FIELDS = [("complaints.Complaint", "complainant_sealed"), ("complaints.Material", "name_sealed")]


class Command(BaseCommand):
    help = "Re-encrypt sealed personal data with the newest key in JIANDU_DATA_KEYS."

    def handle(self, *args, **options) -> None:
        total = 0
        for label, field in SEALED_FIELDS:
            model = apps.get_model(label)
            ids = list(model.objects.exclude(**{field: ""}).values_list("pk", flat=True))
            for start in range(0, len(ids), 500):
                with transaction.atomic():
                    for obj in model.objects.select_for_update().filter(pk__in=ids[start : start + 500]):
                        setattr(obj, field, crypto.rotate(getattr(obj, field)))
                        obj.save(update_fields=[field])
                        total += 1
            with transaction.atomic():
                record("core.data_keys.rotate", payload={"model": label, "field": field, "count": len(ids)})
        self.stdout.write(f"re-encrypted {total} value(s)")
