"""Calendar benchmark: the cost of a due-date call, and agreement with two public calendar packages.

Table 1 times "N working days after a start date" (N = 5, 10, 15, 20, 30) for our engine,
chinesecalendar (a day-by-day loop over `is_workday`), workalendar's China calendar
(`add_working_days`) and a bare `bisect` over a precomputed sorted list of working-day ordinals —
the pure-Python limit. Timings are the best of several `timeit` repeats in this run.

Table 2 compares is-working-day for every day 2004-01-01..2026-12-31 with both packages, lists
every disagreement and names the notice that decides it (from our data's `source`).
"""

import random
import timeit
import warnings
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar
from workalendar.asia import China
from workalendar.exceptions import CalendarError

from jiandu.calendar import OfficialCalendar, Unit, default_calendar

PERIODS = (5, 10, 15, 20, 30)
TARGET_RATIO = 2.0
ONE_DAY = timedelta(days=1)
WEEKDAYS = "一二三四五六日"


def _pairs(cal: OfficialCalendar, first: date, last: date, count: int, seed: int) -> list[tuple[date, int]]:
    """`count` (start, N) pairs with starts in [first, last] whose period ends inside the horizon."""
    rng = random.Random(seed)
    span = (last - first).days
    pairs: list[tuple[date, int]] = []
    while len(pairs) < count:
        start = first + timedelta(days=rng.randrange(span + 1))
        n = PERIODS[len(pairs) % len(PERIODS)]
        if cal.add(start, n, Unit.WORKDAY, provisional_ok=True).provisional:
            continue
        pairs.append((start, n))
    return pairs


def _per_call_us(
    func: Callable[[date, int], date], pairs: list[tuple[date, int]], number: int, repeat: int
) -> float:
    def run() -> None:
        for start, n in pairs:
            func(start, n)

    best = min(timeit.repeat(run, number=number, repeat=repeat))
    return best / (number * len(pairs)) * 1e6


def _chinesecalendar_add(start: date, n: int) -> date:
    d, counted = start, 0
    while counted < n:
        d += ONE_DAY
        if chinese_calendar.is_workday(d):
            counted += 1
    return d


def _governing_notice(cal: OfficialCalendar, d: date) -> str:
    """The notice that sets `d`: a related notice listing it, else the year's own notice."""
    source = cal.source_of(d.year)
    for related in source.get("related", []):
        if d.isoformat() in related.get("dates", []):
            return f"{related['title']}（{related.get('notice') or '文号未详'}）：{related.get('note', '')}"
    return f"{source['title']}（{source.get('notice') or '文号未详'}）"


def table_speed(cal: OfficialCalendar) -> None:
    first, last = cal.horizon
    pairs = _pairs(cal, first, last, 2000, seed=2025)
    wk_pairs = _pairs(cal, date(2018, 1, 1), date(2023, 11, 30), 200, seed=2018)
    ords = [
        o for o in range(first.toordinal(), last.toordinal() + 1) if cal.is_working_day(date.fromordinal(o))
    ]

    def bare_bisect(start: date, n: int) -> date:
        return date.fromordinal(ords[bisect_right(ords, start.toordinal()) + n - 1])

    add = cal.add

    def ours(start: date, n: int) -> date:
        return add(start, n, Unit.WORKDAY).due

    workalendar = China()
    rows = [
        ("bare bisect over working-day ordinals", bare_bisect, pairs, 50, 7, "2004–2026"),
        ("jiandu OfficialCalendar.add", ours, pairs, 50, 7, "2004–2026"),
        ("chinesecalendar is_workday loop", _chinesecalendar_add, pairs, 2, 3, "2004–2026"),
        ("workalendar China.add_working_days", workalendar.add_working_days, wk_pairs, 1, 3, "2018–2023*"),
    ]
    print("Table 1 — cost per due-date call: N working days after a start day, N ∈ {5, 10, 15, 20, 30}")
    header = f"{'implementation':<40}{'starts':>11}{'calls':>7}{'µs/call':>10}{'× bisect':>10}"
    print(f"{header}  same due date as ours")
    timings: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # workalendar warns on every year it loads
        for label, func, sample, number, repeat, starts in rows:
            us = _per_call_us(func, sample, number, repeat)
            timings[label] = us
            agree = sum(func(s, n) == cal.add(s, n, Unit.WORKDAY).due for s, n in sample)
            ratio = us / timings[rows[0][0]]
            print(f"{label:<40}{starts:>11}{len(sample):>7}{us:>10.2f}{ratio:>10.1f}  {agree}/{len(sample)}")
    ratio = timings[rows[1][0]] / timings[rows[0][0]]
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(
        f"Target: our due-date call within {TARGET_RATIO:.0f}× of the bare bisect — {verdict} ({ratio:.2f}×)."
    )
    print("* workalendar 17 configures China for 2018–2023 only (CalendarError for other years).")
    print("chinesecalendar's is_workday scans its whole holiday table (min/max of the keys) on every call.")
    print()


def table_agreement(cal: OfficialCalendar) -> None:
    first, last = cal.horizon
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    workalendar = China()
    print(f"Table 2 — is-working-day agreement, every day {first}..{last} ({len(days)} days)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for package, check in (
            ("chinesecalendar 1.11.0", chinese_calendar.is_workday),
            ("workalendar 17 China", workalendar.is_working_day),
        ):
            compared, uncovered, disagreements = 0, [], []
            for year in range(first.year, last.year + 1):
                in_year = [d for d in days if d.year == year]
                try:
                    theirs = [check(d) for d in in_year]
                except (CalendarError, NotImplementedError):
                    uncovered.append(year)
                    continue
                compared += len(in_year)
                disagreements += [
                    (d, t) for d, t in zip(in_year, theirs, strict=True) if t != cal.is_working_day(d)
                ]
            print(f"{package}: {compared} days compared, {len(disagreements)} disagreement(s)")
            if uncovered:
                print(f"  not covered (the package raises for these years): {_year_ranges(uncovered)}")
            for d, theirs in disagreements:
                ours = cal.is_working_day(d)
                print(
                    f"  {d}（星期{WEEKDAYS[d.weekday()]}） ours: {_label(ours)}, theirs: {_label(theirs)} — "
                    f"ours is right per {_governing_notice(cal, d)}"
                )
    print()


def _label(working: bool) -> str:
    return "working" if working else "rest"


def _year_ranges(years: list[int]) -> str:
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def main() -> None:
    cal = default_calendar()
    table_speed(cal)
    table_agreement(cal)
