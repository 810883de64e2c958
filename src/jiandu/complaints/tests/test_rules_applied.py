"""The seeds' complaint rules under every profile: the national layer beneath local rules, several
profiles on one agency, handed-over complaints, repeated extensions."""

import ast
import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.models import Complaint
from jiandu.complaints.procedure import COMPLAINTS
from jiandu.core.errors import InvalidState, ServiceError
from jiandu.deadlines.models import Deadline
from jiandu.documents.models import Document
from jiandu.orgs import services as orgs
from jiandu.orgs.models import Agency, ProfileBinding, Role, Unit
from jiandu.orgs.profiles import profile_for
from jiandu.rules.loader import catalogue, compose, load_profile, national
from jiandu.rules.models import RuleProfile

from .test_services import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def qianjiang(demo):
    """An agency bound to 003 (黔江), whose seed has no complaint system of its own."""
    admin = demo["admin"]
    agency = orgs.create_agency(
        actor=admin,
        code="demo-qj",
        name="示范区黔江式市场监督管理局",
        kind=Agency.Kind.ENFORCEMENT,
        parent=Agency.objects.get(code="demo-district"),
        supervisor=Agency.objects.get(code="demo-sfj"),
        profile=RuleProfile.objects.get(code="qianjiang-amr"),
    )
    unit = orgs.create_unit(actor=admin, agency=agency, name="法治科", kind=Unit.Kind.LEGAL_AFFAIRS)
    officer = orgs.create_person(
        actor=admin,
        username="qj-legal",
        full_name="黔法治",
        agency=agency,
        unit=unit,
        roles=[Role.LEGAL_AFFAIRS],
        password="a-long-test-password-1",
    )
    return agency, officer


def test_an_agency_bound_to_003_accepts_and_answers_on_the_national_basis(qianjiang):
    agency, officer = qianjiang
    complaint = services.submit_complaint(intake(agency)).complaint
    services.accept_complaint(complaint, actor=officer)
    services.conclude_complaint(
        complaint, actor=officer, finding="not_substantiated", measures=[], result_text="经核查不属实"
    )
    # No period is opened where neither 003 nor national law sets one.
    assert not Deadline.objects.filter(subject_id=complaint.pk).exists()
    letters = Document.objects.filter(subject_id=complaint.pk).order_by("id")
    assert [d.kind for d in letters] == ["complaint_acceptance", "complaint_result"]
    for letter in letters:
        # 003 第十条（一）names who handles; the basis of handling is the law beneath every profile.
        assert letter.citation in (
            "《重庆市黔江区市场监督管理局行政执法错案责任倒查问责制度》第十条（一）",
            "《中华人民共和国行政处罚法》第七十五条第二款",
        )
        assert ".txt" not in letter.citation


def test_a_procedure_a_profile_switches_on_but_cannot_run_is_caught(demo):
    # A local profile that states complaint rules but not who handles them cannot run complaints:
    # rules check reports it, and the first citizen gets a clear refusal, not a missing citation.
    base = load_profile("zhongshan-amr")
    rules = {k: r for k, r in base.rules.items() if k != "complaint.handling_unit"}
    broken = compose([type(base)(**{**base.__dict__, "rules": rules})])
    assert (
        COMPLAINTS.rules.problems(broken)
        and "complaint.handling_unit" in COMPLAINTS.rules.problems(broken)[0]
    )
    with pytest.raises(ServiceError) as refused:
        COMPLAINTS.rules.ensure_runs(broken, "某局")
    assert refused.value.code == "procedure_off"
    # A profile with no complaint rules at all leaves the procedure off, with a clear message.
    silent = compose([type(base)(**{**base.__dict__, "rules": {}})])
    assert not COMPLAINTS.rules.switched_on(silent) and COMPLAINTS.rules.problems(silent) == []
    with pytest.raises(ServiceError, match="不在本平台办理投诉举报"):
        COMPLAINTS.rules.ensure_runs(silent, "某局")


def test_one_agency_under_000_and_002_gets_both_and_lists_their_conflicts(demo):
    ggzy = Agency.objects.get(code="demo-ggzy")
    ProfileBinding.objects.get_or_create(agency=ggzy, profile=RuleProfile.objects.get(code="jingzhou-zwsj"))
    profile = profile_for(Agency.objects.get(pk=ggzy.pk))
    assert profile.layers == ("jingzhou-ggzy", "jingzhou-zwsj", "national")
    assert profile.rule("complaint.handling").layer == "jingzhou-ggzy"  # 000 第六条
    assert profile.rule("complaint.respondent_explanation").layer == "jingzhou-zwsj"  # 002 第九条
    assert profile.rule("complaint.basis").layer == "national"
    conflicting = {c.key for c in profile.conflicts}
    assert "complaint.handling_unit" in conflicting  # 法规科 (000) against 负责法制工作的机构 (002)


def test_national_law_prevails_over_a_local_rule_that_differs():
    local = load_profile("zhongshan-amr")
    differing = national().rules["case.payment"]
    changed = type(differing.value)(**{**differing.value.__dict__, "amount": 30})
    rules = {**local.rules, "case.payment": type(differing)(**{**differing.__dict__, "value": changed})}
    profile = compose([type(local)(**{**local.__dict__, "rules": rules})])
    assert profile.period("case.payment").amount == 15
    (conflict,) = [c for c in profile.conflicts if c.key == "case.payment"]
    assert conflict.kept.layer == "national" and "上位法优先" in conflict.reason


def test_a_handed_over_complaint_under_000_runs_30_days_from_acceptance(demo, ggzy_complaint_handed_over):
    complaint, accepted_on = ggzy_complaint_handed_over
    handling = Deadline.objects.get(subject_id=complaint.pk, rule_key="complaint.handling")
    assert handling.start_date == accepted_on  # 000 第六条：自受理…后30日内


@pytest.fixture
def ggzy_complaint_handed_over(demo):
    ggzy = Agency.objects.get(code="demo-ggzy")
    complaint = services.submit_complaint(
        intake(ggzy, channel=Complaint.Channel.ASSIGNED), actor=demo["supervisor"]
    ).complaint
    assert not Deadline.objects.filter(subject_id=complaint.pk, rule_key="complaint.handling").exists()
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    return complaint, timezone.localdate()


def test_extensions_may_be_asked_for_several_times_within_the_total(demo, ggzy_complaint_handed_over):
    complaint, _ = ggzy_complaint_handed_over
    legal, leader = demo["ggzy-legal"], demo["ggzy-leader"]
    maximum = services.extension_limit(complaint)  # 000 第六条：延长期限不得超过30日
    first = services.request_extension(complaint, actor=legal, amount=maximum.amount - 10, reasons="情况复杂")
    services.decide_extension(first, actor=leader, approve=True)
    with pytest.raises(ServiceError) as too_much:
        services.request_extension(complaint, actor=legal, amount=11, reasons="仍需调查")
    assert too_much.value.field == "amount" and "本次至多10" in too_much.value.message
    second = services.request_extension(complaint, actor=legal, amount=10, reasons="仍需调查")
    services.decide_extension(second, actor=leader, approve=True)
    handling = Deadline.objects.get(subject_id=complaint.pk, rule_key="complaint.handling")
    assert handling.extension_amount == maximum.amount
    with pytest.raises(InvalidState, match="已达上限"):
        services.request_extension(complaint, actor=legal, amount=1, reasons="再延")
    assert handling.due_date > handling.base_due_date >= datetime.date(2020, 1, 1)


def _string_keys(path: Path) -> set[str]:
    keys = set(catalogue().keys)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys:
            found.add(node.value)
    return found


def test_the_procedure_declares_every_rule_its_code_reads():
    app = Path(__file__).resolve().parent.parent
    used: set[str] = set()
    for path in app.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            used |= _string_keys(path)
    # Keys built from a prefix (f"{_extension_prefix(complaint)}.approver") are declared by hand.
    assert used <= set(COMPLAINTS.rules.reads), sorted(used - set(COMPLAINTS.rules.reads))
    built = {k for k in COMPLAINTS.rules.reads if k.endswith((".approver", ".max")) and "extension" in k}
    assert set(COMPLAINTS.rules.reads) - used <= built, sorted(set(COMPLAINTS.rules.reads) - used - built)
