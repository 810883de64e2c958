"""The filing procedure (备案审查), declared on the kernel.

《荆州市政务数据局行政执法监督制度》(seed 002):
  - 第七条: 规章、规范性文件 filed with the supervising body within 30 days of publication
    (`filing.normative_document`); 经备案审查提出改正或撤销意见的，应依法予以纠正或撤销;
  - 第八条: 重大行政处罚决定 filed within 15 days of the decision (`filing.major_penalty_decision`);
  - 第十一条: problems found → 通知限期履行或纠正; 逾期不纠正的，经批准责令变更或撤销;
  - 第十二条: the 《行政执法监督通知书》 / 《行政执法监督决定书》, each answered in writing within 15
    days of receipt, or within 15 days after the correction date it sets
    (`supervision_notice.notice.reply`, `…decision.reply`, `…correction_report`).
A filing is made at once on registration: its period is opened from the publication or decision
date and closed by the filing itself, so a late filing shows as a missed period and is flagged.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jiandu.core.errors import InvalidState, ServiceError
from jiandu.deadlines.models import Deadline
from jiandu.deadlines.services import open_deadlines_of
from jiandu.orgs.models import Person, Role
from jiandu.procedures import approvals, requests
from jiandu.procedures.inputs import Input
from jiandu.procedures.registry import CREATE, Guard, Letter, Opens, Procedure, Step, register
from jiandu.procedures.runner import StepContext
from jiandu.procedures.who import Sees, StaffOf
from jiandu.rules.procedures import ProcedureRules

from .models import Filing

S = Filing.State
PERIOD_OF_KIND = {
    Filing.Kind.NORMATIVE_DOCUMENT: "filing.normative_document",
    Filing.Kind.MAJOR_PENALTY: "filing.major_penalty_decision",
}
# Kinds of the kernel's approvals and requests used here, named under the procedure.
NOTICE, DECISION, ORDER = "filings.notice", "filings.decision", "filings.order"
REPLY_KEYS = (
    "supervision_notice.notice.reply",
    "supervision_notice.decision.reply",
    "supervision_notice.correction_report",
)

FILER = StaffOf(
    "agency",
    (Role.LEGAL_AFFAIRS, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER),
    label="报备机关的法制工作人员或负责人",
)
REVIEWER = StaffOf("supervisor", (Role.SUPERVISOR,), label="备案审查机关的执法监督人员")


# ----------------------------------------------------------------------------------------- bodies


def _submit(ctx: StepContext) -> None:
    filing: Filing = ctx.matter
    supervisor = filing.agency.supervisor
    if supervisor is None:
        raise ServiceError(f"{filing.agency.name}未设行政执法监督机关，无处报备。", field="agency")
    event_date: datetime.date = ctx.inputs["event_date"]
    if event_date > ctx.today:
        raise ServiceError("发布或决定日期不能晚于今天。", field="event_date")
    ctx.check_start(PERIOD_OF_KIND[ctx.inputs["kind"]], event_date, field="event_date")
    filing.supervisor = supervisor
    for name in ("kind", "title", "document_number", "event_date", "summary"):
        setattr(filing, name, ctx.inputs[name])


def _filing_period(ctx: StepContext) -> str:
    return PERIOD_OF_KIND[ctx.matter.kind]


def _flag_late(ctx: StepContext) -> dict[str, Any]:
    # The filing meets (or misses) its own period at the moment it is made.
    met = ctx.close_periods(_filing_period(ctx))
    ctx.matter.late = any(d.state == d.State.MISSED for d in met)
    ctx.matter.save(update_fields=["late"])
    return {"late": ctx.matter.late}


def _correct_by(ctx: StepContext) -> datetime.date | None:
    correct_by = ctx.inputs["correct_by"]
    if correct_by is not None and correct_by <= ctx.today:
        raise ServiceError("纠正期限须晚于今天。", field="correct_by")
    if correct_by is not None:  # the report is due 15 days after it (第十二条): it must be countable
        ctx.check_start("supervision_notice.correction_report", correct_by, field="correct_by")
    return correct_by


def _notify(ctx: StepContext) -> None:
    ctx.matter.correct_by, ctx.matter.order = _correct_by(ctx), ""
    requests.send(ctx, NOTICE, respondent=ctx.matter.agency, matters=ctx.inputs["correction"])


def _propose_order(ctx: StepContext) -> dict[str, Any]:
    correct_by = _correct_by(ctx)
    approvals.request(
        ctx,
        ORDER,
        approver=approvals.approver_from_profile(
            ctx, "supervision_notice.decision.approver", within=ctx.matter.supervisor
        ),
        citation=ctx.citation("supervision_notice.decision.approver"),
        reasons=ctx.inputs["reasons"],
        details={"order": ctx.inputs["order"], "correct_by": correct_by.isoformat() if correct_by else None},
    )
    return {"order": ctx.inputs["order"]}


def _approve_order(ctx: StepContext) -> dict[str, Any]:
    approval = approvals.decide(ctx, ORDER, approved=True, reason=ctx.inputs["opinion"])
    filing: Filing = ctx.matter
    filing.order = approval.details["order"]
    correct_by = approval.details.get("correct_by")
    filing.correct_by = datetime.date.fromisoformat(correct_by) if correct_by else None
    if filing.correct_by is not None and filing.correct_by <= ctx.today:
        raise InvalidState(
            "提请中的纠正期限已过，不能据以制发决定书；请不批准，由承办人重新提请。", field="state"
        )
    # The notice the agency did not act on is replaced by the decision (第十一条).
    requests.supersede(ctx, reply_keys=REPLY_KEYS)
    requests.send(ctx, DECISION, respondent=filing.agency, matters=approval.reasons)
    return {"order": filing.order}


def _refuse_order(ctx: StepContext) -> None:
    approvals.decide(ctx, ORDER, approved=False, reason=ctx.inputs["opinion"])


def _receive(ctx: StepContext) -> None:
    requests.receive(ctx)


def _record_delivery(ctx: StepContext) -> None:
    requests.receive(ctx, delivered_on=ctx.inputs["delivered_on"])


def _received_on(ctx: StepContext) -> datetime.date:
    # 收到……之日起: the day the agency signed, or the delivery day the bureau recorded.
    return ctx.inputs.get("delivered_on") or ctx.today


def _report(ctx: StepContext) -> None:
    requests.answer(ctx, text=ctx.inputs["report"], reply_keys=REPLY_KEYS)


def _reply_key(state: str) -> str:
    return "supervision_notice.notice.reply" if state == S.CORRECTING else "supervision_notice.decision.reply"


# ------------------------------------------------------------------------------------------ guards


def _may_order_q(model: Any) -> Q:
    """`_may_order` as a filter (for the lists of what awaits whom)."""
    today = timezone.localdate()
    overdue = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id=OuterRef("pk"),
        closed_at__isnull=True,
        rule_key__in=REPLY_KEYS,
        due_date__lt=today,
    )
    return Q(state=S.REPORTED) | Q(correct_by__lt=today) | Q(Exists(overdue))


def _may_order(filing: Filing) -> bool:
    """第十一条: 责令变更或撤销 after a report, or when the correction is overdue."""
    if filing.state == S.REPORTED:
        return True
    today = timezone.localdate()
    if filing.correct_by is not None and filing.correct_by < today:
        return True
    return open_deadlines_of(filing).filter(rule_key__in=REPLY_KEYS, due_date__lt=today).exists()


# ----------------------------------------------------------------------------------------- letters


def _report_phrase(ctx: StepContext, letter_word: str) -> str:
    filing: Filing = ctx.matter
    key = "supervision_notice.correction_report" if filing.correct_by else _reply_key(filing.state)
    if not ctx.profile.has(key):
        return "请你机关书面报告执行情况"
    period = ctx.profile.period(key)
    start = f"纠正期限届满之日起{period}内" if filing.correct_by else f"收到本{letter_word}之日起{period}内"
    return f"请你机关于{start}书面报告执行情况（{period.citation}）"


def _deadline_phrase(filing: Filing) -> str:
    if filing.correct_by is None:
        return ""
    return f"，并于{filing.correct_by.year}年{filing.correct_by.month}月{filing.correct_by.day}日前纠正完毕"


def _notice_context(ctx: StepContext) -> dict[str, Any]:
    filing: Filing = ctx.matter
    return {
        "addressee": filing.agency.name,
        "title": filing.title,
        "document_number": filing.document_number,
        "problems": ctx.inputs["problems"],
        "correction": ctx.inputs["correction"] + _deadline_phrase(filing),
        "report": _report_phrase(ctx, "通知书"),
    }


def _decision_context(ctx: StepContext) -> dict[str, Any]:
    filing: Filing = ctx.matter
    return {
        "addressee": filing.agency.name,
        "title": filing.title,
        "document_number": filing.document_number,
        "reasons": approvals.latest(filing, ORDER).reasons,
        "order": Filing.Order(filing.order).label
        + "该"
        + filing.get_kind_display()
        + _deadline_phrase(filing),
        "report": _report_phrase(ctx, "决定书"),
    }


def _bureau(ctx: StepContext) -> Any:
    return ctx.matter.supervisor


def _supervision_citation(ctx: StepContext) -> str:
    return ctx.citation(
        "supervision_notice.kinds", "supervision_notice.escalation", "filing.correction_required"
    )


def _bureau_staff(filing: Filing) -> list[Person]:
    """An overdue report is the supervising body's business too: 第十一条 lets it order next."""
    return list(
        Person.objects.filter(
            agency=filing.supervisor, is_active=True, role_assignments__role=Role.SUPERVISOR
        ).distinct()
    )


def _in_ten_days(today: datetime.date) -> datetime.date:
    # An example correction date for scenarios and the shared tests; the bureau sets the real one.
    return today + datetime.timedelta(days=10)  # period-literal-ok: an example input, not a legal period


# ------------------------------------------------------------------------------------ declarations

# 第十二条: 收到之日起15日内, or 限期纠正满15日内 where the letter set a correction date.
REPLY_PERIODS = (
    Opens(
        "supervision_notice.notice.reply",
        "书面报告执行情况",
        start=_received_on,
        when=lambda ctx: ctx.matter.state == S.CORRECTING and ctx.matter.correct_by is None,
    ),
    Opens(
        "supervision_notice.decision.reply",
        "书面报告执行情况",
        start=_received_on,
        when=lambda ctx: ctx.matter.state == S.ORDERED and ctx.matter.correct_by is None,
    ),
    Opens(
        "supervision_notice.correction_report",
        "纠正后书面报告执行情况",
        start=lambda ctx: ctx.matter.correct_by,
        when=lambda ctx: ctx.matter.correct_by is not None,
    ),
)
CORRECT_BY = Input("correct_by", "纠正期限", kind="date", required=False, example=_in_ten_days)
# The head the profile names decides a proposed order (第十一条 经批准), once, while it is pending.
ORDER_APPROVER = approvals.Approver(ORDER, label="规则指定的批准人")
ORDER_PENDING = Guard(approvals.Pending(ORDER), "没有等待审批的提请。")
# While an order awaits the head, the officer neither files the matter away nor sends a new notice.
NO_ORDER_PENDING = Guard(approvals.NonePending(ORDER), "已提请责令变更或撤销，等待审批。")

FILINGS = register(
    Procedure(
        code="filings",
        label="备案审查",
        model=Filing,
        states=S,
        closed_states=(S.FILED,),
        number_family="BA",
        view=Sees(("agency", "supervisor")),
        facts=(
            ("报备机关", "agency.name"),
            ("备案审查机关", "supervisor.name"),
            ("备案类别", "kind"),
            ("名称", "title"),
            ("文号", "document_number"),
            ("发布或决定日期", "event_date"),
            ("说明", "summary"),
            ("逾期报备", "late"),
            ("纠正期限", "correct_by"),
            ("决定", "order"),
        ),
        columns=(("名称", "title"), ("类别", "kind"), ("报备机关", "agency.name")),
        search_fields=("title", "document_number"),
        escalate_to=_bureau_staff,
        rules=ProcedureRules(
            code="filings",
            label="备案审查",
            domain="filing",
            needs=(),
            reads=(
                "filing.correction_required",
                "filing.major_penalty_decision",
                "filing.normative_document",
                "supervision_notice.correction_report",
                "supervision_notice.decision.approver",
                "supervision_notice.decision.reply",
                "supervision_notice.escalation",
                "supervision_notice.kinds",
                "supervision_notice.notice.reply",
            ),
        ),
        steps=(
            Step(
                name="filings.submit",
                label="报送备案",
                sources=(CREATE,),
                target=S.SUBMITTED,
                who=FILER,
                inputs=(
                    Input("kind", "备案类别", kind="choice", choices=Filing.Kind.choices),
                    Input("title", "名称", kind="line", maximum=Filing._meta.get_field("title").max_length),
                    Input(
                        "document_number",
                        "文号",
                        kind="line",
                        maximum=Filing._meta.get_field("document_number").max_length,
                    ),
                    Input("event_date", "发布或决定日期", kind="date"),
                    Input("summary", "说明", kind="long", required=False),
                    Input(
                        "files",
                        "报送材料",
                        kind="files",
                        help="规范性文件文本或处罚决定书，以及必要的说明材料",
                    ),
                ),
                body=_submit,
                opens=(
                    Opens(
                        "filing.normative_document",
                        "规范性文件报备",
                        start=lambda ctx: ctx.matter.event_date,
                        when=lambda ctx: ctx.matter.kind == Filing.Kind.NORMATIVE_DOCUMENT,
                    ),
                    Opens(
                        "filing.major_penalty_decision",
                        "重大行政处罚决定报备",
                        start=lambda ctx: ctx.matter.event_date,
                        when=lambda ctx: ctx.matter.kind == Filing.Kind.MAJOR_PENALTY,
                    ),
                ),
                after=_flag_late,
                payload=("late",),
                consequence="报送后由备案审查机关审查，不能撤回。",
                irreversible=True,
            ),
            Step(
                name="filings.accept",
                label="予以备案",
                sources=(S.SUBMITTED, S.REPORTED),
                target=S.FILED,
                who=REVIEWER,
                inputs=(Input("opinion", "审查意见", kind="long", required=False),),
                guards=(NO_ORDER_PENDING,),
                irreversible=True,
                consequence="备案审查结束，报备机关不再需要报告。",
            ),
            Step(
                name="filings.notify",
                label="制发监督通知书",
                sources=(S.SUBMITTED, S.REPORTED),
                target=S.CORRECTING,
                who=REVIEWER,
                inputs=(
                    Input("problems", "发现的问题", kind="long"),
                    Input("correction", "纠正要求", kind="long"),
                    CORRECT_BY,
                ),
                guards=(NO_ORDER_PENDING,),
                body=_notify,
                letter=Letter(
                    "filing_supervision_notice", _notice_context, _supervision_citation, issuer=_bureau
                ),
                irreversible=True,
                consequence="制发《行政执法监督通知书》，报备机关签收后开始计算书面报告期限。",
            ),
            Step(
                name="filings.propose_order",
                label="提请责令变更或撤销",
                sources=(S.CORRECTING, S.REPORTED),
                target=None,
                who=REVIEWER,
                inputs=(
                    Input("order", "决定", kind="choice", choices=Filing.Order.choices),
                    Input("reasons", "理由", kind="long"),
                    CORRECT_BY,
                ),
                guards=(
                    Guard(
                        _may_order,
                        "尚未逾期不纠正，也未报告执行情况，不能责令变更或撤销（第十一条）。",
                        q=_may_order_q,
                    ),
                    NO_ORDER_PENDING,
                ),
                body=_propose_order,
                payload=("order",),
                consequence="报本机关负责人批准后制发《行政执法监督决定书》（第十一条“经批准”）。",
            ),
            Step(
                name="filings.approve_order",
                label="批准并制发监督决定书",
                sources=(S.CORRECTING, S.REPORTED),
                target=S.ORDERED,
                who=ORDER_APPROVER,
                inputs=(Input("opinion", "审批意见", kind="long", required=False),),
                guards=(ORDER_PENDING,),
                body=_approve_order,
                letter=Letter(
                    "filing_supervision_decision", _decision_context, _supervision_citation, issuer=_bureau
                ),
                payload=("order",),
                irreversible=True,
                consequence="制发《行政执法监督决定书》，责令报备机关变更或撤销；原通知书不再需要答复。",
            ),
            Step(
                name="filings.refuse_order",
                label="不批准",
                sources=(S.CORRECTING, S.REPORTED),
                target=None,
                who=ORDER_APPROVER,
                inputs=(Input("opinion", "审批意见", kind="long"),),
                guards=(ORDER_PENDING,),
                body=_refuse_order,
                consequence="提请退回，案件保持原状态。",
            ),
            Step(
                name="filings.receive",
                label="签收文书",
                sources=(S.CORRECTING, S.ORDERED),
                target=None,
                who=FILER,
                guards=(Guard(requests.Unreceived(), "没有待签收的文书。"),),
                body=_receive,
                opens=REPLY_PERIODS,
                consequence="签收后开始计算书面报告执行情况的期限。",
            ),
            Step(
                name="filings.record_delivery",
                label="登记送达",
                sources=(S.CORRECTING, S.ORDERED),
                target=None,
                who=REVIEWER,
                inputs=(Input("delivered_on", "送达日期", kind="date", help="以送达回证记载的日期为准"),),
                guards=(Guard(requests.Unreceived(), "该文书已经签收或登记送达。"),),
                body=_record_delivery,
                opens=REPLY_PERIODS,
                consequence="报备机关未在平台签收的，凭送达回证登记送达日期，书面报告期限自该日起算。",
            ),
            Step(
                name="filings.report",
                label="报告执行情况",
                sources=(S.CORRECTING, S.ORDERED),
                target=S.REPORTED,
                who=FILER,
                guards=(Guard(requests.Received(), "请先签收文书。"),),
                inputs=(
                    Input("report", "执行情况", kind="long"),
                    Input("files", "相关材料", kind="files", required=False),
                ),
                body=_report,
                consequence="书面报告提交备案审查机关审查。",
            ),
        ),
    )
)
