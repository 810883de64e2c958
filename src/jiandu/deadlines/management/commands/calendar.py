"""`jiandu calendar import FILE | show YEAR | horizon`: the official working-day calendar.

`import` reads a JSON file holding one year (the shape of one entry of the shipped
`cn_official.json`), a list of years, or a whole calendar file ({"years": [...]}); the years are
imported in order, all or none, each through `import_calendar_year` (validated and ledgered).
"""

import argparse
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from jiandu.calendar import BeyondHorizon, OfficialCalendar
from jiandu.core.errors import ServiceError
from jiandu.deadlines.calendar_source import get_calendar, table_ready
from jiandu.deadlines.management import OneLineCommand, OneLineParser
from jiandu.deadlines.models import CalendarYear
from jiandu.deadlines.services import import_calendar_year


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive dates grouped into (first, last) runs, for a compact listing."""
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and d == runs[-1][1] + timedelta(days=1):  # period-literal-ok: adjacent dates in a listing
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _describe_notice(source: dict[str, Any]) -> str:
    parts = [source["title"]]
    parts += [f"（{source[key]}）" for key in ("notice", "date") if source.get(key)]
    return "".join(parts)


class Command(OneLineCommand):
    help = "官方工作日历：导入、查看年度、查看已知范围。The official working-day calendar."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="action", metavar="{import,show,horizon}", required=True, parser_class=OneLineParser
        )
        importer = actions.add_parser(
            "import", help='导入年度安排（JSON：一年、年度列表或 {"years": [...]}）'
        )
        importer.add_argument("file", type=Path, metavar="FILE")
        show = actions.add_parser("show", help="显示一年的放假日、调休上班日及来源通知")
        show.add_argument("year", type=int, metavar="YEAR")
        actions.add_parser("horizon", help="显示已公布工作日历的范围")

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self._import(options["file"])
        elif action == "show":
            self._show(options["year"])
        else:
            self._horizon(get_calendar())

    def _import(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.fail(f"无法读取 {path}：{exc.strerror}（cannot read file）")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.fail(f"{path} 不是有效的 JSON：{exc}（invalid JSON）")
        if isinstance(raw, dict) and "years" in raw:
            raw = raw["years"]
        items = raw if isinstance(raw, list) else [raw]
        if not items or not all(isinstance(item, dict) for item in items):
            self.fail(f"{path}：应为一个年度对象或年度对象列表（expected one year or a list of years）")
        if not table_ready():
            self.fail("数据库尚未迁移，请先运行 jiandu migrate（database not migrated）")
        # In year order so that a file holding 2027 and 2028 can extend the horizon by both.
        items.sort(key=lambda item: item.get("year") if isinstance(item.get("year"), int) else 0)
        with transaction.atomic():
            rows = []
            for item in items:
                try:
                    rows.append(import_calendar_year(item, actor=None))
                except ServiceError as exc:
                    where = f"{item.get('year')}年 " if item.get("year") is not None else ""
                    field = f"（字段 {exc.field}）" if exc.field else ""
                    self.fail(f"{path}：{where}{exc.message}{field}；未导入任何年度")
        for row in rows:
            self.stdout.write(f"已导入 {row.year} 年（{row.notice}）")
        self._horizon(get_calendar())

    def _show(self, year: int) -> None:
        calendar = get_calendar()
        try:
            data = calendar.year_data(year)
        except (BeyondHorizon, ValueError) as exc:
            self.fail(str(exc))
        row = CalendarYear.objects.filter(year=year).first() if table_ready() else None
        origin = f"管理员导入，{row.updated_at:%Y-%m-%d %H:%M}" if row else "随软件发布"
        self.stdout.write(f"{year} 年工作日历（{origin}）")
        self.stdout.write(f"来源：{_describe_notice(data.source)}")
        if data.source.get("url"):
            self.stdout.write(f"      {data.source['url']}")
        for related in data.source.get("related", []):
            self.stdout.write(f"另见：{_describe_notice(related)}　{related.get('note', '')}")
        self.stdout.write(f"放假日（{len(data.holidays)} 天）：")
        for first, last in _runs(list(data.holidays)):
            span = f"{first}" if first == last else f"{first} 至 {last}（{(last - first).days + 1} 天）"
            self.stdout.write(f"  {span}")
        workdays = "、".join(f"{d}（星期{'一二三四五六日'[d.weekday()]}）" for d in sorted(data.workdays))
        self.stdout.write(f"调休上班日（{len(data.workdays)} 天）：{workdays or '无'}")

    def _horizon(self, calendar: OfficialCalendar) -> None:
        first, last = calendar.horizon
        self.stdout.write(f"{first} {last}")
        notice = _describe_notice(calendar.source_of(last.year))
        self.stdout.write(f"已公布工作日历 {first.year}–{last.year} 年；最后一年依据 {notice}")
