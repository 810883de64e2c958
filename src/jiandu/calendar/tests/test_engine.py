"""Known cases for the calendar engine, each with the notice or rule it rests on."""

import json
import subprocess
import sys
from datetime import date
from importlib.resources import files

import pytest

from jiandu.calendar import (
    BeyondHorizon,
    DueDate,
    OfficialCalendar,
    Unit,
    YearData,
    YearDataError,
    default_calendar,
    shipped_years,
)
from jiandu.calendar.tests.fixtures import year_2027

CAL = default_calendar()


def test_shipped_data_spans_2004_to_2026_with_a_notice_for_every_year():
    years = shipped_years()
    assert [y.year for y in years] == list(range(2004, 2027))
    assert CAL.horizon == (date(2004, 1, 1), date(2026, 12, 31))
    for data in years:
        assert data.source["title"] == f"国务院办公厅关于{data.year}年部分节假日安排的通知"
    assert CAL.source_of(2025)["notice"] == "国办发明电〔2024〕12号"
    assert CAL.source_of(2026)["notice"] == "国办发明电〔2025〕7号"


def test_shipped_file_round_trips_through_year_data():
    raw = json.loads(files("jiandu.calendar.data").joinpath("cn_official.json").read_text(encoding="utf-8"))
    assert [YearData.from_dict(item).to_dict() for item in raw["years"]] == raw["years"]


def test_national_day_2025_five_working_days():
    # 国办发明电〔2024〕12号: 国庆节、中秋节 10月1日至8日放假调休；9月28日（周日）、10月11日（周六）上班。
    # After 30 Sep: 9 Oct (1), 10 Oct (2), Saturday 11 Oct make-up day (3), 13 Oct (4), 14 Oct (5).
    result = CAL.add(date(2025, 9, 30), 5, Unit.WORKDAY)
    assert result == DueDate(date(2025, 10, 14))
    assert str(result) == "2025-10-14"
    assert CAL.is_working_day(date(2025, 9, 28)) and CAL.is_working_day(date(2025, 10, 11))
    assert not CAL.is_working_day(date(2025, 10, 8))


def test_make_up_weekend_day_is_counted():
    # Same notice: Friday 26 Sep + 1 working day is Sunday 28 Sep (上班), not Monday 29 Sep.
    assert CAL.add(date(2025, 9, 26), 1, Unit.WORKDAY).due == date(2025, 9, 28)


def test_month_period_ending_on_the_31st_in_a_30_day_month():
    # 民法典 第202条: no corresponding day → the month's last day. 2025-09-30 is a Tuesday.
    assert CAL.add(date(2025, 8, 31), 1, Unit.MONTH).due == date(2025, 9, 30)
    # Leap February: 2024-02-29 is a Thursday and a working day.
    assert CAL.add(date(2024, 1, 31), 1, Unit.MONTH).due == date(2024, 2, 29)


def test_month_period_ending_on_a_holiday_rolls_forward():
    # 国办发明电〔2024〕12号: 端午节 5月31日（周六）至6月2日（周一）放假 → next working day 3 June.
    assert CAL.add(date(2025, 3, 31), 2, Unit.MONTH).due == date(2025, 6, 3)


def test_day_period_ending_in_the_spring_festival_rolls_to_the_first_working_day():
    # 国办发明电〔2024〕12号: 春节 1月28日至2月4日放假调休. 20 Jan + 10 days = 30 Jan, a holiday.
    assert CAL.add(date(2025, 1, 20), 10, Unit.DAY).due == date(2025, 2, 5)


def test_day_period_ending_on_an_ordinary_weekend_rolls_to_monday():
    # 2025-06-14 is a Saturday with no arrangement → Monday 16 June.
    assert CAL.add(date(2025, 6, 4), 10, Unit.DAY).due == date(2025, 6, 16)


def test_2020_spring_festival_extension_is_in_the_data():
    # 国务院办公厅关于延长2020年春节假期的通知: holiday to 2 Feb; Saturday 1 Feb no longer worked.
    assert not CAL.is_working_day(date(2020, 2, 1))
    assert CAL.add(date(2020, 1, 23), 1, Unit.WORKDAY).due == date(2020, 2, 3)


def test_2005_12_31_correction():
    # 2006 notice: "12月31日(星期六)上班" — missing from chinesecalendar, corrected in our data.
    assert CAL.is_working_day(date(2005, 12, 31))


def test_zero_amount_is_the_start_day_rolled_forward():
    assert CAL.add(date(2025, 10, 14), 0, Unit.WORKDAY).due == date(2025, 10, 14)
    assert CAL.add(date(2025, 10, 4), 0, Unit.DAY).due == date(2025, 10, 9)
    assert CAL.add(date(2025, 10, 4), 0, Unit.WORKDAY).due == date(2025, 10, 9)
    assert CAL.add(date(2025, 10, 4), 0, Unit.MONTH).due == date(2025, 10, 9)


def test_units_may_be_given_as_strings():
    assert CAL.add(date(2025, 9, 30), 5, "workday").due == date(2025, 10, 14)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [(-1, Unit.DAY, "负"), (1.5, Unit.DAY, "整数"), (3, "week", "week")],
)
def test_bad_arguments(amount, unit, expected):
    with pytest.raises(ValueError, match=expected):
        CAL.add(date(2025, 1, 2), amount, unit)


def test_start_before_the_first_year_is_refused():
    with pytest.raises(ValueError, match="2004"):
        CAL.add(date(2003, 12, 31), 1, Unit.DAY)


def test_beyond_horizon_names_the_first_missing_year():
    with pytest.raises(BeyondHorizon) as caught:
        CAL.add(date(2026, 12, 20), 10, Unit.WORKDAY)
    assert caught.value.year == 2027
    assert str(caught.value) == "2027年工作日历尚未公布（official calendar for 2027 not yet known）"
    with pytest.raises(BeyondHorizon, match="2027"):
        CAL.add(date(2026, 12, 27), 5, Unit.DAY)  # last day 2027-01-01
    with pytest.raises(BeyondHorizon, match="2029"):
        CAL.add(date(2029, 3, 1), 1, Unit.DAY)
    with pytest.raises(BeyondHorizon):
        CAL.is_working_day(date(2027, 1, 4))
    with pytest.raises(BeyondHorizon):
        CAL.working_days_between(date(2026, 12, 1), date(2027, 1, 10))


def test_period_ending_on_the_horizons_last_day_is_exact():
    # 2026-12-31 is a Thursday and a working day: nothing of 2027 is needed.
    assert CAL.add(date(2026, 12, 21), 10, Unit.DAY) == DueDate(date(2026, 12, 31))


def test_provisional_answer_across_the_2027_spring_festival():
    # 2027: 除夕 2027-02-05 (Friday), 正月初一 2027-02-06; 春节 off 5–8 Feb under the 2024 text.
    result = CAL.add(date(2027, 2, 4), 1, Unit.WORKDAY, provisional_ok=True)
    assert result == DueDate(date(2027, 2, 9), provisional=True, missing_years=(2027,))
    assert CAL.is_working_day(date(2027, 2, 8), provisional_ok=True) is False
    spanning = CAL.add(date(2026, 12, 15), 1, Unit.MONTH, provisional_ok=True)
    assert spanning == DueDate(date(2027, 1, 15), provisional=True, missing_years=(2027,))
    far = CAL.add(date(2026, 12, 15), 30, Unit.MONTH, provisional_ok=True)
    assert far.provisional and far.missing_years == (2027, 2028, 2029)


def test_provisional_answers_extend_as_far_as_needed_and_stop_at_2099():
    assert CAL.add(date(2026, 1, 5), 40, Unit.MONTH, provisional_ok=True).due.year == 2029
    assert 2049 <= CAL.add(date(2030, 1, 2), 20 * 250, Unit.WORKDAY, provisional_ok=True).due.year <= 2051
    with pytest.raises(ValueError, match="2099"):
        CAL.add(date(2026, 1, 5), 80 * 12, Unit.MONTH, provisional_ok=True)


def test_adding_the_real_year_replaces_the_provisional_answer():
    provisional = CAL.add(date(2027, 2, 4), 1, Unit.WORKDAY, provisional_ok=True)
    with_2027 = OfficialCalendar([*shipped_years(), YearData.from_dict(year_2027())])
    exact = with_2027.add(date(2027, 2, 4), 1, Unit.WORKDAY)
    assert provisional.provisional and not exact.provisional
    assert exact.due == date(2027, 2, 15)  # the fixture's break runs 5–13 Feb
    assert with_2027.horizon[1] == date(2027, 12, 31)
    assert with_2027.is_working_day(date(2027, 2, 20))  # the fixture's make-up Saturday


def test_working_days_between():
    # (30 Sep, 14 Oct] holds 9, 10, 11 (make-up), 13, 14 October.
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5
    assert CAL.working_days_between(date(2025, 10, 14), date(2025, 9, 30)) == -5
    assert CAL.working_days_between(date(2025, 10, 1), date(2025, 10, 1)) == 0


def test_calendar_years_must_be_contiguous():
    years = [y for y in shipped_years() if y.year != 2010]
    with pytest.raises(ValueError, match="缺少2010年") as caught:
        OfficialCalendar(years)
    assert "2010 is missing" in str(caught.value)
    with pytest.raises(ValueError, match="2025"):
        OfficialCalendar([*shipped_years(), shipped_years()[-2]])


def valid_2025() -> dict:
    return CAL.year_data(2025).to_dict()


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (lambda d: d.update(workdays=["2025-09-29"]), "workdays", "2025-09-29"),
        (lambda d: d.update(workdays=["2026-01-04"]), "workdays", "2026-01-04"),
        (lambda d: d["holidays"].append("2025-13-01"), "holidays", "2025-13-01"),
        (lambda d: d["holidays"].append("2025-01-01"), "holidays", "重复"),
        (lambda d: d.update(workdays=["2025-10-04"]), "workdays", "2025-10-04"),
        (lambda d: d["holidays"].remove("2025-10-02"), "holidays", "2025-10-02"),
        (lambda d: d.update(year="2025"), "year", "2025"),
        (lambda d: d.pop("workdays"), "workdays", "workdays"),
        (lambda d: d.update(holiday=[]), "holiday", "holiday"),
        (lambda d: d["source"].update(title=""), "source.title", "title"),
        (lambda d: d["source"].update(date="12 Nov 2024"), "source.date", "12 Nov 2024"),
    ],
)
def test_year_data_validation_names_the_field_and_date(change, field, needle):
    data = valid_2025()
    change(data)
    with pytest.raises(YearDataError) as caught:
        YearData.from_dict(data)
    assert caught.value.field == field
    assert needle in str(caught.value)


def test_year_data_is_immutable_and_hashable():
    data = CAL.year_data(2025)
    assert hash(data) == hash(YearData.from_dict(data.to_dict()))
    copy = CAL.source_of(2025)
    copy["notice"] = "changed"
    assert CAL.source_of(2025)["notice"] == "国办发明电〔2024〕12号"


def test_the_engine_imports_neither_django_nor_the_source_packages():
    code = (
        "import sys, datetime, jiandu.calendar as c\n"
        "c.default_calendar().add(datetime.date(2026, 12, 1), 30, c.Unit.WORKDAY, provisional_ok=True)\n"
        "roots = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(roots & {'django', 'chinese_calendar', 'workalendar'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
