"""Provisional calendar years: the statutory holidays alone, for years the State Council has not arranged yet.

The yearly notice (国务院办公厅关于…部分节假日安排的通知) is the only source of a year's real
calendar: it moves weekend days about (调休) and names weekend make-up working days (上班), and no
formula predicts those. Past the last published year the engine can still give a *provisional*
answer, and this module supplies the year it uses:

- ordinary weekends (Saturday, Sunday) are rest days;
- the holidays for all citizens fixed by 全国年节及纪念日放假办法 as revised by 国务院令第795号
  (in force 2025-01-01), Article 2:
  元旦 1 January (1 day); 春节 农历除夕 through 正月初三 (4 days); 清明节 the Qingming solar-term
  day (1 day); 劳动节 1–2 May (2 days); 端午节 农历五月初五 (1 day); 中秋节 农历八月十五 (1 day);
  国庆节 1–3 October (3 days);
- no make-up working days and no substitute days off are invented. Article 6 says a holiday that
  falls on a weekend is made up on a working day, but where it goes is the notice's decision, so a
  provisional year leaves it out; the notice usually also adds 调休 rest days and weekend working
  days. A provisional date is therefore close to, but not guaranteed to equal, the final one —
  which is why the engine marks it provisional and recomputes as soon as the real year is added.

Lunar dates come from `lunardate` (lunar years 1900–2099). New Year's Eve is taken as the day
before 正月初一 rather than 腊月三十, because the twelfth lunar month has 29 days in some years.

Qingming is computed with the well-known 寿星 formula for solar terms, ⌊Y·0.2422 + C⌋ − ⌊Y/4⌋ with
Y the last two digits of the year and C = 5.59 before 2000, 4.81 from 2000 on. The test suite
checks it against an independent astronomical computation of the Sun reaching apparent longitude
15° for every year 1901–2099, and against the Qingming holidays in the official data 2008–2026.
"""

from datetime import date, timedelta

from lunardate import LunarDate

# lunardate covers lunar years 1900–2099; 1900's New Year's Eve would fall in lunar 1899.
FIRST_COMPUTABLE_YEAR = 1901
LAST_COMPUTABLE_YEAR = 2099

# The decree whose Article 2 the provisional years follow.
STATUTE = "全国年节及纪念日放假办法（国务院令第795号修订，2025年1月1日起施行）第二条"


def _check_year(year: int) -> None:
    if not FIRST_COMPUTABLE_YEAR <= year <= LAST_COMPUTABLE_YEAR:
        raise ValueError(
            f"{year}年超出可推算范围 {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR}"
            f"（year {year} outside the computable range {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR})"
        )


def qingming(year: int) -> date:
    """The Qingming solar-term day (Beijing time) of `year`, by the 寿星 formula."""
    _check_year(year)
    y = year % 100
    c = 5.59 if year < 2000 else 4.81
    return date(year, 4, int(y * 0.2422 + c) - y // 4)


def lunar_new_year(year: int) -> date:
    """正月初一 of the lunar year that begins in Gregorian `year`."""
    _check_year(year)
    return LunarDate(year, 1, 1).to_solar_date()


def statutory_holidays(year: int) -> dict[str, tuple[date, ...]]:
    """The days off for all citizens under Article 2 of the 2024 text, by festival name."""
    new_year = lunar_new_year(year)
    return {
        "元旦": (date(year, 1, 1),),
        "春节": tuple(new_year + timedelta(days=n) for n in range(-1, 3)),
        "清明节": (qingming(year),),
        "劳动节": (date(year, 5, 1), date(year, 5, 2)),
        "端午节": (LunarDate(year, 5, 5).to_solar_date(),),
        "中秋节": (LunarDate(year, 8, 15).to_solar_date(),),
        "国庆节": (date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)),
    }


def provisional_year_dict(year: int) -> dict:
    """One provisional year in the shape of the shipped data (see `YearData.from_dict`)."""
    days = sorted({d for festival in statutory_holidays(year).values() for d in festival})
    return {
        "year": year,
        "holidays": [d.isoformat() for d in days],
        "workdays": [],
        "source": {
            "title": f"{year}年暂定日历：按法定节假日推算，尚待国务院办公厅通知",
            "provisional": True,
            "basis": STATUTE,
        },
    }
