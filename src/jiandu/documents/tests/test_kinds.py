"""The kinds registry: templates are data, checked when registered; contexts are checked when filled."""

import datetime

import pytest

from jiandu.core.errors import ServiceError
from jiandu.documents.kinds import DocumentKind, MissingContext, all_kinds, format_value, get_kind, register

COMPLAINT_KINDS = {
    "complaint_acceptance": "受理通知书",
    "complaint_rejection": "不予受理告知书",
    "complaint_referral": "转送告知书",
    "complaint_extension": "延期告知书",
    "complaint_result": "处理结果告知书",
}


def test_the_complaint_kinds_are_registered_in_one_family():
    kinds = {kind.code: kind for kind in all_kinds()}
    for code, title in COMPLAINT_KINDS.items():
        assert title in kinds[code].title
        assert kinds[code].family == "投诉"
        assert {"agency_name", "number", "addressee", "issued_on", "citation", "tracking_code"} <= set(
            kinds[code].required_keys
        )


def test_unknown_kind_is_a_service_error():
    with pytest.raises(ServiceError) as exc:
        get_kind("no_such_kind")
    assert exc.value.field == "kind" and exc.value.code == "unknown_kind"


def test_missing_key_is_named(full_context):
    del full_context["new_due_date"]
    with pytest.raises(MissingContext) as exc:
        get_kind("complaint_extension").compose(full_context)
    assert exc.value.field == "new_due_date"
    assert exc.value.keys == ["new_due_date"]
    assert "new_due_date" in exc.value.message and "投诉举报延期告知书" in exc.value.message


def test_blank_keys_count_as_missing_and_all_are_named(full_context):
    full_context["reasons"] = "  "
    full_context["decision"] = None
    del full_context["findings"]
    with pytest.raises(MissingContext) as exc:
        get_kind("complaint_result").compose(full_context)
    assert exc.value.keys == ["findings", "decision"]
    with pytest.raises(MissingContext) as exc:
        get_kind("complaint_rejection").compose(full_context)
    assert exc.value.keys == ["reasons"]


def test_values_are_written_the_chinese_way(full_context):
    assert format_value(datetime.date(2025, 3, 5)) == "2025年3月5日"
    assert format_value(12) == "12"
    assert format_value(" 已核实。") == "已核实"  # the template closes the sentence
    with pytest.raises(TypeError):
        format_value(datetime.datetime(2025, 3, 5, 10, 0))
    with pytest.raises(TypeError):
        format_value(1.5)
    full_context["tracking_code"] = object()
    with pytest.raises(ServiceError) as exc:
        get_kind("complaint_acceptance").compose(full_context)
    assert exc.value.field == "tracking_code"


def test_issued_on_must_be_a_date(full_context):
    full_context["issued_on"] = "2025年3月5日"
    with pytest.raises(ServiceError) as exc:
        get_kind("complaint_acceptance").compose(full_context)
    assert exc.value.field == "issued_on"


def test_compose_fills_frame_and_body(full_context):
    text = get_kind("complaint_referral").compose(full_context)
    assert text.title == "投诉举报转送告知书"
    assert text.number == "测试市监投诉〔2025〕12号"
    assert text.date_line == "2025年3月5日"
    body = "".join(text.body)
    assert "查询码：TS2025-8F3K2Q" in body
    assert "依照《行政执法投诉举报制度》第六条的规定" in body
    assert "2025年3月4日将该投诉举报转送测试市生态环境局办理" in body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (("没有依据。",), "must cite"),
        (("依照{citation}，{a.b}",), "plain name"),
        (("依照{citation}，{items[0]}",), "plain name"),
    ],
)
def test_templates_are_checked_when_defined(body, message):
    with pytest.raises(ValueError, match=message):
        DocumentKind(code="bad_kind", title="错误文书", family="测试", body=body)


def test_a_code_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        register(DocumentKind(code="complaint_result", title="重复", family="投诉", body=("{citation}",)))
