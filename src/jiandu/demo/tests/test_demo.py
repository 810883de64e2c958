"""`jiandu demo` loads the district with complaints at several steps, through the services, once;
loading the district again changes nothing."""

import pytest
from django.core.management import call_command

from jiandu.complaints.models import Complaint
from jiandu.demo.loader import load_demo
from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.verify import verify_ledger
from jiandu.orgs.models import Person

pytestmark = pytest.mark.django_db


def test_demo_command_loads_matters_once(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    states = sorted(Complaint.objects.values_list("state", flat=True))
    assert states == ["accepted", "accepted", "accepted", "concluded", "received", "received", "received"]
    rehandled = Complaint.objects.get(hotline_ticket="DEMO-12345-0002")
    assert rehandled.answer_round == 1 and rehandled.ratings.get().visit_id == "DEMO-HF-0002-1"
    submitted = LedgerEntry.objects.filter(action="complaints.submit").count()
    assert submitted == Complaint.objects.count()
    assert verify_ledger().ok
    count = LedgerEntry.objects.count()
    call_command("demo")
    assert LedgerEntry.objects.count() == count
    assert "jiandu-demo-2026" in capsys.readouterr().out


def test_demo_is_idempotent(demo):
    count = LedgerEntry.objects.count()
    assert load_demo() is False
    assert LedgerEntry.objects.count() == count
    assert Person.objects.filter(username="admin").count() == 1
