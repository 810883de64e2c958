"""Excel export of any procedure's matter list: what the viewer's list shows, as a workbook.

The rows are the list's own (`MatterList`: the viewer's restricted queryset and the list's filters,
every page, in the list's order) and the columns are the page's (number, the procedure's declared
`columns`, state, next due date, registered time): an export never shows more than the page. At
most JIANDU_MAX_EXPORT_ROWS rows are written, and the sheet says so above the header when the list
held more. The workbook is built in openpyxl's write-only mode into a temporary file (rows go to
disk as they are read, in chunks), so memory stays flat whatever the cap.

Every text cell that a spreadsheet would read as a formula (= + - @, or a leading tab or carriage
return: OWASP's CSV-injection list) is written as a string cell with Excel's quote prefix, so it
is shown, and stays on editing, as the text it is.

The export is an act: one ledger entry `<code>.export` holding the filters (the search text only
as a digest: it may be a party's name) and the row count, never a row's content.
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiandu.ledger.services import record

from .lists import MatterList, fact

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500  # rows fetched per database round trip
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
SHEET_TITLE_CHARS = 31  # Excel's limit on a sheet's name


@dataclass(frozen=True)
class Export:
    """A written workbook: its file (at offset 0), download name, rows written, and whether capped."""

    file: IO[bytes]
    filename: str
    rows: int
    capped: bool


def export_filename(listing: MatterList, today: datetime.date) -> str:
    """`备案审查-20261202.xlsx`: the procedure and the day, nothing from the filters or the rows."""
    return f"{listing.procedure.label}-{today:%Y%m%d}.xlsx"


def _text(ws: WriteOnlyWorksheet, value: str) -> Any:
    if value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(ws, value=value)
        # Set after the value: openpyxl types a string starting with "=" as a formula.
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def _cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local wall-clock time, as the list page shows it.
        cell = WriteOnlyCell(ws, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = TIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float):
        return value
    return _text(ws, str(value))


def _filters(listing: MatterList) -> dict[str, Any]:
    q = listing.q
    return {
        "q": {"sha256": hashlib.sha256(q.encode()).hexdigest(), "chars": len(q)} if q else None,
        "state": listing.state or None,
        "agency": listing.agency,
        "overdue": listing.overdue,
        "due": listing.due,
        "sort": listing.sort,
    }


def export_matters(listing: MatterList, *, limit: int | None = None) -> Export:
    """Write the listing's matters (at most `limit`, default JIANDU_MAX_EXPORT_ROWS) and ledger it."""
    procedure = listing.procedure
    limit = settings.JIANDU_MAX_EXPORT_ROWS if limit is None else limit
    now = timezone.now()
    ordered = listing.ordered()
    capped = ordered[limit : limit + 1].exists()

    book = Workbook(write_only=True)
    ws = book.create_sheet(procedure.label[:SHEET_TITLE_CHARS])
    if capped:
        ws.append([f"符合条件的事项超过{limit}条，仅导出前{limit}条；请缩小查找条件后分批导出。"])
    ws.append(["编号", *(label for label, _path in procedure.columns), "状态", "最近届满日", "登记时间"])
    rows = 0
    for matter in ordered[:limit].iterator(chunk_size=CHUNK):
        ws.append(
            [
                _cell(ws, matter.number),
                *(_cell(ws, fact(matter, path)) for _label, path in procedure.columns),
                _cell(ws, matter.state_label),
                _cell(ws, matter.next_due),
                _cell(ws, matter.created_at),
            ]
        )
        rows += 1
    # Spooled: a small list stays in memory, a large one goes to disk instead of filling it.
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 (returned open)
    book.save(out)
    out.seek(0)

    viewer = listing.user
    with transaction.atomic():
        record(
            f"{procedure.code}.export",
            actor=viewer,
            agency=getattr(viewer, "agency", None),
            payload={"filters": _filters(listing), "rows": rows, "capped": capped},
        )
    return Export(out, export_filename(listing, timezone.localtime(now).date()), rows, capped)
