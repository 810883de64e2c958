"""`jiandu deadline --from 2025-09-30 --within 5 --unit workday`: the last day of a statutory period.

The first line of stdout is the due date (ISO), always — scripts read that line; the second line
explains it and says PROVISIONAL when the answer relies on a year not yet published. `--json`
prints one JSON object instead. A period past the official horizon fails (exit status 2) unless
`--provisional` is given.
"""

import argparse
import json
from datetime import date

from django.db import DatabaseError

from jiandu.calendar import BeyondHorizon, DueDate, OfficialCalendar, Unit
from jiandu.deadlines.calendar_source import default_calendar, get_calendar
from jiandu.deadlines.management import OneLineCommand

_UNIT_WORDS = {Unit.WORKDAY: "个工作日", Unit.DAY: "日", Unit.MONTH: "个月"}


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} 不是 YYYY-MM-DD 日期（not an ISO date）") from None


def _amount(value: str) -> int:
    try:
        amount = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} 不是整数（not an integer）") from None
    if amount < 0:
        raise argparse.ArgumentTypeError(f"{amount} 为负数，期间长度须 ≥ 0（must be ≥ 0）")
    return amount


class Command(OneLineCommand):
    help = "计算法定期间的届满日（起算日不计入；遇休息日顺延）。Compute the last day of a statutory period."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--from",
            dest="start",
            type=_iso_date,
            required=True,
            metavar="YYYY-MM-DD",
            help="起算日（不计入期间）the start day, not counted",
        )
        parser.add_argument(
            "--within",
            dest="amount",
            type=_amount,
            required=True,
            metavar="N",
            help="期间长度 the amount",
        )
        parser.add_argument(
            "--unit",
            choices=[u.value for u in Unit],
            default=Unit.WORKDAY.value,
            help="workday（工作日，默认）, day（日）or month（月）",
        )
        parser.add_argument(
            "--provisional",
            action="store_true",
            help="允许按法定节假日推算尚未公布年度的暂定日期 allow a provisional date past the horizon",
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="print one JSON object")

    def handle(self, *args, start: date, amount: int, unit: str, provisional: bool, as_json: bool, **options):
        try:
            calendar = get_calendar()
        except DatabaseError:
            # No database yet (a fresh clone, or run outside the project folder): the shipped official
            # calendar still answers; only years an administrator added are missing.
            calendar = default_calendar()
            self.stderr.write("注意：数据库不可用，按随附的官方日历计算（管理员另行导入的年度未计入）。")
        period_unit = Unit(unit)
        try:
            result = calendar.add(start, amount, period_unit, provisional_ok=provisional)
        except BeyondHorizon as exc:
            self.fail(f"{exc}；加 --provisional 可得暂定日期（use --provisional for a provisional date）")
        except ValueError as exc:
            self.fail(str(exc))
        if as_json:
            self.stdout.write(json.dumps(self._as_json(calendar, start, amount, period_unit, result)))
        else:
            self.stdout.write(result.due.isoformat())
            self.stdout.write(self._explain(start, amount, period_unit, result))

    @staticmethod
    def _as_json(calendar: OfficialCalendar, start: date, amount: int, unit: Unit, result: DueDate) -> dict:
        first, last = calendar.horizon
        return {
            "due": result.due.isoformat(),
            "provisional": result.provisional,
            "start": start.isoformat(),
            "amount": amount,
            "unit": unit.value,
            "missing_years": list(result.missing_years),
            "horizon": {"first": first.isoformat(), "last": last.isoformat()},
        }

    @staticmethod
    def _explain(start: date, amount: int, unit: Unit, result: DueDate) -> str:
        period = f"自 {start} 起（当日不计入）{amount}{_UNIT_WORDS[unit]}，届满日 {result.due} 24:00"
        if not result.provisional:
            return period
        years = "、".join(str(y) for y in result.missing_years)
        return (
            f"暂定 PROVISIONAL：{period}；{years} 年工作日历尚未公布，按法定节假日推算（未计调休），"
            "公布后须重新计算"
        )
