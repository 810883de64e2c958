"""The 12345 hotline's hand-over (12345热线转办): one ticket through the API, or a batch file.

Every ticket becomes a complaint through `services.submit_complaint` (channel "hotline", no
actor, ledgered as "hotline"), once: the ticket number (工单编号) is the key, so handing the same
ticket over again, or importing the same file twice, creates nothing new.

The batch file (`import_tickets`, `jiandu hotline_import FILE`) is a CSV (UTF-8 with or without
BOM, or GBK/GB18030) or an Excel .xlsx whose first row is the header and whose first sheet holds
the tickets. The header names the columns in Chinese; their order does not matter, other columns
are ignored, and a leading "*" (a template's "required" mark) is ignored:

    工单编号      必填        the hotline's ticket number, at most 64 characters, unique
    受理机关代码  二选一必填  the receiving agency's code in Jiandu (e.g. demo-amr), or
    受理机关      二选一必填  its full name; when both are filled they must name the same agency
    投诉类别      必填        one of the categories in the receiving agency's rule profile
    诉求内容      必填        what the caller complains about
    来电人        选填        the caller's name; needed unless 是否匿名 is 是
    联系电话      选填        the caller's phone; needed unless 是否匿名 is 是
    是否匿名      选填        是/否 (also Y/N, 1/0); empty means 否
    发生日期      选填        YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, or an Excel date)
    被投诉对象    选填        the officer or unit complained about, as the caller describes them

`template_csv()` / `template_xlsx()` (and `jiandu hotline_import --template`) give the header row;
the .xlsx template also carries this guide on a second sheet.

Bounds (anti-abuse settings, not legal rules; `settings.JIANDU_HOTLINE_IMPORT_LIMITS` overrides
DEFAULT_BOUNDS): the file's size, the rows and columns, and for an .xlsx the size its parts unzip
to, all checked before the content is read, so that a few kilobytes declaring a million rows or
unzipping to gigabytes are refused with a Chinese message instead of exhausting memory. A cell
longer than the longest text a complaint may hold rejects its row.

Each row goes in on its own (one transaction per row): a broken row is rejected with its row
number (the header is row 1), the column and a reason in Chinese, and the other rows still go in.
The report names rows by number and ticket only: it never repeats a caller's name or phone, nor
any other cell, because a shifted or misfilled cell may hold them.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from jiandu.core import text
from jiandu.core.errors import ServiceError
from jiandu.orgs.models import Agency, Person

from .models import Complaint
from .services import Complainant, Intake, submit_complaint

TICKET_MAX_CHARS = Complaint._meta.get_field("hotline_ticket").max_length
TARGET_MAX_CHARS = Complaint._meta.get_field("target_description").max_length
# The caller's name and phone, bounded as the API bounds them (HotlineTicketSerializer).
CALLER_NAME_MAX_CHARS, CALLER_PHONE_MAX_CHARS = 100, 40

MB = 1024 * 1024
DEFAULT_BOUNDS: dict[str, int] = {
    "file_bytes": 20 * MB,  # the file as uploaded
    "unzipped_bytes": 128 * MB,  # an .xlsx's parts together, as they unzip
    "zip_entries": 1000,  # parts in an .xlsx (a workbook of one sheet has about ten)
    "rows": 10000,  # tickets in one file, the header not counted
    "columns": 100,  # columns of the sheet (ten are read; the others are ignored)
}
REQUIRED, OPTIONAL, EITHER = "必填", "选填", "二选一必填"


@dataclass(frozen=True)
class Column:
    """One column of the hand-over file: its Chinese header, whether it must be filled, what goes in it."""

    header: str
    need: str
    description: str


COLUMNS = (
    Column("工单编号", REQUIRED, "12345工单编号，唯一；同一工单再次导入不会重复登记"),
    Column("受理机关代码", EITHER, "受理投诉的执法机关在本平台的代码，例如 demo-amr"),
    Column("受理机关", EITHER, "受理投诉的执法机关全称；与机关代码同时填写时须一致"),
    Column("投诉类别", REQUIRED, "须为受理机关适用规则列明的投诉类别之一"),
    Column("诉求内容", REQUIRED, "来电人反映的具体问题"),
    Column("来电人", OPTIONAL, "来电人姓名；不匿名时必填"),
    Column("联系电话", OPTIONAL, "来电人联系电话；不匿名时必填"),
    Column("是否匿名", OPTIONAL, "是/否，不填为否"),
    Column("发生日期", OPTIONAL, "格式 YYYY-MM-DD，例如 2026-11-02"),
    Column("被投诉对象", OPTIONAL, "被投诉的执法人员或执法机构（来电人所述）"),
)
HEADERS = {c.header: c for c in COLUMNS}
# Service errors name intake fields; the report names the file's columns instead.
FIELD_COLUMNS = {
    "agency": "受理机关代码",
    "category": "投诉类别",
    "content": "诉求内容",
    "name": "来电人",
    "phone": "联系电话",
    "occurred_on": "发生日期",
    "hotline_ticket": "工单编号",
    "ticket_no": "工单编号",
}
YES, NO = {"是", "y", "yes", "1", "true"}, {"否", "n", "no", "0", "false", ""}


# ------------------------------------------------------------------------------------ one ticket


@dataclass(frozen=True)
class HandOver:
    """The complaint a ticket made (created) or had already made; the secret only when created."""

    complaint: Complaint
    created: bool
    secret: str = ""


def hand_over(intake: Intake, *, actor_label: str = "hotline") -> HandOver:
    """Register one ticket (`intake.hotline_ticket`) as a hotline complaint, or return the one it made."""
    ticket_no = (intake.hotline_ticket or "").strip()
    if not ticket_no:
        raise ServiceError("请填写工单编号。", field="ticket_no")
    if len(ticket_no) > TICKET_MAX_CHARS:
        raise ServiceError(f"工单编号不能超过 {TICKET_MAX_CHARS} 个字符。", field="ticket_no")
    # Looked up before validation: a ticket registered under rules since changed is still "existing".
    existing = Complaint.objects.filter(hotline_ticket=ticket_no).first()
    if existing is not None:
        return HandOver(existing, created=False)
    receipt = submit_complaint(
        replace(intake, channel=Complaint.Channel.HOTLINE, hotline_ticket=ticket_no),
        actor=None,
        actor_label=actor_label,
    )
    # submit_complaint returns no secret when a concurrent hand-over registered the ticket first.
    return HandOver(receipt.complaint, created=bool(receipt.secret), secret=receipt.secret)


def hotline_agency_ids(account: Person) -> set[int]:
    """Agencies a hotline account hands over to: its own agency and every agency below it.

    "Below" follows both the government hierarchy (parent) and supervision (supervisor), so an
    account bound to a district government covers the district's agencies and nothing else.
    """
    if not account.agency_id:
        return set()
    ids = {account.agency_id}
    frontier = {account.agency_id}
    while frontier:  # one query per level of the tree
        below = set(
            Agency.objects.filter(Q(parent_id__in=frontier) | Q(supervisor_id__in=frontier)).values_list(
                "id", flat=True
            )
        )
        frontier = below - ids
        ids |= below
    return ids


# ------------------------------------------------------------------------------------ the file


class FileRejected(Exception):
    """The whole file is unusable (encoding, format, header); no row was read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RowRejected(Exception):
    """One row is unusable; `column` names the column at fault ("" for the row as a whole)."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class RowResult:
    """What became of one row: "created", "existing" or "rejected" (with column and reason)."""

    row: int
    ticket: str
    status: str
    number: str = ""
    column: str = ""
    reason: str = ""

    note: str = ""

    def line(self) -> str:
        who = f"第{self.row}行" + (f"（工单 {self.ticket}）" if self.ticket else "")
        if self.status == "created":
            return f"{who}：新登记 {self.number}"
        if self.status == "existing":
            return f"{who}：已存在 {self.number}" + (f"，{self.note}" if self.note else "")
        where = f"【{self.column}】" if self.column else ""
        return f"{who}：退回 {where}{self.reason}"


@dataclass
class ImportReport:
    """The per-row outcome of one file, or the reason the file as a whole was rejected."""

    filename: str
    file_format: str = ""
    rows: list[RowResult] = field(default_factory=list)
    error: str = ""

    def _with(self, status: str) -> list[RowResult]:
        return [r for r in self.rows if r.status == status]

    @property
    def created(self) -> list[RowResult]:
        return self._with("created")

    @property
    def existing(self) -> list[RowResult]:
        return self._with("existing")

    @property
    def rejected(self) -> list[RowResult]:
        return self._with("rejected")

    @property
    def ok(self) -> bool:
        """Nothing was rejected: neither the file nor any row."""
        return not self.error and not self.rejected

    def lines(self) -> list[str]:
        head = f"文件：{self.filename}" + (f"（{self.file_format}）" if self.file_format else "")
        if self.error:
            return [head, f"整个文件未导入：{self.error}"]
        summary = (
            f"共 {len(self.rows)} 行：新登记 {len(self.created)} 行，"
            f"已存在 {len(self.existing)} 行，退回 {len(self.rejected)} 行。"
        )
        return [head, summary, *(r.line() for r in self.rows)]


def _decode(data: bytes) -> tuple[str, str]:
    # UTF-8 first: GB18030 would also decode many UTF-8 files, as nonsense.
    for encoding, label in (("utf-8-sig", "CSV，UTF-8"), ("gb18030", "CSV，GBK/GB18030")):
        try:
            return label, data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("文件编码无法识别：请将 CSV 保存为 UTF-8 或 GBK（GB18030）编码。")


def bound(name: str) -> int:
    """An import bound (DEFAULT_BOUNDS), as configured."""
    configured = getattr(settings, "JIANDU_HOTLINE_IMPORT_LIMITS", None) or {}
    return int(configured.get(name, DEFAULT_BOUNDS[name]))


def _too_many_rows() -> FileRejected:
    return FileRejected(f"文件超过 {bound('rows')} 行工单（不含表头）的上限，请分成几个文件导入。")


def _too_many_columns(count: int) -> FileRejected:
    return FileRejected(
        f"工作表有 {count} 列，超过 {bound('columns')} 列的上限；请只保留工单各列后重新导入。"
    )


def _sheet_rows_csv(data: bytes) -> tuple[str, list[list[str]]]:
    label, content = _decode(data)
    if "\x00" in content:
        raise FileRejected("文件含有空字符，不是 UTF-8 或 GBK 编码的 CSV 文本（UTF-16 请另存为 UTF-8）。")
    rows: list[list[str]] = []
    # strict: a quote left open to the end of the file is an error, not a cell swallowing every
    # row after it; the row named is the one the broken record starts on (the header is row 1).
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) == 1 and len(row) > bound("columns"):
                raise _too_many_columns(len(row))
            if len(rows) > bound("rows") + 1:
                raise _too_many_rows()
    except csv.Error as exc:
        number = len(rows) + 1
        reason = str(exc)
        if "field limit" in reason:
            raise FileRejected(
                f"第{number}行有单元格超过 {csv.field_size_limit()} 个字符，整个文件未导入；"
                f"诉求内容最多 {text.limit('long')} 字，请检查该行（常因引号未闭合）。"
            ) from None
        if "end of data" in reason:
            raise FileRejected(
                f"第{number}行有未闭合的引号：其后各行都会被并入同一单元格，整个文件未导入。"
                f"请检查第{number}行的引号后重新导入。"
            ) from None
        raise FileRejected(
            f"第{number}行 CSV 格式有误：引号后紧跟了其他字符（单元格内的引号须写成两个引号），"
            "整个文件未导入。"
        ) from None
    return label, rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a ticket or phone number typed into a number cell
    return str(value)


def _check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose parts would unzip beyond the bound, before anything is unzipped.

    The sizes are those the archive declares; zipfile stops each part at its declared size, so
    a part that lies about its size cannot unzip to more either.
    """
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRejected("Excel 文件已损坏，无法读取，请另存为 .xlsx 后重试。") from None
    if len(parts) > bound("zip_entries"):
        raise FileRejected(f"Excel 文件包含 {len(parts)} 个部件，不像是工单表，未导入。")
    unzipped = sum(part.file_size for part in parts)
    if unzipped > bound("unzipped_bytes"):
        raise FileRejected(
            f"Excel 文件解压后有 {unzipped // MB} MB，超过 {bound('unzipped_bytes') // MB} MB 的上限，"
            "未导入；请只保留工单表，或分成几个文件导入。"
        )


def _sheet_rows_xlsx(data: bytes) -> tuple[str, list[list[str]]]:
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRejected(f"Excel 文件无法读取（{type(exc).__name__}），请另存为 .xlsx 后重试。") from None
    max_rows, max_columns = bound("rows") + 1, bound("columns")  # the header is a row too
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared size (its <dimension>) first: read-only iteration pads every row
        # to the declared width, so A1:XFD1048576 would be a billion empty cells.
        if (sheet.max_column or 0) > max_columns:
            raise _too_many_columns(sheet.max_column)
        if (sheet.max_row or 0) > max_rows:
            raise FileRejected(
                f"工作表声明了 {sheet.max_row} 行，超过 {bound('rows')} 行工单的上限，请分成几个文件导入。"
            )
        # A sheet may declare no size, or a false one: read one row and one column past the
        # bounds and no further, whatever the sheet holds.
        rows = []
        for row in sheet.iter_rows(max_row=max_rows + 1, max_col=max_columns + 1, values_only=True):
            if len(row) > max_columns and row[max_columns] is not None:
                raise _too_many_columns(max_columns + 1)
            rows.append([_cell_text(v) for v in row[:max_columns]])
        if len(rows) > max_rows:
            raise _too_many_rows()
        return "Excel .xlsx", rows
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str) -> tuple[str, list[list[str]]]:
    """The file's format and its rows as text cells; the format comes from the content, not the name."""
    if not data:
        raise FileRejected("文件是空的。")
    if len(data) > bound("file_bytes"):
        raise FileRejected(f"文件超过 {bound('file_bytes') // MB} MB 的上限，请分成几个文件导入。")
    if data.startswith(b"PK\x03\x04"):
        return _sheet_rows_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV。")
    if filename.lower().endswith(".xlsx"):
        raise FileRejected("文件名为 .xlsx，但内容不是 Excel 文件。")
    return _sheet_rows_csv(data)


def _header_map(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = re.sub(r"[\s\u3000*＊]", "", raw or "")
        if name in HEADERS:
            if name in positions:
                raise FileRejected(f"表头中“{name}”出现了两次。")
            positions[name] = index
    missing = [c.header for c in COLUMNS if c.need == REQUIRED and c.header not in positions]
    if not any(c.header in positions for c in COLUMNS if c.need == EITHER):
        missing.insert(1, "受理机关代码（或受理机关）")
    if missing:
        raise FileRejected(
            "表头缺少：" + "、".join(missing) + "。第一行须为表头（见导入模板）；"
            "若表头看似乱码，请确认文件为 UTF-8 或 GBK 编码。"
        )
    return positions


def _parse_date(text: str) -> datetime.date:
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if match is None:
        raise RowRejected("发生日期", "日期格式不正确，应为 YYYY-MM-DD。")
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise RowRejected("发生日期", "不是有效的日期。") from None


def _parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowRejected("是否匿名", "只能填写“是”或“否”。")


class _Agencies:
    """Every agency by code and by full name, read once per file."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.by_code = {a.code: a for a in agencies}
        self.by_name = {a.name: a for a in agencies}

    def find(self, values: dict[str, str]) -> Agency:
        code, name = values.get("受理机关代码", ""), values.get("受理机关", "")
        if not code and not name:
            raise RowRejected("受理机关代码", "请填写受理机关代码或受理机关名称。")
        agency = self.by_code.get(code) if code else self.by_name.get(name)
        if agency is None:
            column = "受理机关代码" if code else "受理机关"
            raise RowRejected(column, f"本平台没有该{'代码' if code else '名称'}的机关。")
        if code and name and self.by_name.get(name) != agency:
            raise RowRejected("受理机关", "受理机关名称与受理机关代码不一致。")
        if not agency.is_active:
            raise RowRejected("受理机关代码", "该机关已停用。")
        return agency


def _cell(values: dict[str, str], column: str, kind: str, max_chars: int | None = None) -> str:
    """A cell checked as the API checks its field: no control characters, within its bound."""
    try:
        value = text.clean_text(values.get(column, ""), field=column, label=column, kind=kind)
    except ServiceError as exc:
        raise RowRejected(column, exc.message) from None
    if max_chars is not None and len(value) > max_chars:
        raise RowRejected(column, f"不能超过 {max_chars} 个字符（现为 {len(value)} 个）。")
    return value


def _intake(values: dict[str, str], agencies: _Agencies) -> Intake:
    for column in COLUMNS:
        if column.need == REQUIRED and not values.get(column.header):
            raise RowRejected(column.header, "此项为必填。")
    occurred = _cell(values, "发生日期", "line")
    return Intake(
        agency=agencies.find(values),
        channel=Complaint.Channel.HOTLINE,
        category=_cell(values, "投诉类别", "line"),
        content=_cell(values, "诉求内容", "long"),
        # Refused when too long, never cut: a cut description may name someone else.
        target_description=_cell(values, "被投诉对象", "line", TARGET_MAX_CHARS),
        occurred_on=_parse_date(occurred) if occurred else None,
        anonymous=_parse_flag(values.get("是否匿名", "")),
        complainant=Complainant(
            name=_cell(values, "来电人", "line", CALLER_NAME_MAX_CHARS),
            phone=_cell(values, "联系电话", "line", CALLER_PHONE_MAX_CHARS),
        ),
        hotline_ticket=_cell(values, "工单编号", "line", TICKET_MAX_CHARS),
    )


def _row_problem(cells: list[str], width: int) -> RowRejected | None:
    """What makes a row unusable before its cells are read, or None."""
    if any((c or "").strip() for c in cells[width:]):
        # More cells than headers: a separator inside an unquoted cell shifted the row.
        return RowRejected("", "该行的单元格多于表头，可能有未加引号的逗号，请修正后重新导入。")
    longest = text.limit("long")
    for index, cell in enumerate(cells[:width]):
        if len(cell or "") > longest:
            return RowRejected(
                "", f"第{index + 1}列的单元格有 {len(cell)} 个字符，超过 {longest} 字的上限（引号未闭合？）。"
            )
        # A quote opened in this row and closed rows later makes one cell of those rows: it
        # then holds whole lines with a separator per column.
        if width > 2 and any(line.count(",") >= width - 1 for line in (cell or "").split("\n")[1:]):
            return RowRejected(
                "",
                f"第{index + 1}列的单元格里含有像是后面几行的内容：可能有未闭合的引号，请修正后重新导入。",
            )
    return None


def import_tickets(file_bytes: bytes, filename: str, *, actor_label: str = "hotline") -> ImportReport:
    """Import a hotline batch file, each row in its own transaction; returns the per-row report."""
    report = ImportReport(filename=filename.replace("\\", "/").rsplit("/", 1)[-1])
    try:
        report.file_format, rows = read_rows(file_bytes, filename)
        if not rows:
            raise FileRejected("文件中没有表头。")
        positions = _header_map(rows[0])
    except FileRejected as exc:
        report.error = exc.message
        return report
    agencies = _Agencies(list(Agency.objects.select_related("profile")))
    width = len(rows[0])
    for number, cells in enumerate(rows[1:], start=2):
        if not any((c or "").strip() for c in cells):
            continue  # blank lines between or after the tickets
        values = {h: (cells[i] if i < len(cells) else "").strip() for h, i in positions.items()}
        ticket_no = values.get("工单编号", "")[:TICKET_MAX_CHARS]
        try:
            problem = _row_problem(cells, width)
            if problem is not None:
                raise problem
            intake = _intake(values, agencies)
            with transaction.atomic():
                outcome = hand_over(intake, actor_label=actor_label)
        except RowRejected as exc:
            report.rows.append(RowResult(number, ticket_no, "rejected", column=exc.column, reason=exc.reason))
            continue
        except ServiceError as exc:
            column = FIELD_COLUMNS.get(exc.field or "", "")
            report.rows.append(RowResult(number, ticket_no, "rejected", column=column, reason=exc.message))
            continue
        status = "created" if outcome.created else "existing"
        note = ""
        if not outcome.created and outcome.complaint.agency_id != intake.agency.pk:
            # The same ticket number with another agency: say so, rather than let it pass as the
            # same ticket sent again.
            note = (
                f"但该工单此前转办给了“{outcome.complaint.agency.name}”，本行的受理机关是"
                f"“{intake.agency.name}”，未重新登记，请核对工单编号"
            )
        report.rows.append(RowResult(number, ticket_no, status, number=outcome.complaint.number, note=note))
    return report


# ------------------------------------------------------------------------------------ template


def template_csv() -> bytes:
    """The header row as a CSV file, UTF-8 with BOM (so that Excel opens it in the right encoding)."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([c.header for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The template as an Excel workbook: the header on the first sheet, the column guide on a second."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工单"
    sheet.append([c.header for c in COLUMNS])
    guide = workbook.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "说明"])
    for column in COLUMNS:
        guide.append([column.header, column.need, column.description])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
