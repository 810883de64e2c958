"""Every kind renders to a DOCX Word opens with Chinese fonts and to a PDF with its Chinese font embedded."""

import io
import zipfile

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from jiandu.documents.kinds import all_kinds
from jiandu.documents.services import render_preview

from .conftest import CITATION

KINDS = [kind.code for kind in all_kinds() if kind.code.startswith("complaint_")]


def _docx_text(data: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs)


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # Lines wrap anywhere in Chinese text: compare without the line breaks.
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("code", KINDS)
def test_every_kind_renders_docx_and_pdf(code, full_context):
    title = next(kind.title for kind in all_kinds() if kind.code == code)
    docx_bytes, pdf_bytes = render_preview(code, full_context)

    assert zipfile.is_zipfile(io.BytesIO(docx_bytes))
    text = _docx_text(docx_bytes)
    for expected in (title, CITATION, "测试市监投诉〔2025〕12号", "投诉举报人：", "（印章）", "2025年3月5日"):
        assert expected in text

    assert pdf_bytes.startswith(b"%PDF")
    text = _pdf_text(pdf_bytes)
    for expected in (title, CITATION, "测试市监投诉〔2025〕12号", "测试市市场监督管理局", "2025年3月5日"):
        assert expected in text


def test_docx_sets_chinese_fonts_and_language(full_context):
    docx_bytes, _ = render_preview("complaint_acceptance", full_context)
    document = docx.Document(io.BytesIO(docx_bytes))
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the named one
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    title_run = document.paragraphs[1].runs[0]
    assert title_run.text == "投诉举报受理通知书"
    assert title_run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_pdf_embeds_its_chinese_font(full_context):
    _, pdf_bytes = render_preview("complaint_result", full_context)
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts, "the page uses a font"
    for font in fonts:
        assert "NotoSerifSC" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"], "the TrueType program is embedded"


def test_rendering_is_deterministic(full_context):
    assert render_preview("complaint_result", full_context) == render_preview(
        "complaint_result", full_context
    )


def test_pdf_is_dated_the_day_of_issue(full_context):
    _, pdf_bytes = render_preview("complaint_acceptance", full_context)
    metadata = pypdf.PdfReader(io.BytesIO(pdf_bytes)).metadata
    assert metadata["/CreationDate"].startswith("D:20250305")
    assert metadata["/Title"] == "投诉举报受理通知书"


def test_markup_in_values_is_text(full_context):
    full_context["findings"] = "金额<5000>元 & 其他"
    docx_bytes, pdf_bytes = render_preview("complaint_result", full_context)
    assert "金额<5000>元&其他" in _pdf_text(pdf_bytes)
    assert "金额<5000>元 & 其他" in _docx_text(docx_bytes)


def test_no_line_starts_with_closing_punctuation(full_context):
    # 避头点: with this text and width, a plain wrap would open a line with "，".
    full_context["findings"] = "被投诉执法人员在执法过程中未出示行政执法证件，" * 12
    _, pdf_bytes = render_preview("complaint_result", full_context)
    lines = [
        line.strip()
        for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages
        for line in page.extract_text().splitlines()
    ]
    assert len(lines) > 20
    assert not [line for line in lines if line[:1] in set("，。；：！？）》”、")]
