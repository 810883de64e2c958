"""The official PRC working-day calendar and legal-period arithmetic (pure Python, no Django).

`default_calendar()` is built from the State Council notices shipped in `data/cn_official.json`;
the Django side (`jiandu.deadlines.calendar_source`) merges years an administrator added. See
`engine` for the counting rules and `statutory` for provisional years past the horizon.
"""

from jiandu.calendar.engine import (
    BeyondHorizon,
    DueDate,
    OfficialCalendar,
    Unit,
    YearData,
    YearDataError,
    default_calendar,
    load_years,
    shipped_years,
)
from jiandu.calendar.statutory import provisional_year_dict, qingming, statutory_holidays

__all__ = [
    "BeyondHorizon",
    "DueDate",
    "OfficialCalendar",
    "Unit",
    "YearData",
    "YearDataError",
    "default_calendar",
    "load_years",
    "provisional_year_dict",
    "qingming",
    "shipped_years",
    "statutory_holidays",
]
