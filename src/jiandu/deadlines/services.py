"""Services of the deadlines app: adding or correcting a year of the official calendar."""

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Max

from jiandu.calendar import YearData, YearDataError, shipped_years
from jiandu.core.errors import ServiceError
from jiandu.deadlines.models import CalendarYear
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
            },
        )
    return row
