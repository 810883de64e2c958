"""Deadlines on matters: opened from the agency's profile, extended, closed, recomputed, reminded."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from jiandu.calendar import Unit
from jiandu.calendar.tests.fixtures import year_2027
from jiandu.deadlines import services
from jiandu.deadlines.calendar_source import get_calendar
from jiandu.deadlines.models import Deadline, Notification
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency
from jiandu.orgs.profiles import profile_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def amr(demo) -> Agency:
    return Agency.objects.get(code="demo-amr")


def _open(agency, key, start, owner=None, title="测试事项"):
    return services.open_deadline(
        subject=agency,
        agency=agency,
        rule_key=key,
        period=profile_for(agency).period(key),
        start=start,
        title=title,
        owner=owner,
    )


@pytest.mark.parametrize("code", ["demo-amr", "demo-ggzy"])
def test_due_date_comes_from_the_profile_and_the_calendar(demo, code):
    agency = Agency.objects.get(code=code)
    period = profile_for(agency).period("complaint.handling")
    start = datetime.date(2025, 9, 20)
    deadline = _open(agency, "complaint.handling", start)
    assert deadline.due_date == get_calendar().add(start, period.amount, Unit(period.unit)).due
    assert deadline.citation == str(period.citation) and deadline.citation
    assert not deadline.provisional


def test_period_past_the_horizon_is_provisional(amr):
    deadline = _open(amr, "complaint.handling", datetime.date(2026, 12, 20))
    assert deadline.provisional and deadline.due_date.year == 2027


def test_extension_runs_from_the_end_of_the_period(amr):
    deadline = _open(amr, "complaint.handling", datetime.date(2025, 3, 3))
    original = deadline.due_date
    ext = profile_for(amr).period("complaint.extension.max")
    services.extend_deadline(deadline, amount=ext.amount, unit=ext.unit, citation=str(ext.citation))
    assert deadline.base_due_date == original
    assert deadline.due_date == get_calendar().add(original, ext.amount, Unit(ext.unit)).due
    assert deadline.state == Deadline.State.EXTENDED
    # A second extension adds to the first, still counted from the end of the original period.
    services.extend_deadline(deadline, amount=2, unit=ext.unit, citation=str(ext.citation))
    assert deadline.extension_amount == ext.amount + 2 and deadline.base_due_date == original
    assert deadline.due_date == get_calendar().add(original, ext.amount + 2, Unit(ext.unit)).due
    with pytest.raises(Exception, match="计算单位相同"):
        services.extend_deadline(deadline, amount=1, unit="workday", citation="x")


def test_close_on_time_is_met_late_is_missed(amr):
    deadline = _open(amr, "complaint.handling", datetime.date(2025, 3, 3))
    last_moment = timezone.make_aware(datetime.datetime.combine(deadline.due_date, datetime.time(23, 59)))
    assert services.close_deadline(deadline, at=last_moment).state == Deadline.State.MET
    late = _open(amr, "complaint.handling", datetime.date(2025, 3, 3))
    next_day = last_moment + datetime.timedelta(minutes=2)
    assert services.close_deadline(late, at=next_day).state == Deadline.State.MISSED


def test_importing_a_year_recomputes_open_deadlines_and_tells_the_owner(amr, demo):
    deadline = _open(amr, "complaint.handling", datetime.date(2026, 12, 20), owner=demo["legal"])
    assert deadline.provisional
    # A stand-in 2027 notice that adds 2027-01-04 to the New Year holiday: the due date must move.
    data = year_2027()
    data["holidays"].append("2027-01-04")
    services.import_calendar_year(data, actor=demo["admin"])
    deadline.refresh_from_db()
    assert not deadline.provisional
    assert (
        deadline.due_date
        == get_calendar().add(datetime.date(2026, 12, 20), deadline.amount, Unit(deadline.unit)).due
    )
    note = Notification.objects.get(person=demo["legal"], kind=Notification.Kind.DUE_DATE_CHANGED)
    assert str(deadline.due_date) in note.message
    entry = LedgerEntry.objects.filter(action="calendar.year.import").latest("seq")
    assert entry.payload["deadlines_changed"][0]["id"] == deadline.pk
    assert json.dumps(entry.payload)  # plain JSON


def test_tick_reminds_before_and_escalates_after_once(amr, demo):
    today = timezone.localdate()
    cal = get_calendar()
    # Start far enough back that the due date is today: a reminder is due.
    soon = _open(
        amr,
        "complaint.handling",
        today - datetime.timedelta(days=30),
        owner=demo["legal"],
        title="即将到期事项",
    )
    overdue = _open(
        amr, "complaint.handling", today - datetime.timedelta(days=120), owner=demo["legal"], title="逾期事项"
    )
    assert overdue.due_date < today
    report = services.tick()
    soon.refresh_from_db()
    assert report.escalated == 1
    left = (
        cal.working_days_between(today, soon.due_date, provisional_ok=True) if soon.due_date >= today else -1
    )
    assert report.reminded == (1 if 0 <= left <= 2 else 0)
    overdue.refresh_from_db()
    assert overdue.state == Deadline.State.MISSED and overdue.escalated_at
    leader_notes = Notification.objects.filter(person=demo["leader"], kind=Notification.Kind.ESCALATION)
    assert leader_notes.count() == 1 and "逾期事项" in leader_notes.get().message
    # Running again sends nothing twice.
    again = services.tick()
    assert (again.reminded, again.escalated) == (0, 0)
    assert Notification.objects.filter(kind=Notification.Kind.ESCALATION).count() == 2  # leader + owner
    assert LedgerEntry.objects.filter(action="deadline.escalate").count() == 1
    assert all("投诉举报人" not in m.body for m in mail.outbox)
