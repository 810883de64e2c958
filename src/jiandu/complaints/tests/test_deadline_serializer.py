"""The hand-built deadline rows give exactly what DRF's own ModelSerializer path would give."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework import serializers

from jiandu.complaints import services
from jiandu.complaints.api.serializers import DeadlineBriefSerializer, DeadlineSerializer
from jiandu.complaints.tests.test_services import intake
from jiandu.deadlines.models import Deadline
from jiandu.orgs.models import Agency

pytestmark = pytest.mark.django_db


class ReferenceSerializer(DeadlineSerializer):
    def to_representation(self, instance):
        return serializers.ModelSerializer.to_representation(self, instance)


class ReferenceBriefSerializer(DeadlineBriefSerializer):
    def to_representation(self, instance):
        return serializers.ModelSerializer.to_representation(self, instance)


def test_fast_rows_match_drf(demo):
    agency = Agency.objects.get(code="demo-ggzy")
    complaint = services.submit_complaint(intake(agency)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    rows = list(Deadline.objects.all())
    # Every state, with and without owner and extension, including one a later version might add.
    for state, owner, base in [
        ("extended", demo["ggzy-legal"].pk, datetime.date(2026, 1, 2)),
        ("missed", None, None),
        ("cancelled", None, None),
        ("unknown", None, None),
    ]:
        extra = Deadline(**{f.attname: getattr(rows[0], f.attname) for f in Deadline._meta.concrete_fields})
        extra.state, extra.owner_id, extra.base_due_date = state, owner, base
        rows.append(extra)
    context = {"today": timezone.localdate()}
    fast = DeadlineSerializer(rows, many=True, context=context).data
    reference = ReferenceSerializer(rows, many=True, context=context).data
    assert json.dumps(fast, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
    for a, b in zip(fast, reference, strict=True):
        assert [(k, type(v)) for k, v in a.items()] == [(k, type(v)) for k, v in b.items()]
    assert json.dumps(DeadlineBriefSerializer(rows, many=True).data) == json.dumps(
        ReferenceBriefSerializer(rows, many=True).data
    )
