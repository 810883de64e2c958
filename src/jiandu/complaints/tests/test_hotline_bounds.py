"""Hotline batch files are bounded before they are read, and every problem is reported in Chinese."""

import io
import re
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from jiandu.complaints.hotline import import_tickets
from jiandu.complaints.models import Complaint
from jiandu.complaints.tests.test_hotline import AMR_CATEGORY, CALLER_NAME, CALLER_PHONE, GGZY_CATEGORY

pytestmark = pytest.mark.django_db

HEADER = "工单编号,受理机关代码,受理机关,投诉类别,诉求内容,来电人,联系电话,是否匿名,发生日期,被投诉对象"


def row(
    ticket: str,
    *,
    agency: str = "demo-amr",
    content: str = "反映问题",
    name: str = CALLER_NAME,
    phone: str = CALLER_PHONE,
    target: str = "",
) -> str:
    category = GGZY_CATEGORY if agency == "demo-ggzy" else AMR_CATEGORY
    return f"{ticket},{agency},,{category},{content},{name},{phone},否,,{target}"


def csv_file(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


def workbook_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for values in rows:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewritten(xlsx: bytes, part: str, change) -> bytes:
    """The .xlsx with one part's text changed: how a hostile file is made by hand."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data.decode()) if info.filename == part else data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def header_only() -> bytes:
    return workbook_bytes([HEADER.split(",")])


# ------------------------------------------------------------------------------------ xlsx bombs


def test_a_sheet_declaring_every_cell_of_excel_is_refused_before_it_is_read(demo):
    bomb = rewritten(
        header_only(),
        SHEET,
        lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', x),
    )
    assert len(bomb) < 10_000
    report = import_tickets(bomb, "bomb.xlsx")
    assert "16384 列" in report.error and "上限" in report.error, report.error
    tall = rewritten(
        header_only(),
        SHEET,
        lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:J1048576"/>', x),
    )
    report = import_tickets(tall, "tall.xlsx")
    assert "1048576 行" in report.error, report.error
    assert Complaint.objects.count() == 0


def test_a_sheet_hiding_its_size_is_still_read_only_to_the_bound(demo, settings):
    settings.JIANDU_HOTLINE_IMPORT_LIMITS = {"rows": 3, "columns": 12}
    rows = [HEADER.split(",")] + [row(f"T-{n}").split(",") for n in range(10)]
    undeclared = rewritten(workbook_bytes(rows), SHEET, lambda x: re.sub(r'<dimension ref="[^"]*"/>', "", x))
    report = import_tickets(undeclared, "many.xlsx")
    assert "3 行" in report.error and Complaint.objects.count() == 0, report.error
    wide = [HEADER.split(",") + ["备注"] * 5]
    report = import_tickets(
        rewritten(workbook_bytes(wide), SHEET, lambda x: re.sub(r'<dimension ref="[^"]*"/>', "", x)), "w.xlsx"
    )
    assert "列" in report.error and "上限" in report.error, report.error


def test_a_zip_bomb_is_refused_from_its_declared_sizes(demo, settings):
    settings.JIANDU_HOTLINE_IMPORT_LIMITS = {"unzipped_bytes": 1024 * 1024}
    padded = rewritten(
        header_only(), SHEET, lambda x: x.replace("<sheetData>", "<sheetData>" + " " * 3_000_000)
    )
    assert len(padded) < 50_000  # three megabytes of blanks zip to a few kilobytes
    report = import_tickets(padded, "zip.xlsx")
    assert "解压后" in report.error and "上限" in report.error, report.error


# -------------------------------------------------------------------------------------- csv


def test_a_cell_beyond_the_csv_field_limit_is_reported_in_chinese_with_its_row(demo):
    report = import_tickets(csv_file(row("A-1"), row("A-2", content="长" * 140_000)), "long.csv")
    assert report.error.startswith("第3行") and "字符" in report.error, report.error
    assert "field" not in report.error


def test_a_long_cell_within_the_csv_limit_rejects_only_its_row(demo):
    report = import_tickets(csv_file(row("A-1"), row("A-2", content="长" * 6000), row("A-3")), "long.csv")
    assert [(r.row, r.status) for r in report.rows] == [(2, "created"), (3, "rejected"), (4, "created")]
    assert "6000" in report.rows[1].reason


def test_an_unterminated_quote_is_reported_not_swallowing_rows(demo):
    report = import_tickets(
        csv_file(row("Q-1"), row("Q-2", content='"未闭合'), row("Q-3"), row("Q-4")), "q.csv"
    )
    assert "第3行" in report.error and "引号" in report.error, report.error
    assert Complaint.objects.count() == 0


def test_a_quote_closed_rows_later_is_caught_on_the_row_it_opened(demo):
    data = csv_file(
        row("Q-1"), row("Q-2", content='"开始'), row("Q-3"), row("Q-4", content='结束"'), row("Q-5")
    )
    report = import_tickets(data, "q.csv")
    outcome = {r.row: (r.status, r.reason) for r in report.rows}
    assert outcome[2][0] == "created" and outcome[3][0] == "rejected"
    assert "引号" in outcome[3][1]
    assert not Complaint.objects.filter(hotline_ticket="Q-2").exists()


def test_a_quote_followed_by_text_is_reported_with_its_row(demo):
    report = import_tickets(csv_file(row("Q-1"), row("Q-2", content='"半截"引号')), "q.csv")
    assert report.error.startswith("第3行") and "引号" in report.error, report.error


def test_too_many_rows_or_bytes_refuse_the_file(demo, settings):
    settings.JIANDU_HOTLINE_IMPORT_LIMITS = {"rows": 2, "file_bytes": 10_000}
    assert "2 行" in import_tickets(csv_file(row("R-1"), row("R-2"), row("R-3")), "r.csv").error
    assert "MB" in import_tickets(csv_file(row("R-1", content="长" * 4000)), "r.csv").error
    assert Complaint.objects.count() == 0


# --------------------------------------------------------------------------------- the cells


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"name": "名" * 101}, "来电人"),
        ({"phone": "1" * 41}, "联系电话"),
        ({"target": "对象" * 101}, "被投诉对象"),
        ({"content": "含控制字符\x07"}, "诉求内容"),
        ({"name": "张\x1b三"}, "来电人"),
    ],
)
def test_cells_are_bounded_as_the_api_bounds_them_and_never_cut(demo, overrides, column):
    report = import_tickets(csv_file(row("C-1", **overrides)), "c.csv")
    (result,) = report.rows
    assert (result.status, result.column) == ("rejected", column), result
    assert Complaint.objects.count() == 0
    for secret in (CALLER_NAME, CALLER_PHONE):
        assert secret not in "\n".join(report.lines())


def test_a_target_of_exactly_the_bound_is_kept_whole(demo):
    report = import_tickets(csv_file(row("C-2", target="对" * 200)), "c.csv")
    assert report.rows[0].status == "created"
    assert Complaint.objects.get(hotline_ticket="C-2").target_description == "对" * 200


def test_a_known_ticket_naming_another_agency_says_so(demo):
    import_tickets(csv_file(row("D-1", agency="demo-amr")), "d.csv")
    report = import_tickets(csv_file(row("D-1", agency="demo-ggzy"), row("D-1", agency="demo-amr")), "d.csv")
    other, same = report.rows
    assert (
        other.status == "existing" and "示范区市场监督管理局" in other.line() and "未重新登记" in other.line()
    )
    assert same.status == "existing" and same.note == ""
    assert Complaint.objects.count() == 1


def test_the_command_refuses_an_oversized_file_before_reading_it(demo, tmp_path, settings):
    settings.JIANDU_HOTLINE_IMPORT_LIMITS = {"file_bytes": 1024}
    path = tmp_path / "big.csv"
    path.write_bytes(csv_file(*(row(f"B-{n}") for n in range(50))))
    with pytest.raises(CommandError, match="上限"):
        call_command("hotline_import", str(path), stdout=StringIO(), stderr=StringIO())


def test_the_command_refuses_a_bomb_with_a_chinese_message(demo, tmp_path):
    bomb = rewritten(
        header_only(),
        SHEET,
        lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', x),
    )
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("hotline_import", str(path), stdout=out, stderr=StringIO())
    assert "上限" in out.getvalue() and "整个文件未导入" in out.getvalue()
    assert raised.value.returncode == 1
