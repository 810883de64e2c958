"""Property tests: the engine against a plain day-by-day reference written from the rules alone.

The reference reads the shipped JSON itself (not through the engine) and walks one day at a time;
it is slow and obviously right. It returns None when it would need a day past the horizon, which
is exactly when the engine must raise BeyondHorizon.
"""

import calendar
import json
from datetime import date, timedelta
from importlib.resources import files

from hypothesis import given, settings
from hypothesis import strategies as st

from jiandu.calendar import BeyondHorizon, Unit, default_calendar, statutory_holidays

CAL = default_calendar()
FIRST, LAST = date(2004, 1, 1), date(2026, 12, 31)
ONE_DAY = timedelta(days=1)

_raw = json.loads(files("jiandu.calendar.data").joinpath("cn_official.json").read_text(encoding="utf-8"))
HOLIDAYS = {date.fromisoformat(d) for year in _raw["years"] for d in year["holidays"]}
WORKDAYS = {date.fromisoformat(d) for year in _raw["years"] for d in year["workdays"]}


def ref_is_working(d: date) -> bool:
    if d in WORKDAYS:
        return True
    if d in HOLIDAYS:
        return False
    return d.weekday() < 5


def ref_provisional_is_working(d: date) -> bool:
    """Past the horizon: weekends and the statutory days of Article 2 are rest days, nothing else."""
    if d <= LAST:
        return ref_is_working(d)
    statutory = {day for days in statutory_holidays(d.year).values() for day in days}
    return d.weekday() < 5 and d not in statutory


def ref_add(start: date, n: int, unit: Unit, *, is_working=ref_is_working, limit: date = LAST) -> date | None:
    if unit is Unit.WORKDAY and n > 0:
        d, counted = start, 0
        while counted < n:
            d += ONE_DAY
            if d > limit:
                return None
            if is_working(d):
                counted += 1
        return d
    if unit is Unit.MONTH:
        month_index = start.month - 1 + n
        year, month = start.year + month_index // 12, month_index % 12 + 1
        last = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    else:  # a day period, or zero of anything: the last day is start + n days
        last = start + timedelta(days=n)
    while True:
        if last > limit:
            return None
        if is_working(last):
            return last
        last += ONE_DAY


starts = st.dates(min_value=FIRST, max_value=LAST)
amounts = st.integers(min_value=0, max_value=60)
units = st.sampled_from(list(Unit))


def test_is_working_day_agrees_with_the_reference_on_every_day():
    d = FIRST
    while d <= LAST:
        assert CAL.is_working_day(d) == ref_is_working(d), d
        d += ONE_DAY


@settings(max_examples=400, deadline=None)
@given(start=starts, amount=amounts, unit=units)
def test_add_matches_the_reference(start, amount, unit):
    expected = ref_add(start, amount, unit)
    if expected is None:
        try:
            CAL.add(start, amount, unit)
        except BeyondHorizon as exc:
            assert exc.year == 2027
        else:
            raise AssertionError("expected BeyondHorizon")
    else:
        result = CAL.add(start, amount, unit)
        assert result.due == expected
        assert not result.provisional and result.missing_years == ()


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2026, 6, 1), max_value=date(2030, 12, 31)), amount=amounts, unit=units)
def test_provisional_add_matches_the_provisional_reference(start, amount, unit):
    expected = ref_add(start, amount, unit, is_working=ref_provisional_is_working, limit=date(2099, 12, 31))
    result = CAL.add(start, amount, unit, provisional_ok=True)
    assert result.due == expected
    assert result.provisional == (expected > LAST)
    if result.provisional:
        assert result.missing_years == tuple(range(max(start.year, 2027), expected.year + 1))


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=amounts, unit=units)
def test_result_is_a_working_day_and_monotone_in_amount(start, amount, unit):
    try:
        due = CAL.add(start, amount, unit).due
        following = CAL.add(start, amount + 1, unit).due
    except BeyondHorizon:
        return
    assert ref_is_working(due)
    assert due >= start
    assert following >= due
    if unit is Unit.WORKDAY and amount > 0:
        assert following > due  # each further working day is a new day


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=60))
def test_working_days_between_inverts_add(start, amount):
    try:
        due = CAL.add(start, amount, Unit.WORKDAY).due
    except BeyondHorizon:
        return
    assert CAL.working_days_between(start, due) == amount
    # One day earlier the period has not run its course.
    assert CAL.working_days_between(start, due - ONE_DAY) == amount - 1


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts)
def test_working_days_between_counts_like_the_reference(a, b):
    lo, hi = min(a, b), max(a, b)
    if (hi - lo).days > 400:
        hi = lo + timedelta(days=400)
    expected = sum(ref_is_working(lo + timedelta(days=k)) for k in range(1, (hi - lo).days + 1))
    assert CAL.working_days_between(lo, hi) == expected
    assert CAL.working_days_between(hi, lo) == -expected
