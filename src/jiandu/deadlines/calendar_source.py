"""The calendar the platform counts on: the shipped years merged with years an administrator added.

A `CalendarYear` row replaces the shipped year of the same number (a correction) or extends the
horizon. The built calendar is cached per process under the "calendar" change stamp
(`core.stamps`), which database triggers renew on any change to the calendar years and which is
read (one single-row read) on every call: a year imported through another app server, or edited
by hand, is picked up on the next call here; nothing has to be told to invalidate anything.
"""

import logging
import threading

from django.db import connection

from jiandu.calendar import OfficialCalendar, YearData, YearDataError, default_calendar, shipped_years
from jiandu.core import stamps
from jiandu.deadlines.models import CalendarYear

logger = logging.getLogger(__name__)

TOPIC = "calendar"
_lock = threading.Lock()
_cached: tuple[object, OfficialCalendar] | None = None
# Once the table exists it stays; until then every call looks again (one cheap introspection).
_table_seen = False


def table_ready() -> bool:
    """Whether `CalendarYear`'s table exists (False on a database not migrated yet)."""
    global _table_seen
    if not _table_seen:
        with connection.cursor() as cursor:
            _table_seen = CalendarYear._meta.db_table in connection.introspection.table_names(cursor)
    return _table_seen


def _contiguous(years: dict[int, YearData]) -> list[YearData]:
    """The unbroken run of years from the first shipped one; a later stray year is dropped loudly."""
    run = []
    year = min(years)
    while year in years:
        run.append(years[year])
        year += 1
    stray = sorted(set(years) - {y.year for y in run})
    if stray:
        logger.error("calendar years %s ignored: %s is missing (add it first)", stray, year)
    return run


def _build(rows: list[CalendarYear]) -> OfficialCalendar:
    years = {y.year: y for y in shipped_years()}
    for row in rows:
        try:
            years[row.year] = YearData.from_dict(row.data)
        except YearDataError:
            # Rows are validated on import; one edited behind the service's back is not trusted.
            logger.exception("calendar year %s in the database is invalid and was ignored", row.year)
    return OfficialCalendar(_contiguous(years))


def get_calendar() -> OfficialCalendar:
    """The current official calendar (shipped years, overridden and extended by the database)."""
    global _cached
    if not table_ready():
        return default_calendar()
    stamp = stamps.current(TOPIC)
    cached = _cached
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if stamp is not None and _cached is not None and _cached[0] == stamp:
            return _cached[1]
        calendar = _build(list(CalendarYear.objects.all()))
        if stamp is not None:  # no stamp row (a database emptied by a test flush): build every time
            _cached = (stamp, calendar)
        return calendar
