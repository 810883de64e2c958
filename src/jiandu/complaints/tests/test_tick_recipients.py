"""Reminders and escalations go only to people who may see the matter they name."""

import datetime

import pytest
from django.utils import timezone

from jiandu.complaints import services as complaints
from jiandu.complaints.tests.test_services import intake
from jiandu.deadlines import services
from jiandu.deadlines.models import Deadline, Notification
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency

pytestmark = pytest.mark.django_db


def _complaint_about(officer, demo):
    amr = Agency.objects.get(code="demo-amr")
    complaint = complaints.submit_complaint(intake(amr, target_officer=officer)).complaint
    complaints.accept_complaint(complaint, actor=demo["legal"])
    return complaint


def _told(person, complaint) -> list[str]:
    return list(
        Notification.objects.filter(person=person, message__contains=complaint.number).values_list(
            "kind", flat=True
        )
    )


def test_escalation_skips_the_leader_the_complaint_is_about(demo):
    complaint = _complaint_about(demo["leader"], demo)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Deadline.objects.filter(subject_id=complaint.pk, closed_at__isnull=True).update(due_date=yesterday)

    report = services.tick()

    assert report.escalated >= 1
    assert _told(demo["leader"], complaint) == []
    assert Notification.Kind.ESCALATION in _told(demo["legal"], complaint)
    for entry in LedgerEntry.objects.filter(action="deadline.escalate"):
        assert demo["leader"].pk not in entry.payload["notified"]


def test_reminder_skips_an_owner_the_complaint_is_about(demo):
    complaint = _complaint_about(demo["handler"], demo)
    # However the officer came to own the period, the reminder names a complaint about him.
    Deadline.objects.filter(subject_id=complaint.pk, closed_at__isnull=True).update(
        owner=demo["handler"], due_date=timezone.localdate()
    )

    report = services.tick()

    assert report.reminded >= 1
    assert _told(demo["handler"], complaint) == []
    assert not Notification.objects.filter(person=demo["handler"]).exists()


def test_reminder_still_reaches_an_owner_who_may_see_the_matter(demo):
    complaint = _complaint_about(demo["handler"], demo)
    Deadline.objects.filter(subject_id=complaint.pk, closed_at__isnull=True).update(
        due_date=timezone.localdate()
    )

    services.tick()

    assert Notification.Kind.REMINDER in _told(demo["legal"], complaint)
