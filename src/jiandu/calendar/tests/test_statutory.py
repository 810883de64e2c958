"""Provisional years: lunar festivals and the Qingming formula, checked against independent sources."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from jiandu.calendar import default_calendar, provisional_year_dict, qingming, statutory_holidays

CAL = default_calendar()


def test_spring_festival_2027_is_eve_through_the_third_day():
    # 2027: 除夕 2027-02-05, 正月初一 2027-02-06; Article 2 (2024 text): 除夕 through 正月初三.
    assert statutory_holidays(2027)["春节"] == (
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    )


def test_eve_after_a_29_day_twelfth_month():
    # Lunar 2024's 腊月 has 29 days, so there is no 腊月三十: the eve is 腊月二十九. 国办发明电〔2024〕12号:
    # "春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休".
    assert statutory_holidays(2025)["春节"][0] == date(2025, 1, 28)


def test_statutory_days_fall_inside_the_official_breaks():
    # Every year arranged under the 2024 text (2025, 2026) gives all 13 statutory days off.
    for year in (2025, 2026):
        holidays = CAL.year_data(year).holidays
        for name, days in statutory_holidays(year).items():
            assert set(days) <= holidays, (year, name)


def test_provisional_year_has_no_make_up_days():
    data = provisional_year_dict(2027)
    assert data["workdays"] == []
    assert data["source"]["provisional"] is True
    assert len(data["holidays"]) == 13


# Qingming days that the notices name outright (quoted in chinesecalendar's transcriptions):
# 2008 "4月4日（清明节）为法定节假日"; 2009 "4月4日（星期六、农历清明当日）"; 2014 "清明节：4月5日放假";
# 2015 "清明节：4月5日放假"; 2019 "清明节：4月5日放假"; 2023 "清明节：4月5日放假，共1天".
NAMED_QINGMING = {
    2008: date(2008, 4, 4),
    2009: date(2009, 4, 4),
    2014: date(2014, 4, 5),
    2015: date(2015, 4, 5),
    2019: date(2019, 4, 5),
    2023: date(2023, 4, 5),
}


def test_qingming_matches_the_official_data():
    for year, day in NAMED_QINGMING.items():
        assert qingming(year) == day
    # Since 2008 (清明 became a holiday) every official year has the computed day off.
    for year in range(2008, 2027):
        assert qingming(year) in CAL.year_data(year).holidays, year


def _apparent_solar_longitude(jd_tt: float) -> float:
    """Meeus, Astronomical Algorithms ch. 25 (low accuracy, about 0.01°)."""
    t = (jd_tt - 2451545.0) / 36525
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = math.radians(357.52911 + 35999.05029 * t - 0.0001537 * t * t)
    c = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * math.sin(m)
        + (0.019993 - 0.000101 * t) * math.sin(2 * m)
        + 0.000289 * math.sin(3 * m)
    )
    omega = math.radians(125.04 - 1934.136 * t)
    return (l0 + c - 0.00569 - 0.00478 * math.sin(omega)) % 360


def _qingming_moment_beijing(year: int) -> datetime:
    """When the Sun reaches apparent longitude 15°, in Beijing time (UTC+8)."""
    delta_t = 65 / 86400  # TT − UT, about a minute over this range; the theory is good to ~15 min
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    jd = 2440587.5 + (datetime(year, 4, 4, tzinfo=UTC) - epoch).total_seconds() / 86400 + delta_t
    for _ in range(6):
        jd += ((15 - _apparent_solar_longitude(jd) + 180) % 360 - 180) / 0.98564736
    return epoch + timedelta(days=jd - 2440587.5 - delta_t, hours=8)


def test_qingming_formula_agrees_with_the_astronomical_computation_1901_2099():
    for year in range(1901, 2100):
        moment = _qingming_moment_beijing(year)
        minutes = moment.hour * 60 + moment.minute
        if min(minutes, 1440 - minutes) < 20:
            # Too close to midnight for a 15-minute theory to arbitrate: accept either side.
            assert abs((qingming(year) - moment.date()).days) <= 1, year
        else:
            assert qingming(year) == moment.date(), year


def test_years_outside_the_lunar_tables_are_refused():
    with pytest.raises(ValueError, match="2100"):
        qingming(2100)
