"""Fixtures for the documents tests: two agencies created directly (files: the shared `media` fixture)."""

import datetime

import pytest

from jiandu.orgs.models import Agency, Person


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(
        code="test-amr", name="测试市市场监督管理局", short_name="测试市监", kind=Agency.Kind.ENFORCEMENT
    )


@pytest.fixture
def other_agency(db) -> Agency:
    return Agency.objects.create(code="test-env", name="测试市生态环境局", kind=Agency.Kind.ENFORCEMENT)


@pytest.fixture
def officer(agency) -> Person:
    return Person.objects.create_user("officer", full_name="王法制", agency=agency)


CITATION = "《行政执法投诉举报制度》第六条"


@pytest.fixture
def context() -> dict:
    """What a complaints procedure knows about its matter: every kind's keys but the service's own."""
    return {
        "addressee": "投诉举报人",
        "tracking_code": "TS2025-8F3K2Q",
        "received_on": datetime.date(2025, 3, 1),
        "accepted_on": datetime.date(2025, 3, 3),
        "due_date": datetime.date(2025, 4, 2),
        "new_due_date": datetime.date(2025, 5, 6),
        "reasons": "该事项涉及多个部门，需要进一步调查核实",
        "referred_on": datetime.date(2025, 3, 4),
        "referred_to": "测试市生态环境局",
        "promise": "并于2025年4月2日前将处理结果告知你（单位）",
        "finding": "查证属实",
        "findings": "被投诉执法人员在执法过程中未出示行政执法证件，投诉事项基本属实",
        "decision": "责令该执法人员所在单位整改，并对相关人员进行批评教育",
        "recourse": "你（单位）对处理结果有异议的，可以凭查询码对办理情况作出评价，"
        "也可以依照《中华人民共和国行政处罚法》第七十五条第二款的规定向测试市司法局申诉或者检举",
    }


@pytest.fixture
def full_context(context) -> dict:
    """A context for previews: the keys the service fills in when it issues, given by hand."""
    return {
        **context,
        "agency_name": "测试市市场监督管理局",
        "number": "测试市监投诉〔2025〕12号",
        "issued_on": datetime.date(2025, 3, 5),
        "citation": CITATION,
    }
