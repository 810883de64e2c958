"""Deadlines on complaints are listed only to those who may see the complaint (home page and API)."""

import datetime

import pytest
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.tests.test_services import intake
from jiandu.deadlines.models import Deadline
from jiandu.deadlines.scope import open_deadlines_for
from jiandu.orgs.models import Agency

pytestmark = pytest.mark.django_db


def test_home_page_hides_complaint_deadlines_from_the_officer_complained_about(demo, signed_in):
    amr = Agency.objects.get(code="demo-amr")
    complaint = services.submit_complaint(intake(amr, target_officer=demo["handler"])).complaint
    services.accept_complaint(complaint, actor=demo["legal"])
    # Make the handling period overdue so that the home page lists it.
    Deadline.objects.filter(subject_id=complaint.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert open_deadlines_for(demo["legal"]).filter(subject_id=complaint.pk).exists()
    for username in ("handler", "handler2", "ggzy-legal"):
        assert not open_deadlines_for(demo[username]).filter(subject_id=complaint.pk).exists(), username
        assert complaint.number not in signed_in(username).get("/").content.decode()
    assert complaint.number in signed_in("legal").get("/").content.decode()
    assert complaint.number in signed_in("supervisor").get("/").content.decode()
