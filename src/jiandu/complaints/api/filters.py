"""Query parameters of the complaint and deadline lists, validated like any other input."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from jiandu.calendar import Unit
from jiandu.deadlines.calendar_source import get_calendar

from ..models import Complaint
from .serializers import BoundedDateField


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ComplaintFilterSerializer(serializers.Serializer):
    """`?state=received&state=accepted&channel=hotline&received_from=2026-11-01&received_to=2026-11-30`."""

    state = serializers.ListField(
        child=serializers.ChoiceField(choices=Complaint.State.choices),
        required=False,
        help_text="状态，可重复",
    )
    channel = serializers.ListField(
        child=serializers.ChoiceField(choices=Complaint.Channel.choices),
        required=False,
        help_text="渠道，可重复",
    )
    agency = serializers.SlugField(required=False, help_text="受理机关代码")
    received_from = BoundedDateField(required=False, help_text="收到日期起（含）")
    received_to = BoundedDateField(required=False, help_text="收到日期止（含）")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and start > end:
            raise serializers.ValidationError({"received_to": ["截止日期不能早于起始日期。"]})
        return attrs

    def apply(self, queryset: QuerySet) -> QuerySet:
        data = self.validated_data
        if data.get("state"):
            queryset = queryset.filter(state__in=data["state"])
        if data.get("channel"):
            queryset = queryset.filter(channel__in=data["channel"])
        if data.get("agency"):
            queryset = queryset.filter(agency__code=data["agency"])
        # Compared as instants, not with __date, so that the database can use the received_at index.
        if data.get("received_from"):
            queryset = queryset.filter(received_at__gte=_start_of(data["received_from"]))
        if data.get("received_to"):
            one_day = datetime.timedelta(days=1)  # period-literal-ok: the bound of a date filter
            queryset = queryset.filter(received_at__lt=_start_of(data["received_to"] + one_day))
        return queryset


class DeadlineFilterSerializer(serializers.Serializer):
    """`?due=overdue` (past the due date) or `?due=soon` (due within the reminder window)."""

    due = serializers.ChoiceField(
        choices=[("overdue", "已逾期"), ("soon", "即将到期")],
        required=False,
        help_text="overdue：已过届满日；soon：今天起 JIANDU_REMINDER_WORKDAYS 个工作日内届满",
    )

    def apply(self, queryset: QuerySet, today: datetime.date) -> QuerySet:
        due = self.validated_data.get("due")
        if due == "overdue":
            return queryset.filter(due_date__lt=today)
        if due == "soon":
            # The window `jiandu tick` reminds in: at most JIANDU_REMINDER_WORKDAYS working days left.
            beyond = get_calendar().add(
                today, settings.JIANDU_REMINDER_WORKDAYS + 1, Unit.WORKDAY, provisional_ok=True
            )
            return queryset.filter(due_date__gte=today, due_date__lt=beyond.due)
        return queryset
