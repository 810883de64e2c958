"""Complaint letters as a reader sees them, with the values the complaints services put into them:
every complaint kind is checked, and no sentence is said twice."""

import datetime
import io
import re

import docx
import pypdf
import pytest

from jiandu.complaints.models import Complaint
from jiandu.complaints.services import ADDRESSEE, MEASURES
from jiandu.documents.kinds import all_kinds, get_kind
from jiandu.documents.services import render_preview
from jiandu.documents.tests.conftest import CITATION


def _pages(pdf_bytes: bytes) -> list[str]:
    # Lines wrap anywhere in Chinese text: compare without the line breaks.
    return ["".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]


# As complaints.services._recourse words it.
RECOURSE_DECISION = (
    "你（单位）对本决定有异议的，"
    "可以依照《中华人民共和国行政处罚法》第七十五条第二款的规定向测试市司法局申诉或者检举"
)
RECOURSE_RESULT = (
    "你（单位）对处理结果有异议的，可以凭查询码对办理情况作出评价，"
    "也可以依照《中华人民共和国行政处罚法》第七十五条第二款的规定向测试市司法局申诉或者检举"
)


def _complaint_letters() -> list[tuple[str, dict]]:
    """Each complaint letter with the values the complaints services put into it (see `_letter`)."""
    received = datetime.date(2025, 3, 1)
    accepted = datetime.date(2025, 3, 3)
    reason = "该投诉举报反映的事项属于生态环境部门职责"
    letters = [
        ("complaint_acceptance", {"promise": "并于2025年4月2日前将处理结果告知你（单位）"}),
        # No rule sets a handling period (003, on the national basis): a promise without a date.
        ("complaint_acceptance", {"promise": "并将处理结果告知你（单位）"}),
        (
            "complaint_rejection",
            {"reasons": "该事项已经人民法院受理", "citation": CITATION, "recourse": RECOURSE_DECISION},
        ),
        (
            "complaint_referral",
            {"reasons": reason, "referred_on": accepted, "referred_to": "测试市生态环境局"},
        ),
        # Without a referral rule in the agency's profile the service cites the national basis.
        (
            "complaint_referral",
            {
                "reasons": reason,
                "citation": "《中华人民共和国行政处罚法》第七十五条第二款",
                "referred_on": accepted,
                "referred_to": "测试市生态环境局",
            },
        ),
        (
            "complaint_extension",
            {
                "accepted_on": accepted,
                "due_date": datetime.date(2025, 4, 2),
                "reasons": "情况复杂，需补充调查",
                "new_due_date": datetime.date(2025, 5, 6),
            },
        ),
    ]
    # The findings and decisions as conclude_complaint writes them, for each finding it allows.
    for finding, measures, result_text in (
        (Complaint.Finding.SUBSTANTIATED, ["correct"], "经查属实，已责令改正。"),
        (Complaint.Finding.PARTLY, ["correct", "refer_discipline"], "经补充调查，部分属实。"),
        (Complaint.Finding.NOT_SUBSTANTIATED, [], "经查不属实。"),
    ):
        letters.append(
            (
                "complaint_result",
                {
                    "accepted_on": accepted,
                    "finding": finding.label,
                    "findings": result_text,
                    "decision": "；".join(MEASURES[m] for m in measures) or "不予追究",
                    "recourse": RECOURSE_RESULT,
                },
            )
        )
    return [
        (
            code,
            {
                "addressee": ADDRESSEE,
                "received_on": received,
                "tracking_code": "TS2025-8F3K2Q",
                "agency_name": "测试市市场监督管理局",
                "number": "测试市监投诉〔2025〕12号",
                "issued_on": datetime.date(2025, 3, 5),
                "citation": CITATION,
                **values,
            },
        )
        for code, values in letters
    ]


LETTERS = _complaint_letters()


def test_every_complaint_kind_is_checked():
    codes = {kind.code for kind in all_kinds() if kind.code.startswith("complaint_")}
    assert codes == {code for code, _ in LETTERS}


@pytest.mark.parametrize(("code", "context"), LETTERS, ids=[code for code, _ in LETTERS])
def test_no_sentence_is_said_twice(code, context):
    assert not get_kind(code).missing(context)
    docx_bytes, pdf_bytes = render_preview(code, context)
    for text in (
        "".join(paragraph.text for paragraph in docx.Document(io.BytesIO(docx_bytes)).paragraphs),
        "".join(_pages(pdf_bytes)),
    ):
        sentences = [sentence for sentence in re.split("。", re.sub(r"\s+", "", text)) if sentence]
        repeated = sorted({sentence for sentence in sentences if sentences.count(sentence) > 1})
        assert not repeated, f"{code}: {repeated}"
