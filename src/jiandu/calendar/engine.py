"""The official working-day calendar and the legal-period arithmetic that runs on it.

Rules (DESIGN.md "Time is law"; 民法典 第201–204条, 民事诉讼法 第85条, 行政处罚法 第85条):

- The start day is not counted.
- `Unit.WORKDAY`: N working days are the N-th working day after the start day. Statutory holidays
  and ordinary weekends are skipped; weekend make-up working days (调休上班) count.
- `Unit.DAY`: the last day is start + N days. `Unit.MONTH`: the last day is the corresponding day
  N months on, or that month's last day where it has none (31 January + 1 month = 28/29 February).
- A period in days or months whose last day is a rest day ends on the next working day. A period
  in working days always ends on a working day, so the same rule is a no-op for it.
- A period ends at 24:00 of its last day, so the answer is a date.
- An amount of 0 makes the start day itself the last day, rolled forward to the next working day
  when it is a rest day (e.g. "当日"); this holds for every unit and keeps results monotone in N.
  A negative amount is a ValueError.

Past the last known year the engine refuses (`BeyondHorizon`) unless the caller accepts a
provisional answer (`provisional_ok=True`); provisional years are described in
`jiandu.calendar.statutory`. Nothing is stored about provisional answers: adding the real year
builds a new calendar and the same call returns the exact date.

A caveat the data model cannot remove: a year's notice sometimes rearranges the last days of the
year before (the 2012 notice made 2011-12-31 a working day; the 2019 and 2023 notices gave days
off in late December). When such a notice comes, the earlier year must be corrected too — an
administrator re-imports it — and exact dates that ran into those days change.

Speed: the calendar keeps a sorted list of working-day ordinals. A due date is one `bisect` and
one list index, returning a prebuilt `DueDate`; no loop runs per call.
"""

import copy
import json
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files
from itertools import pairwise
from operator import index
from typing import Any

from jiandu.calendar.statutory import FIRST_COMPUTABLE_YEAR, LAST_COMPUTABLE_YEAR, provisional_year_dict

_WEEKDAY_NAMES = "一二三四五六日"
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# How many provisional years to build at once when a provisional answer needs them.
_PROVISIONAL_CHUNK = 10
_YEAR_KEYS = frozenset({"year", "holidays", "workdays", "source"})


class Unit(StrEnum):
    """The unit a statutory period is counted in."""

    WORKDAY = "workday"
    DAY = "day"
    MONTH = "month"


_WORKDAY, _DAY, _MONTH = Unit.WORKDAY, Unit.DAY, Unit.MONTH


class YearDataError(ValueError):
    """Invalid data for one calendar year; `field` names the offending key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class BeyondHorizon(Exception):
    """The answer needs a year whose official calendar has not been published."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年工作日历尚未公布（official calendar for {year} not yet known）")


@dataclass(frozen=True, slots=True)
class DueDate:
    """The last day of a period (it ends at 24:00 of `due`)."""

    due: date
    provisional: bool = False
    # Years past the horizon whose provisional calendar the answer relied on.
    missing_years: tuple[int, ...] = ()

    def __str__(self) -> str:
        return self.due.isoformat()


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _parse_dates(raw: Any, key: str) -> list[date]:
    if not isinstance(raw, list):
        raise YearDataError(key, f"{key} 必须是日期列表（{key}: expected a list of ISO dates）")
    out = []
    for item in raw:
        if isinstance(item, date):
            out.append(item)
            continue
        try:
            out.append(date.fromisoformat(item))
        except (TypeError, ValueError):
            raise YearDataError(
                key, f"{key} 中的 {item!r} 不是 YYYY-MM-DD 日期（{key}: {item!r} is not an ISO date）"
            ) from None
    seen: set[date] = set()
    for d in out:
        if d in seen:
            raise YearDataError(key, f"{key} 中 {d} 重复（{key}: {d} listed twice）")
        seen.add(d)
    return out


def _check_source(source: Any) -> None:
    if not isinstance(source, Mapping):
        raise YearDataError("source", "source 必须是对象（source: expected an object）")
    title = source.get("title")
    if not isinstance(title, str) or not title.strip():
        raise YearDataError("source.title", "缺少来源通知标题（source.title: required）")
    for key in ("notice", "url"):
        if not isinstance(source.get(key, ""), str):
            raise YearDataError(
                f"source.{key}", f"source.{key} 必须是文本（source.{key}: expected a string）"
            )
    raw_date = source.get("date", "")
    if raw_date:
        try:
            date.fromisoformat(raw_date)
        except (TypeError, ValueError):
            raise YearDataError(
                "source.date", f"通知日期 {raw_date!r} 不是 YYYY-MM-DD（source.date: not an ISO date）"
            ) from None


@dataclass(frozen=True)
class YearData:
    """One year of the official calendar: its days off, its weekend working days, its source.

    `holidays` are the days off in the year's holiday arrangements (weekend days inside a break
    may be listed or not; they are rest days either way). `workdays` are weekend days that are
    working days (调休上班). `source` describes the notice (title, notice number, date, url,
    related notices); treat it as read-only.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: dict[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        year = self.year
        if type(year) is not int or not FIRST_COMPUTABLE_YEAR <= year <= LAST_COMPUTABLE_YEAR:
            raise YearDataError(
                "year",
                f"年度 {year!r} 无效，应在 {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR} 之间"
                f"（year: {year!r} outside {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR}）",
            )
        for key, days in (("holidays", self.holidays), ("workdays", self.workdays)):
            for d in sorted(days):
                if d.year != year:
                    raise YearDataError(key, f"{key} 中 {d} 不在 {year} 年内（{key}: {d} is not in {year}）")
        for d in sorted(self.workdays):
            if d.weekday() < 5:
                raise YearDataError(
                    "workdays",
                    f"调休上班日 {d} 是星期{_WEEKDAY_NAMES[d.weekday()]}，只能是周六或周日"
                    f"（workdays: {d} is not a Saturday or Sunday）",
                )
        both = sorted(self.holidays & self.workdays)
        if both:
            raise YearDataError(
                "workdays",
                f"{both[0]} 同时列为放假日和上班日（holidays and workdays overlap on {both[0]}）",
            )
        # Every text of 全国年节及纪念日放假办法 gives 1 January and 1–3 October off; a year without
        # them is the wrong year or a truncated list.
        for d in (date(year, 1, 1), date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)):
            if d not in self.holidays:
                raise YearDataError(
                    "holidays",
                    f"放假日期缺少法定节日 {d}（holidays: statutory holiday {d} is missing）",
                )
        _check_source(self.source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "YearData":
        """Parse and validate one year as stored in JSON; raises YearDataError (a ValueError)."""
        if not isinstance(data, Mapping):
            raise YearDataError("year", "年度数据必须是对象（expected an object for one year）")
        unknown = sorted(set(data) - _YEAR_KEYS)
        if unknown:
            raise YearDataError(unknown[0], f"未知字段 {unknown[0]!r}（unknown field {unknown[0]!r}）")
        for key in sorted(_YEAR_KEYS):
            if key not in data:
                raise YearDataError(key, f"缺少字段 {key}（missing field {key!r}）")
        source = data["source"]
        _check_source(source)
        return cls(
            year=data["year"],
            holidays=frozenset(_parse_dates(data["holidays"], "holidays")),
            workdays=frozenset(_parse_dates(data["workdays"], "workdays")),
            source=copy.deepcopy(dict(source)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
            "source": copy.deepcopy(self.source),
        }

    def working_ordinals(self) -> list[int]:
        """Ordinals of this year's working days, ascending (built once per calendar)."""
        start = date(self.year, 1, 1).toordinal()
        end = date(self.year, 12, 31).toordinal()
        holidays = {d.toordinal() for d in self.holidays}
        workdays = {d.toordinal() for d in self.workdays}
        # date.toordinal() of a Monday is ≡ 1 (mod 7); weekday() == (ordinal + 6) % 7.
        return [o for o in range(start, end + 1) if o in workdays or ((o + 6) % 7 < 5 and o not in holidays)]


def _month_end_ordinal(start: date, months: int) -> int:
    """Ordinal of the corresponding day `months` after `start`, or that month's last day."""
    m0 = start.month - 1 + months
    year = start.year + m0 // 12
    month = m0 % 12 + 1
    last = _DAYS_IN_MONTH[month] + (month == 2 and _is_leap(year))
    return date(year, month, min(start.day, last)).toordinal()


def _as_unit(unit: Any) -> Unit:
    try:
        return Unit(unit)
    except ValueError:
        raise ValueError(f"未知期间单位 {unit!r}，应为 workday/day/month（unknown unit {unit!r}）") from None


def _as_amount(amount: Any) -> int:
    try:
        n = index(amount)
    except TypeError:
        raise ValueError(f"期间长度必须是整数：{amount!r}（amount must be an integer）") from None
    if n < 0:
        raise ValueError(f"期间长度不能为负：{n}（amount must be ≥ 0）")
    return n


class OfficialCalendar:
    """Working days over a contiguous run of official years, with provisional years beyond it."""

    def __init__(self, years: Iterable[YearData]) -> None:
        by_year: dict[int, YearData] = {}
        for data in years:
            if data.year in by_year:
                raise ValueError(f"{data.year}年重复（year {data.year} given twice）")
            by_year[data.year] = data
        if not by_year:
            raise ValueError("工作日历为空（no calendar years given）")
        ordered = sorted(by_year)
        for before, after in pairwise(ordered):
            if after != before + 1:
                raise ValueError(
                    f"工作日历年度不连续：缺少{before + 1}年（years must be contiguous: "
                    f"{before + 1} is missing between {before} and {after}）"
                )
        self._years = {y: by_year[y] for y in ordered}
        self._first_year, self._last_year = ordered[0], ordered[-1]
        self._first_ord = date(self._first_year, 1, 1).toordinal()
        self._known_end_ord = date(self._last_year, 12, 31).toordinal()
        ords: list[int] = []
        for y in ordered:
            ords.extend(by_year[y].working_ordinals())
        # `_ords` grows by provisional years on demand (a new list is swapped in, so a reader
        # holding the old one is unaffected); `_known_len` marks where the official part ends.
        self._ords = ords
        self._known_len = len(ords)
        self._provisional_through = self._last_year
        self._dues = [DueDate(date.fromordinal(o)) for o in ords]
        self._extend_lock = threading.Lock()

    # -- queries ---------------------------------------------------------------------------

    @property
    def horizon(self) -> tuple[date, date]:
        """The first and last date of the official (non-provisional) calendar."""
        return date(self._first_year, 1, 1), date(self._last_year, 12, 31)

    @property
    def years(self) -> tuple[YearData, ...]:
        return tuple(self._years.values())

    def year_data(self, year: int) -> YearData:
        self._check_year_known(year)
        return self._years[year]

    def source_of(self, year: int) -> dict[str, Any]:
        """The notice a known year comes from (a copy)."""
        return copy.deepcopy(self.year_data(year).source)

    def is_working_day(self, d: date, *, provisional_ok: bool = False) -> bool:
        o = self._check_start(d)
        if o > self._known_end_ord:
            if not provisional_ok:
                raise BeyondHorizon(d.year)
            self._extend_through(d.year)
        ords = self._ords
        i = bisect_left(ords, o)
        return i < len(ords) and ords[i] == o

    def add(self, start: date, amount: int, unit: Unit, *, provisional_ok: bool = False) -> DueDate:
        """The last day of a period of `amount` `unit`s running from `start` (not counted)."""
        # The hot path: plain ints and enum members, one bisect, one index into prebuilt answers.
        s = start.toordinal()
        if s < self._first_ord:
            self._check_start(start)
        if amount.__class__ is not int or amount < 0:
            amount = _as_amount(amount)
        if unit is not _WORKDAY and unit is not _DAY and unit is not _MONTH:
            unit = _as_unit(unit)
        i = self._index(self._ords, start, s, amount, unit)
        if i < self._known_len:
            return self._dues[i]
        first_missing = max(start.year, self._last_year + 1)
        if not provisional_ok:
            raise BeyondHorizon(first_missing)
        while True:
            ords = self._ords
            i = self._index(ords, start, s, amount, unit)
            if i < len(ords):
                break
            self._extend_through(self._provisional_through + 1)
        due = date.fromordinal(ords[i])
        return DueDate(due, True, tuple(range(first_missing, due.year + 1)))

    def working_days_between(self, a: date, b: date, *, provisional_ok: bool = False) -> int:
        """Working days in (a, b]: the start day is not counted. Negative when b < a."""
        lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
        lo_ord = self._check_start(lo)
        hi_ord = hi.toordinal()
        if hi_ord > self._known_end_ord:
            if not provisional_ok:
                raise BeyondHorizon(max(lo.year, self._last_year + 1))
            self._extend_through(hi.year)
        ords = self._ords
        return sign * (bisect_right(ords, hi_ord) - bisect_right(ords, lo_ord))

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _index(ords: list[int], start: date, s: int, amount: int, unit: Unit) -> int:
        """Index in `ords` of the due date; may be len(ords) when `ords` does not reach it."""
        if unit is _WORKDAY:
            return bisect_right(ords, s) + amount - 1 if amount else bisect_left(ords, s)
        if unit is _DAY:
            return bisect_left(ords, s + amount)
        return bisect_left(ords, _month_end_ordinal(start, amount))

    def _check_start(self, d: date) -> int:
        o = d.toordinal()
        if o < self._first_ord:
            raise ValueError(
                f"{d} 早于工作日历首年 {self._first_year} 年（{d} precedes the calendar's first "
                f"year {self._first_year}）"
            )
        return o

    def _check_year_known(self, year: int) -> None:
        if year > self._last_year:
            raise BeyondHorizon(year)
        if year not in self._years:
            raise ValueError(f"工作日历不含 {year} 年（the calendar starts in {self._first_year}）")

    def _extend_through(self, year: int) -> None:
        """Append provisional years up to at least `year` (in chunks, at most to 2099)."""
        if year <= self._provisional_through:
            return
        if year > LAST_COMPUTABLE_YEAR:
            raise ValueError(
                f"期间超出可推算的最后一年 {LAST_COMPUTABLE_YEAR}（period runs past {LAST_COMPUTABLE_YEAR}, "
                f"the last year the lunar tables cover）"
            )
        with self._extend_lock:
            if year <= self._provisional_through:  # another thread got here first
                return
            first = self._provisional_through + 1
            last = min(max(year, first + _PROVISIONAL_CHUNK - 1), LAST_COMPUTABLE_YEAR)
            extra: list[int] = []
            for y in range(first, last + 1):
                extra.extend(YearData.from_dict(provisional_year_dict(y)).working_ordinals())
            self._ords = self._ords + extra
            self._provisional_through = last


def load_years(raw: Mapping[str, Any]) -> list[YearData]:
    """The years of a calendar file: {"years": [one year, …]}."""
    return [YearData.from_dict(item) for item in raw["years"]]


@cache
def shipped_years() -> tuple[YearData, ...]:
    """The years shipped in `data/cn_official.json` (immutable, read once per process)."""
    text = files("jiandu.calendar.data").joinpath("cn_official.json").read_text(encoding="utf-8")
    return tuple(load_years(json.loads(text)))


@cache
def default_calendar() -> OfficialCalendar:
    """The calendar of the shipped years alone (no administrator additions)."""
    return OfficialCalendar(shipped_years())
