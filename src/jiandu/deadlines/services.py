"""Services of the deadlines app.

- adding or correcting a year of the official calendar (and recomputing open deadlines with it);
- opening, extending and closing the statutory deadlines that run on matters. These are steps of
  a procedure: the procedure's own service calls them inside its transaction and writes the one
  ledger entry of the act, with the deadline's dates in its payload;
- `tick`: reminders before a due date and escalations after it, safe to run every minute.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from jiandu.calendar import OfficialCalendar, Unit, YearData, YearDataError, shipped_years
from jiandu.core.errors import ServiceError
from jiandu.deadlines.calendar_source import get_calendar
from jiandu.deadlines.models import CalendarYear, Deadline, Notification
from jiandu.deadlines.scope import may_see
from jiandu.ledger.services import record


def _last_known_year() -> int:
    stored = CalendarYear.objects.aggregate(last=Max("year"))["last"]
    shipped = shipped_years()[-1].year
    return shipped if stored is None else max(shipped, stored)


def validate_calendar_year(data: Any) -> YearData:
    """Check one year as an administrator submits it; raises ServiceError naming the field."""
    try:
        year = YearData.from_dict(data)
    except YearDataError as exc:
        raise ServiceError(exc.message, field=exc.field) from None
    if year.source.get("provisional"):
        raise ServiceError(
            "暂定日历不能作为正式日历导入，请提供国务院办公厅通知的安排", field="source.provisional"
        )
    if not str(year.source.get("notice", "")).strip():
        raise ServiceError("请填写来源通知文号，例如 国办发明电〔2025〕7号", field="source.notice")
    first = shipped_years()[0].year
    if year.year < first:
        raise ServiceError(f"工作日历从 {first} 年开始，不能导入 {year.year} 年", field="year")
    last = _last_known_year()
    if year.year > last + 1:
        raise ServiceError(
            f"工作日历目前到 {last} 年为止，须先导入 {last + 1} 年，不能跳过（不能导入 {year.year} 年）",
            field="year",
        )
    return year


def import_calendar_year(data: Any, *, actor: Any = None) -> CalendarYear:
    """Add the next year, or replace a known year, of the official calendar; ledgered."""
    with transaction.atomic():
        year = validate_calendar_year(data)
        stored = year.to_dict()
        notice = str(year.source["notice"]).strip()[: CalendarYear._meta.get_field("notice").max_length]
        if CalendarYear.objects.filter(year=year.year).exists():
            replaced = "database"
        elif year.year <= shipped_years()[-1].year:
            replaced = "shipped"
        else:
            replaced = None
        row, _created = CalendarYear.objects.update_or_create(
            year=year.year, defaults={"data": stored, "notice": notice}
        )
        changes = recompute_open_deadlines()
        canonical = json.dumps(stored, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        record(
            "calendar.year.import",
            actor=actor,
            obj=row,
            payload={
                "year": year.year,
                "notice": notice,
                "replaces": replaced,
                "holidays": len(year.holidays),
                "workdays": len(year.workdays),
                "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
                "deadlines_changed": [
                    {
                        "id": c.deadline.pk,
                        "from": c.old_due,
                        "to": c.new_due,
                        "was_provisional": c.was_provisional,
                    }
                    for c in changes
                ],
            },
        )
    return row


# ---------------------------------------------------------------------------- deadlines on matters


def _due(start: datetime.date, amount: int, unit: str, calendar: OfficialCalendar | None = None) -> Any:
    # Past the calendar's horizon the date is provisional (marked so wherever it is shown) and is
    # replaced by the exact one when the year's notice is imported (recompute_open_deadlines).
    return (calendar or get_calendar()).add(start, amount, Unit(unit), provisional_ok=True)


def check_start(start: datetime.date, period: Any, *, field: str) -> None:
    """ServiceError naming `field` when no due date can be counted from `start` for `period`
    (the official calendar, with its provisional years, covers 2004–2099)."""
    try:
        _due(start, period.amount, period.unit)
    except ValueError:
        raise ServiceError(
            f"无法从{start.isoformat()}起按正式日历计算期限（{period}），请检查日期。", field=field
        ) from None


def open_deadline(
    *,
    subject: models.Model,
    agency: Any,
    rule_key: str,
    period: Any,
    start: datetime.date,
    title: str,
    owner: Any = None,
) -> Deadline:
    """Open a deadline of `period` (a profile Period, with its citation) counted from `start`."""
    due = _due(start, period.amount, period.unit)
    return Deadline.objects.create(
        agency=agency,
        owner=owner,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        title=title,
        rule_key=rule_key,
        citation=str(period.citation),
        start_date=start,
        amount=period.amount,
        unit=period.unit,
        due_date=due.due,
        provisional=due.provisional,
    )


def open_deadlines_of(subject: models.Model) -> models.QuerySet:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, closed_at__isnull=True
    )


def deadlines_of(subject: models.Model) -> models.QuerySet:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )


def close_deadline(deadline: Deadline, *, at: datetime.datetime | None = None) -> Deadline:
    """Close a deadline: met when done by 24:00 of its last day, missed otherwise."""
    at = at or timezone.now()
    on_time = timezone.localtime(at).date() <= deadline.due_date
    deadline.closed_at = at
    deadline.state = (
        Deadline.State.MET if on_time and deadline.state != Deadline.State.MISSED else Deadline.State.MISSED
    )
    deadline.save(update_fields=["closed_at", "state"])
    return deadline


def cancel_deadline(deadline: Deadline, *, at: datetime.datetime | None = None) -> Deadline:
    """Close a deadline that no longer runs because a later act superseded what it was for (a
    notice replaced by a decision): neither met nor missed, cancelled."""
    deadline.closed_at = at or timezone.now()
    deadline.state = Deadline.State.CANCELLED
    deadline.save(update_fields=["closed_at", "state"])
    return deadline


def extend_deadline(deadline: Deadline, *, amount: int, unit: str, citation: str) -> Deadline:
    """Extend an open deadline; the extension runs from the end of the period it extends.

    A deadline may be extended more than once (the seeds bound the total, not the count: the
    caller checks the bound): the extensions add up and run from the end of the original period,
    which is also how `recompute_open_deadlines` counts them.
    """
    if not deadline.is_open:
        raise ServiceError("该期限已经结束，不能延长。", field="deadline")
    if deadline.extension_amount is not None and deadline.extension_unit != unit:
        raise ServiceError("再次延长须与前次延长的计算单位相同。", field="deadline")
    if deadline.extension_amount is None:
        deadline.base_due_date = deadline.due_date
    total = (deadline.extension_amount or 0) + amount
    assert deadline.base_due_date is not None  # set at the first extension: just above, or earlier
    due = _due(deadline.base_due_date, total, unit)
    deadline.extension_amount = total
    deadline.extension_unit = unit
    deadline.extension_citation = citation
    deadline.due_date = due.due
    deadline.provisional = deadline.provisional or due.provisional
    deadline.state = Deadline.State.EXTENDED
    deadline.save(
        update_fields=[
            "base_due_date",
            "extension_amount",
            "extension_unit",
            "extension_citation",
            "due_date",
            "provisional",
            "state",
        ]
    )
    return deadline


@dataclass(frozen=True)
class DueDateChange:
    deadline: Deadline
    old_due: datetime.date
    new_due: datetime.date
    was_provisional: bool


def _recomputed(deadline: Deadline, calendar: OfficialCalendar) -> tuple[datetime.date, bool]:
    base = _due(deadline.start_date, deadline.amount, deadline.unit, calendar)
    if deadline.extension_amount is None:
        return base.due, base.provisional
    extended = _due(base.due, deadline.extension_amount, deadline.extension_unit, calendar)
    return extended.due, base.provisional or extended.provisional


def recompute_open_deadlines() -> list[DueDateChange]:
    """After a calendar year is added or corrected: recount every open deadline on the new calendar.

    Each changed due date is saved and told to its owner; the caller's ledger entry lists them.
    """
    changes = []
    calendar = get_calendar()  # once: the year just imported is in it
    for deadline in (
        Deadline.objects.filter(closed_at__isnull=True).select_related("owner").iterator(chunk_size=500)
    ):
        new_due, provisional = _recomputed(deadline, calendar)
        if (new_due, provisional) == (deadline.due_date, deadline.provisional):
            continue
        change = DueDateChange(deadline, deadline.due_date, new_due, deadline.provisional)
        if deadline.extension_amount is not None:
            deadline.base_due_date = _due(deadline.start_date, deadline.amount, deadline.unit, calendar).due
        deadline.due_date, deadline.provisional = new_due, provisional
        deadline.save(update_fields=["due_date", "provisional", "base_due_date"])
        if deadline.owner_id and may_see(deadline.owner, deadline):
            status = "（暂定）" if provisional else ""
            notify(
                deadline.owner,
                f"工作日历更新：“{deadline.title}”的届满日由 {change.old_due} 改为 {new_due}{status}。",
                kind=Notification.Kind.DUE_DATE_CHANGED,
                deadline=deadline,
            )
        changes.append(change)
    return changes


def notify(
    person: Any,
    message: str,
    *,
    kind: str = Notification.Kind.INFO,
    deadline: Deadline | None = None,
    link: str = "",
) -> Notification:
    """An in-app notification (and an e-mail after commit when the person has an address)."""
    note = Notification.objects.create(
        person=person, kind=kind, deadline=deadline, message=message, link=link
    )
    if person.email:
        # Sent after commit: a rolled-back act sends nothing.
        transaction.on_commit(
            lambda: send_mail(
                f"[监督] {note.get_kind_display()}",
                message,
                settings.DEFAULT_FROM_EMAIL,
                [person.email],
                fail_silently=True,
            )
        )
    return note


@dataclass
class TickReport:
    reminded: int = 0
    escalated: int = 0


# Who else hears of an overdue period on a matter of some procedure, by the subject's model label
# (e.g. the supervising body of a filing whose reply is overdue: 002 第十一条 lets it act next).
_escalation_hooks: dict[str, Callable[[Any], list[Any]]] = {}


def register_escalation(model_label: str, others: Callable[[Any], list[Any]]) -> None:
    """`others(subject)` names people told, besides the agency's head, when a period is overdue."""
    _escalation_hooks[model_label] = others


def _escalation_recipients(deadline: Deadline) -> list[Any]:
    from jiandu.orgs.models import Person, Role

    people = list(
        Person.objects.filter(
            agency=deadline.agency, is_active=True, role_assignments__role=Role.PRINCIPAL_LEADER
        ).distinct()
    )
    model = deadline.subject_type.model_class()
    hook = _escalation_hooks.get(model._meta.label) if model is not None else None
    if hook is not None and deadline.subject is not None:
        people.extend(hook(deadline.subject))
    return people


def tick(now: datetime.datetime | None = None) -> TickReport:
    """Send due reminders and overdue escalations; each deadline is reminded and escalated once.

    Idempotent and safe to run from several workers at once: each deadline is claimed with a
    conditional UPDATE before anything is sent, so only one run sends its message.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    calendar = get_calendar()
    report = TickReport()
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True).select_related("owner", "agency")
    lead = settings.JIANDU_REMINDER_WORKDAYS
    for deadline in open_deadlines.filter(reminded_at__isnull=True, due_date__gte=today).iterator(
        chunk_size=500
    ):
        left = calendar.working_days_between(today, deadline.due_date, provisional_ok=True)
        if left > lead:
            continue
        with transaction.atomic():
            if not Deadline.objects.filter(pk=deadline.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            # The owner is told only while the matter is still theirs to see (a complaint hides
            # itself from the officer it is about, whoever took the step that opened the period).
            told = deadline.owner if deadline.owner_id and may_see(deadline.owner, deadline) else None
            if told is not None:
                notify(
                    told,
                    f"“{deadline.title}”将于 {deadline.due_date} 届满（依据：{deadline.citation}）。",
                    kind=Notification.Kind.REMINDER,
                    deadline=deadline,
                )
            record(
                "deadline.remind",
                agency=deadline.agency,
                obj=deadline,
                payload={"due": deadline.due_date, "owner": deadline.owner_id, "notified": told is not None},
            )
            report.reminded += 1
    for deadline in open_deadlines.filter(escalated_at__isnull=True, due_date__lt=today).iterator(
        chunk_size=500
    ):
        with transaction.atomic():
            claimed = Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(
                escalated_at=now, state=Deadline.State.MISSED
            )
            if not claimed:
                continue
            candidates = _escalation_recipients(deadline)
            if deadline.owner_id:
                candidates.append(deadline.owner)
            # A leader or owner the matter is hidden from (the officer a complaint is about) is
            # not told: the escalation names the matter.
            recipients = [p for p in {p.pk: p for p in candidates}.values() if may_see(p, deadline)]
            for person in recipients:
                notify(
                    person,
                    f"“{deadline.title}”已于 {deadline.due_date} 届满，尚未办结"
                    f"（依据：{deadline.citation}）。",
                    kind=Notification.Kind.ESCALATION,
                    deadline=deadline,
                )
            record(
                "deadline.escalate",
                agency=deadline.agency,
                obj=deadline,
                payload={"due": deadline.due_date, "notified": sorted(p.pk for p in recipients)},
            )
            report.escalated += 1
    return report
