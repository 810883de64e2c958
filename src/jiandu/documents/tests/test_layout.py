"""Letters as a reader sees them: the signature is never alone on a page.

That no complaint letter says a sentence twice, with the values the complaints services put into
it, is tested in complaints/tests/test_letter_layout.py.
"""

import io

import docx
import pypdf

from jiandu.documents.services import render_preview

LAST_PARAGRAPH = (
    "你（单位）对处理结果有异议的，可以凭查询码对办理情况作出评价，"
    "也可以依照《中华人民共和国行政处罚法》第七十五条第二款的规定向测试市司法局申诉或者检举。"
)
FINDING = "被投诉执法人员在执法过程中未出示行政执法证件，"


def _pages(pdf_bytes: bytes) -> list[str]:
    # Lines wrap anywhere in Chinese text: compare without the line breaks.
    return ["".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]


def test_pdf_signature_is_never_alone_on_the_last_page(full_context):
    # With 8 repetitions the closing, seal, agency name and date used to go to page 2 alone, the
    # last body paragraph staying on page 1; the neighbouring lengths guard against font metrics.
    long_letters = 0
    for repetitions in range(6, 11):
        full_context["findings"] = FINDING * repetitions
        _, pdf_bytes = render_preview("complaint_result", full_context)
        pages = _pages(pdf_bytes)
        if len(pages) == 1:
            continue
        long_letters += 1
        last = pages[-1]
        for expected in (LAST_PARAGRAPH, "特此告知。", "（印章）", "测试市市场监督管理局", "2025年3月5日"):
            assert expected in last, (repetitions, expected)
    assert long_letters, "some of these letters run onto a second page"


def test_docx_keeps_the_last_paragraph_with_the_closing_and_signature(full_context):
    docx_bytes, _ = render_preview("complaint_result", full_context)
    paragraphs = docx.Document(io.BytesIO(docx_bytes)).paragraphs
    texts = [paragraph.text for paragraph in paragraphs]
    start = texts.index(LAST_PARAGRAPH)
    ending = paragraphs[start:]
    assert [paragraph.text for paragraph in ending] == [
        LAST_PARAGRAPH,
        "特此告知。",
        "",
        "",
        "（印章）",
        "测试市市场监督管理局",
        "2025年3月5日",
    ]
    for paragraph in ending:
        assert paragraph.paragraph_format.keep_together is True, paragraph.text
    for paragraph in ending[:-1]:
        assert paragraph.paragraph_format.keep_with_next is True, paragraph.text
    # The paragraphs before stay free to break, or a long letter could not fill its first page.
    assert not paragraphs[start - 1].paragraph_format.keep_with_next
