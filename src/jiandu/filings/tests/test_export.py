"""The Excel export of the kernel's matter list, on filings: the list's rows, no more."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiandu.filings.models import Filing
from jiandu.ledger.models import LedgerEntry
from jiandu.procedures.registry import procedure
from jiandu.procedures.runner import run_step
from jiandu.procedures.testing import example_inputs

pytestmark = pytest.mark.django_db

HEADER = ["编号", "名称", "类别", "报备机关", "状态", "最近届满日", "登记时间"]
EXPORT = reverse("procedures:export", args=["filings"])


def _file(person, title: str) -> Filing:
    step = procedure("filings").step("filings.submit")
    inputs = {**example_inputs(step, timezone.localdate()), "title": title}
    return run_step(step.name, actor=person, agency=person.agency, inputs=inputs).matter


def _sheet(response) -> list[list]:
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def test_the_export_holds_the_lists_rows_under_its_filters(demo, media, signed_in):
    first = _file(demo["ggzy-legal"], "公共资源交易投诉处理办法")
    second = _file(demo["ggzy-legal"], "政府采购评审专家管理办法")
    run_step(
        "filings.notify",
        second,
        actor=demo["supervisor"],
        inputs={"problems": "第三条与上位法不一致", "correction": "修改第三条"},
    )
    supervisor = signed_in("supervisor")

    response = supervisor.get(EXPORT)
    rows = _sheet(response)
    assert rows[0] == HEADER
    assert sorted(r[0] for r in rows[1:]) == sorted([first.number, second.number])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        + "%E5%A4%87%E6%A1%88%E5%AE%A1%E6%9F%A5"  # 备案审查
        + f"-{today:%Y%m%d}.xlsx"
    )

    rows = _sheet(supervisor.get(EXPORT, {"state": "submitted"}))
    assert [r[0] for r in rows[1:]] == [first.number]
    assert rows[1][1:5] == ["公共资源交易投诉处理办法", "规章、规范性文件", first.agency.name, "待审查"]
    assert rows[1][6].date() == timezone.localtime(first.created_at).date()

    rows = _sheet(supervisor.get(EXPORT, {"q": "评审专家"}))
    assert [r[0] for r in rows[1:]] == [second.number]
    # The list page links to the export with the filters it shows.
    page = supervisor.get(reverse("procedures:list", args=["filings"]), {"q": "评审专家"}).content.decode()
    assert f'href="{EXPORT}?q=' in page


def test_each_viewer_exports_only_the_filings_in_their_scope(demo, media, signed_in):
    filing = _file(demo["ggzy-legal"], "公共资源交易投诉处理办法")
    for username, person in demo.items():
        exported = {row[0] for row in _sheet(signed_in(username).get(EXPORT))[1:]}
        assert exported == set(Filing.objects.restrict(person, "view").values_list("number", flat=True))
    # The sweep above must not pass by everyone seeing everything, or nothing.
    for username in ("legal", "leader", "handler", "amr-fagui", "cgzf-legal"):
        assert not Filing.objects.restrict(demo[username], "view").exists(), username
    for username in ("ggzy-legal", "supervisor"):
        assert set(Filing.objects.restrict(demo[username], "view")) == {filing}, username


def test_text_a_spreadsheet_would_run_stays_text(demo, media, signed_in):
    titles = ['=HYPERLINK("http://example.com","点此")', "+1+2", "-3", "@SUM(A1)", "普通名称"]
    for title in titles:
        _file(demo["ggzy-legal"], title)
    response = signed_in("supervisor").get(EXPORT)
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    cells = {row[1].value: row[1] for row in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2)}
    assert set(cells) == set(titles)
    for title in titles[:4]:
        assert cells[title].data_type == "s" and cells[title].quotePrefix, title
    assert not cells["普通名称"].quotePrefix


def test_the_export_is_ledgered_with_filters_and_count_not_content(demo, media, signed_in):
    filing = _file(demo["ggzy-legal"], "公共资源交易投诉处理办法")
    _sheet(signed_in("supervisor").get(EXPORT, {"q": "交易投诉", "state": "submitted"}))
    entry = LedgerEntry.objects.get(action="filings.export")
    assert entry.actor == demo["supervisor"]
    payload = entry.payload
    assert payload["rows"] == 1 and payload["capped"] is False
    assert payload["filters"]["state"] == "submitted" and payload["filters"]["due"] is None
    assert payload["filters"]["q"]["chars"] == 4
    text = str(payload)
    assert "交易投诉" not in text and filing.title not in text and filing.number not in text


def test_a_long_list_is_cut_at_the_cap_and_the_sheet_says_so(demo, media, signed_in, settings):
    settings.JIANDU_MAX_EXPORT_ROWS = 1
    for title in ("办法一", "办法二"):
        _file(demo["ggzy-legal"], title)
    rows = _sheet(signed_in("supervisor").get(EXPORT))
    assert "仅导出前1条" in rows[0][0]
    assert rows[1] == HEADER and len(rows) == 3
    entry = LedgerEntry.objects.get(action="filings.export")
    assert entry.payload["rows"] == 1 and entry.payload["capped"] is True
