"""The complaint procedure (行政执法投诉举报), declared on the kernel: every act is a step.

Seeds: 000 附件1 (第四条 登记, 第五条 受理/不予受理, 第六条 办理期限, 第八条 处理措施, 第九条 保密),
001 附件1 (一 交办与12345, 二 督办), 002 第五条(六)/第九条/第十八条, 004 行政执法投诉举报制度.
Periods, approvers and units come from the receiving agency's profile (`reads` below), never from
code; where a profile is silent on a period, no deadline opens for it. `services` keeps the helpers
the pages share and the functions callers use (each one `run_step`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jiandu.core import crypto
from jiandu.core.errors import InvalidState, ServiceError
from jiandu.deadlines import services as deadlines
from jiandu.deadlines.models import Deadline
from jiandu.documents.kinds import format_value
from jiandu.orgs.models import Agency, Person, Role
from jiandu.procedures import approvals
from jiandu.procedures.inputs import Input
from jiandu.procedures.registry import CREATE, Guard, Letter, Opens, Procedure, Step, register
from jiandu.procedures.runner import StepContext
from jiandu.procedures.uploads import CheckedFile
from jiandu.procedures.who import NOTHING, Custom, Public, StaffOf
from jiandu.rules.procedures import ProcedureRules
from jiandu.rules.schema import PERIOD_UNITS

from . import services
from .handlers import handles_complaints
from .models import (
    RESPONDENT_ROLES,
    Complaint,
    ExplanationRequest,
    Material,
    Rating,
    Reveal,
    complaint_agency_ids,
)

S = Complaint.State
HANDLING_KEYS = ("complaint.handling", "complaint.assigned.handling")


def _signed_in(actor: Person | None) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.agency_id)


# ------------------------------------------------------------------------------------------ who


def _sees(actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
    ids = complaint_agency_ids(actor)
    if matter is None or actor is None or (ids is not None and matter.agency_id not in ids):
        return False
    return ids is None or matter.target_officer_id != actor.pk


def _sees_q(actor: Person | None) -> Q:
    ids = complaint_agency_ids(actor)
    if ids is None:
        return Q()
    if not ids or actor is None:
        return NOTHING
    return Q(agency_id__in=ids) & ~Q(target_officer_id=actor.pk)


# 000 第九条, 004 第8条: within the receiving agency only the unit that handles complaints and the
# leaders see them; the body complained about's legal staff and leaders those they must explain;
# supervisors those of the agencies they supervise; never the officer complained about.
VIEW = Custom(_sees, _sees_q, label="有权查看该投诉举报的人员")


def _handler_allows(actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
    return _signed_in(actor) and matter is not None and services.may_handle(actor, matter)  # type: ignore[arg-type]


def _handler_q(actor: Person | None) -> Q:
    if not _signed_in(actor) or not handles_complaints(actor, actor.agency):  # type: ignore[union-attr,arg-type]
        return NOTHING
    assert actor is not None
    return Q(agency_id=actor.agency_id) & ~Q(target_officer_id=actor.pk)


HANDLER = Custom(_handler_allows, _handler_q, label="受理机关负责投诉举报的工作人员")


def _registrar_allows(actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
    if actor is None:
        return True  # the public form and the 12345 hotline (authenticated upstream)
    if agency is None or not _signed_in(actor):
        return False
    supervises = actor.has_role(Role.SUPERVISOR) and agency.supervisor_id == actor.agency_id  # 交办
    return handles_complaints(actor, agency) or supervises


# Only creates: lists never ask it.
REGISTRAR = Custom(
    _registrar_allows, lambda actor: NOTHING, label="受理机关负责投诉举报的工作人员、监督机关或投诉举报人"
)
# 002 第九条: the body complained about answers through its legal staff or head, never the officer.
RESPONDENT = StaffOf(
    "target_agency",
    RESPONDENT_ROLES,
    label="被投诉机关的法制工作人员或负责人",
    exclude_field="target_officer",
)


# 000 第六条 经批准 / 001 附件1 一 (区司法局): whoever the rules named when the extension was asked
# decides it (kept on the kernel's approval), never the officer complained about.
EXTENSION = services.EXTENSION
_NAMED = approvals.Approver(EXTENSION)
APPROVER = Custom(
    lambda actor, matter, agency=None: _NAMED.allows(actor, matter) and matter.target_officer_id != actor.pk,
    lambda actor: _NAMED.q(actor) & ~Q(target_officer_id=getattr(actor, "pk", None)),
    label="规则指定的延期批准人",
)


def _may_reveal(actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
    return _signed_in(actor) and matter is not None and services.may_reveal(actor, matter)  # type: ignore[arg-type]


def _reveal_q(actor: Person | None) -> Q:
    handles = _handler_q(actor)
    if handles is NOTHING:
        return NOTHING
    assert actor is not None
    return handles & (Q(handler__isnull=True) | Q(handler_id=actor.pk))


# 000 第九条, 004 第8条: only the handling officer opens the complainant's identity.
REVEALER = Custom(_may_reveal, _reveal_q, label="该投诉举报的承办人员")


# ------------------------------------------------------------------------------------------ guards


def _open_requests(**conditions: Any) -> Any:
    return ExplanationRequest.objects.filter(complaint=OuterRef("pk"), answered_at__isnull=True, **conditions)


def _open_receipts(matter: Complaint) -> list[Any]:
    """When each open explanation request was signed for (None: not yet), read once per instance:
    a page asks several steps' guards about them."""
    found = getattr(matter, "_open_receipts", None)
    if found is None:
        found = list(
            matter.explanation_requests.filter(answered_at__isnull=True).values_list("received_at", flat=True)
        )
        matter._open_receipts = found
    return found


def _has_open_request(matter: Complaint, *, unreceived: bool = False) -> bool:
    receipts = _open_receipts(matter)
    return any(at is None for at in receipts) if unreceived else bool(receipts)


NO_OPEN_REQUEST = Guard(
    lambda m: not _has_open_request(m),
    "已通知被投诉机关说明情况，尚未答复。",
    q=lambda model: ~Q(Exists(_open_requests())),
)
UNRECEIVED_REQUEST = Guard(
    lambda m: _has_open_request(m, unreceived=True),
    "没有待签收的书面说明通知。",
    q=lambda model: Q(Exists(_open_requests(received_at__isnull=True))),
)
OPEN_REQUEST = Guard(
    lambda m: _has_open_request(m),
    "没有待答复的书面说明通知。",
    q=lambda model: Q(Exists(_open_requests())),
)
# 002 第九条: the finding waits for the body's written explanation.
EXPLAINED = Guard(
    lambda m: not _has_open_request(m),
    "被投诉机关的书面说明尚未提交。",
    q=lambda model: ~Q(Exists(_open_requests())),
)


def _running_handling() -> Any:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Complaint),
        subject_id=OuterRef("pk"),
        closed_at__isnull=True,
        rule_key__in=HANDLING_KEYS,
        due_date__gte=timezone.localdate(),
    )


def _rules_allow_extension(matter: Complaint) -> bool:
    return services.extension_limit(matter) is not None


def _handling_runs(matter: Complaint) -> bool:
    deadline = services.handling_deadline(matter)
    return deadline is not None and deadline.due_date >= timezone.localdate()


def _extension_left(matter: Complaint) -> bool:
    # The seeds bound the total extension ("延长期限不得超过30日"), not how often it is asked for.
    maximum, deadline = services.extension_limit(matter), services.handling_deadline(matter)
    return maximum is None or deadline is None or (deadline.extension_amount or 0) < maximum.amount


# An extension may be asked for while the handling period runs (the seeds: 延期须在期限届满前申请),
# where the rules allow one and some of it is left, one at a time. The rules' part has no filter:
# lists of what awaits whom may show a complaint the step then refuses.
EXTENSION_GUARDS = (
    Guard(_rules_allow_extension, "本机关适用的规则没有规定延长期限，不能申请延期。"),
    Guard(
        _handling_runs,
        "办理期限已经届满或者没有正在计算的办理期限：延期须在期限届满前申请。",
        q=lambda model: Q(Exists(_running_handling())),
    ),
    Guard(_extension_left, "办理期限累计延长已达上限，不能再延长。"),
    Guard(approvals.NonePending(EXTENSION), "已有待批准的延期申请。"),
)
PENDING_EXTENSION = Guard(approvals.Pending(EXTENSION), "没有待批准的延期申请。")
DISPUTED = Guard(
    services.answer_disputed,
    "只有答复被评为“不满意”或“不合格”的，才能重新办理。",
    q=lambda model: Q(
        Exists(
            Rating.objects.filter(
                complaint=OuterRef("pk"),
                answer_round=OuterRef("answer_round"),
                value__in=services.DISPUTED_RATINGS,
            )
        )
    ),
)


# ------------------------------------------------------------------------------------------ intake


def _intake(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    i = ctx.inputs
    agency = complaint.agency
    if agency.kind == Agency.Kind.GOVERNMENT:
        raise ServiceError("请选择受理投诉的执法机关或司法局。", field="agency")
    allowed = services.categories_for(ctx.profile)
    if allowed and i["category"] not in allowed:
        raise ServiceError("投诉类别不在本机关受理的类别之内。", field="category")
    if i["occurred_on"] and i["occurred_on"] > ctx.today:
        raise ServiceError("发生日期不能晚于今天。", field="occurred_on")
    person = services.Complainant(**{name: i[name] for name in services.COMPLAINANT_FIELDS})
    if not i["anonymous"]:
        if not person.name:
            raise ServiceError("请填写投诉举报人姓名，或选择匿名投诉。", field="name")
        services.printable(person.name, field="name", label="姓名")  # letters are addressed by name
        if not (person.phone or person.email or person.address):
            raise ServiceError("请至少填写一种联系方式（电话、电子邮箱或通信地址）。", field="phone")
    if i["entrusted"] and not person.entrusted_by:
        raise ServiceError("委托投诉须填写委托人。", field="entrusted_by")
    target_agency = i["target_agency"] or agency
    if i["target_officer"] is not None and i["target_officer"].agency_id != target_agency.pk:
        raise ServiceError("被投诉执法人员不属于被投诉机关。", field="target_officer")
    # Where all complaint routes are run by the 12345 hotline (001 附件1 一), the agency has no
    # channel of its own: neither the online form nor staff registering letters, calls and visits.
    if i["channel"] == Complaint.Channel.ONLINE and services.own_channels_prohibited(ctx.profile):
        rule = ctx.profile.rule("complaint.own_channels_prohibited")
        raise ServiceError(
            f"本机关的投诉举报统一通过12345政务服务热线受理（{rule.citation}），请拨打12345。",
            field="channel",
        )
    if ctx.actor is None and (
        i["channel"] not in (Complaint.Channel.ONLINE, Complaint.Channel.HOTLINE) or i["assigned_by"]
    ):
        # Without an account only the public form and the 12345 hotline register; letters, calls,
        # visits and hand-overs are registered by the staff who received them.
        raise ServiceError("未登录时只能通过网上投诉或12345热线转办提出投诉举报。", field="channel")
    if ctx.actor is not None and i["hotline_ticket"]:
        # A ticket number is the hotline's alone: taken by staff, the hotline's real ticket of that
        # number would be answered with the staff's complaint.
        raise ServiceError(
            "12345工单编号只能由12345热线接口账号转办时填写，工作人员登记时请留空。", field="hotline_ticket"
        )
    offered = services.staff_channels(ctx.actor, agency) if ctx.actor is not None else []
    if ctx.actor is not None and i["channel"] not in offered:
        # Staff register through the channels their page offers them, and only those.
        labels = "、".join(str(Complaint.Channel(c).label) for c in sorted(offered))
        raise ServiceError(
            f"工作人员登记的渠道只能是：{labels}。"
            if offered
            else "该机关的规则规定投诉举报只能通过12345热线提出，不能由工作人员登记。",
            field="channel",
        )
    assigned_by = i["assigned_by"]
    if i["channel"] == Complaint.Channel.ASSIGNED and assigned_by is None and ctx.actor is not None:
        assigned_by = ctx.actor.agency  # 交办: the supervisory body hands it over
    secret = services.new_secret()
    complaint.channel, complaint.category, complaint.content = i["channel"], i["category"], i["content"]
    complaint.anonymous, complaint.entrusted = i["anonymous"], i["entrusted"]
    complaint.complainant_sealed = (
        "" if i["anonymous"] and person.is_empty() else crypto.encrypt_json(asdict(person))
    )
    complaint.target_agency, complaint.target_officer = target_agency, i["target_officer"]
    complaint.target_description, complaint.occurred_on = i["target_description"], i["occurred_on"]
    complaint.hotline_ticket = i["hotline_ticket"] or None
    complaint.assigned_by = assigned_by
    complaint.tracking_code = services.new_tracking_code()
    complaint.secret_hash = services.secret_digest(secret)
    complaint.received_at = ctx.now
    ctx.handed_back["secret"] = secret  # shown once to the complainant, stored only as its digest
    return {"hotline_ticket": complaint.hotline_ticket, "target_agency": target_agency.pk}


def _handed_over(ctx: StepContext) -> bool:
    # 001 附件1 一: a handed-over complaint is answered within its period from receipt. Elsewhere
    # (000 第六条, 004 第6条) handling runs from acceptance, handed over or not.
    return services.handling_key(ctx.matter, ctx.profile) == "complaint.assigned.handling"


def _public_label(ctx: StepContext) -> str:
    # How the pages name who sent a file without an account: the complainant, or the 12345 hotline.
    return "hotline" if ctx.inputs.get("channel") == Complaint.Channel.HOTLINE else "public"


def _keep_file(ctx: StepContext, name: str, checked: CheckedFile) -> Material:
    """Files on a complaint are its materials, their names sealed like the identity."""
    kind = (
        {
            "complaints.submit": Material.Kind.ATTACHMENT,
            "complaints.submit_explanation": Material.Kind.EXPLANATION,
        }.get(ctx.step.name)
        or ctx.inputs.get("kind")
        or Material.Kind.EVIDENCE
    )
    material = Material(
        complaint=ctx.matter,
        kind=kind,
        note=ctx.inputs.get("note", "") if ctx.step.name == "complaints.add_material" else "",
        original_name=checked.name,  # type: ignore[misc]  # a property that seals the name
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        added_by=ctx.actor,
        added_by_label=ctx.actor.username if ctx.actor else _public_label(ctx),
    )
    ending = checked.name[checked.name.rfind(".") :] if "." in checked.name else ""
    # Stored under a random name: the complainant's file name may itself be personal data.
    material.file.save(f"{services.random_name()}{ending}", ContentFile(checked.data), save=False)
    material.save()
    ctx.handed_back.setdefault("materials", []).append(material)
    return material


# ------------------------------------------------------------------------------ acceptance decision


def _decided(ctx: StepContext) -> None:
    complaint: Complaint = ctx.matter
    complaint.decided_at, complaint.handler = ctx.now, ctx.actor


def _owned(ctx: StepContext) -> None:
    # The handler owns the periods now running on the complaint (opened at intake or just now).
    deadlines.open_deadlines_of(ctx.matter).filter(owner__isnull=True).update(owner=ctx.actor)


def _letter_context(ctx: StepContext, **context: Any) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    return {
        "addressee": services.addressee(complaint),
        "received_on": timezone.localtime(complaint.received_at).date(),
        "tracking_code": complaint.tracking_code,
        **context,
    }


def _acceptance_letter(ctx: StepContext) -> dict[str, Any]:
    key = services.handling_key(ctx.matter, ctx.profile)
    handling = deadlines.open_deadlines_of(ctx.matter).filter(rule_key=key).first()
    promise = (
        f"并于{format_value(handling.due_date)}前将处理结果告知你（单位）"
        if handling
        else "并将处理结果告知你（单位）"
    )
    return _letter_context(ctx, promise=promise)


def _acceptance_citation(ctx: StepContext) -> str:
    key = services.handling_key(ctx.matter, ctx.profile)
    return services.rule_citation(ctx.profile, key, "complaint.acceptance", "complaint.handling_unit")


def _reject(ctx: StepContext) -> None:
    complaint: Complaint = ctx.matter
    services.printable(ctx.inputs["reason"], field="reason", label="不予受理的理由")
    services.printable(ctx.inputs["legal_basis"], field="legal_basis", label="不予受理的依据")
    _decided(ctx)
    complaint.decision_reason, complaint.legal_basis = ctx.inputs["reason"], ctx.inputs["legal_basis"]


def _refer(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    services.printable(ctx.inputs["competent_body"], field="competent_body", label="有权处理机关")
    services.printable(ctx.inputs["reason"], field="reason", label="移送理由")
    # The referral period runs from receipt; referring now meets (or misses) it at once.
    referral = ctx.open_period(
        "complaint.referral",
        start=timezone.localtime(complaint.received_at).date(),
        title=f"{complaint.number} 移送",
    )
    if referral is not None:
        deadlines.close_deadline(referral, at=ctx.now)
    _decided(ctx)
    complaint.referred_to, complaint.decision_reason = ctx.inputs["competent_body"], ctx.inputs["reason"]
    return {"referral": referral and {"due": referral.due_date, "state": referral.state}}


# ------------------------------------------------------------------------------------- handling


def _request_explanation(ctx: StepContext) -> dict[str, Any]:
    request = ExplanationRequest.objects.create(
        complaint=ctx.matter,
        respondent=ctx.matter.target_agency,
        requested_at=ctx.now,
        requested_by=ctx.actor,
        matters=ctx.inputs["matters"],
    )
    # The body's own period runs from its receipt of the notice (002 第九条: 接到通知之日起), which
    # is its own step (签收), not from this request.
    return {"request": request.pk, "respondent": request.respondent_id}


def _open_request(ctx: StepContext) -> ExplanationRequest:
    return ctx.matter.explanation_requests.select_for_update().get(answered_at__isnull=True)


def _receive_explanation(ctx: StepContext) -> dict[str, Any]:
    request = _open_request(ctx)
    request.received_at, request.received_by = ctx.now, ctx.actor
    request.save(update_fields=["received_at", "received_by"])
    return {"request": request.pk}


def _submit_explanation(ctx: StepContext) -> dict[str, Any]:
    request = _open_request(ctx)
    received = request.received_at is None  # answering without signing first is receipt too
    if received:
        request.received_at, request.received_by = ctx.now, ctx.actor
    request.explanation, request.answered_at = ctx.inputs["explanation"], ctx.now
    request.save(update_fields=["explanation", "answered_at", "received_at", "received_by"])
    return {"request": request.pk, "received_on_answer": received}


def _add_material(ctx: StepContext) -> dict[str, Any] | None:
    if not ctx.inputs["file"] and not ctx.inputs["note"]:
        raise ServiceError("请填写记录内容或上传文件。", field="note")
    if ctx.inputs["file"]:
        return None  # kept by `_keep_file`, with the note
    note = ctx.inputs["note"]
    material = Material.objects.create(
        complaint=ctx.matter,
        kind=ctx.inputs["kind"],
        note=note,
        added_by=ctx.actor,
        added_by_label=ctx.actor.username,
        sha256=hashlib.sha256(note.encode()).hexdigest(),
    )
    ctx.handed_back["materials"] = [material]
    return {"material": material.pk}


# ------------------------------------------------------------------------------------ extension


def _request_extension(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    maximum = services.extension_limit(complaint)
    deadline = services.handling_deadline(complaint)
    assert maximum is not None and deadline is not None  # EXTENSION_GUARDS
    # The seeds bound the total extension ("延长期限不得超过30日"), not how often it is asked for.
    remaining = maximum.amount - (deadline.extension_amount or 0)
    amount = ctx.inputs["amount"]
    if amount > remaining:
        unit = PERIOD_UNITS[maximum.unit]
        already = f"，已延长{deadline.extension_amount}{unit}" if remaining < maximum.amount else ""
        raise ServiceError(
            f"延长期间累计不得超过{maximum}（{maximum.citation}）{already}，本次至多{remaining}{unit}。",
            field="amount",
        )
    services.printable(ctx.inputs["reasons"], field="reasons", label="延期理由")
    key = f"{services.extension_prefix(ctx.profile, handed_over=bool(complaint.assigned_by_id))}.approver"
    approval = approvals.request(
        ctx,
        EXTENSION,
        # An outside body (区司法局) decides through its supervision staff: the one that handed the
        # complaint over, else the agency's supervisory body.
        approver=approvals.approver_from_profile(
            ctx, key, outside=complaint.assigned_by or complaint.agency.supervisor
        ),
        citation=ctx.citation(key),
        reasons=ctx.inputs["reasons"],
        details={"amount": amount, "unit": maximum.unit},
    )
    return {"request": approval.pk, "unit": maximum.unit, "due": deadline.due_date}


def _decide_extension(ctx: StepContext, *, approve: bool) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    deadline = services.handling_deadline(complaint)
    if deadline is None:
        raise InvalidState("该投诉举报没有正在计算的办理期限。", field="state")
    old_due = deadline.due_date
    asked = approvals.pending(complaint, EXTENSION)
    assert asked is not None  # PENDING_EXTENSION
    amount, unit = asked.details["amount"], asked.details["unit"]
    if approve:
        maximum = services.extension_limit(complaint)
        assert maximum is not None  # no request is taken where the rules set no maximum
        if (deadline.extension_amount or 0) + amount > maximum.amount:
            raise InvalidState(
                f"批准后累计延长将超过{maximum}（{maximum.citation}），请不予批准或由承办人重新申请。",
                field="state",
            )
        deadlines.extend_deadline(deadline, amount=amount, unit=unit, citation=str(maximum.citation))
    decided = approvals.decide(ctx, EXTENSION, approved=approve, reason=ctx.inputs["note"])
    ctx.handed_back.update(approval=decided, due_before=old_due, deadline=deadline)  # for the letter
    return {
        "request": decided.pk,
        "due_before": old_due,
        "due_after": deadline.due_date,
        "provisional": deadline.provisional,
    }


def _extension_letter(ctx: StepContext) -> dict[str, Any]:
    request, old_due, deadline = (ctx.handed_back[k] for k in ("approval", "due_before", "deadline"))
    return _letter_context(
        ctx,
        accepted_on=timezone.localtime(ctx.matter.decided_at).date(),
        due_date=old_due,
        reasons=request.reasons,
        new_due_date=deadline.due_date,
    )


# ---------------------------------------------------------------------------------- conclusion


def _conclude(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    finding, measures = ctx.inputs["finding"], ctx.inputs["measures"]
    if finding == Complaint.Finding.NOT_SUBSTANTIATED and measures:
        raise ServiceError("查证不属实的，不能采取处理措施。", field="measures")
    if finding != Complaint.Finding.NOT_SUBSTANTIATED and not measures:
        raise ServiceError("查证属实的，应当责令改正或移交处理（请选择处理措施）。", field="measures")
    services.printable(ctx.inputs["result_text"], field="result_text", label="处理结果")
    complaint.finding, complaint.measures = finding, measures
    complaint.result_text, complaint.concluded_at = ctx.inputs["result_text"], ctx.now
    complaint.answer_round += 1
    return {"answer_round": complaint.answer_round}


def _result_letter(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    return _letter_context(
        ctx,
        accepted_on=timezone.localtime(complaint.decided_at).date(),
        finding=complaint.get_finding_display(),
        findings=complaint.result_text,
        decision="；".join(services.MEASURES[m] for m in complaint.measures) or "不予追究",
        recourse=services.recourse(complaint, ctx.profile, decision="result"),
    )


def _result_citation(ctx: StepContext) -> str:
    # The basis of a measure is the article that provides the measure (000 第八条); where no
    # measure is taken, the article under which the complaint was examined.
    if ctx.matter.measures:
        return services.rule_citation(ctx.profile, "complaint.outcomes")
    key = services.handling_key(ctx.matter, ctx.profile)
    return services.rule_citation(ctx.profile, key, "complaint.handling_unit")


# -------------------------------------------------------------------------------- satisfaction


def _rate(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    value, source, visit_id = ctx.inputs["value"], ctx.inputs["source"], ctx.inputs["visit_id"]
    if ctx.inputs["reason"] and value not in services.DISPUTED_RATINGS:
        raise ServiceError("只有评价为“不满意”或“不合格”时才填写原因。", field="reason")
    if source == Rating.Source.HOTLINE and not visit_id:
        raise ServiceError("请填写回访编号：同一次回访重复报送只记一次。", field="visit_id")
    if source != Rating.Source.HOTLINE and visit_id:
        raise ServiceError("只有12345热线回访有回访编号。", field="visit_id")
    if (
        source == Rating.Source.COMPLAINANT
        and complaint.ratings.filter(source=source, answer_round=complaint.answer_round).exists()
    ):
        raise InvalidState("该答复已经评价过。", field="value")
    rating = Rating.objects.create(
        complaint=complaint,
        value=value,
        source=source,
        visit_id=visit_id,
        answer_round=complaint.answer_round,
        reason=ctx.inputs["reason"],
    )
    triggered = services.supervision_triggered(complaint, ctx.profile, value)
    if triggered:
        complaint.supervised = True
    if value in services.DISPUTED_RATINGS:
        services.tell_of_dispute(complaint, ctx.profile, rating, triggered)
    ctx.handed_back["rating"] = rating
    return {"answer_round": rating.answer_round, "supervised": triggered}


def _rehandle(ctx: StepContext) -> dict[str, Any]:
    """重新办理: no seed sets a period for handling again, so none opens; under 督办 the
    supervisory body follows it (001 附件1 二 counts two "不满意" before 督办, so a complainant who is
    not satisfied must be able to get a second answer to rate)."""
    complaint: Complaint = ctx.matter
    previous = {"finding": complaint.finding, "measures": complaint.measures}
    complaint.rehandling_reason = ctx.inputs["reason"]
    complaint.finding, complaint.measures, complaint.result_text = "", [], ""
    complaint.concluded_at = None
    return {"answer_round": complaint.answer_round, "previous": previous, "supervised": complaint.supervised}


# ------------------------------------------------------------------------------------- archive


def _archive(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    manifest = services.archive_manifest(complaint)
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    complaint.archived_at, complaint.archive_digest = ctx.now, digest
    return {
        "manifest": [{k: v for k, v in item.items() if k != "name"} for item in manifest],
        "digest": digest,
    }


def _reveal(ctx: StepContext) -> dict[str, Any]:
    complaint: Complaint = ctx.matter
    sealed = complaint.complainant_sealed
    ctx.handed_back["identity"] = crypto.decrypt_json(sealed) if sealed else {}  # never recorded
    reveal = Reveal.objects.create(complaint=complaint, person=ctx.actor, reason=ctx.inputs["reason"])
    return {"reveal": reveal.pk}


# ------------------------------------------------------------------------------------ declarations

TEXT = {"kind": "long"}
OPEN = (S.RECEIVED, S.ACCEPTED)


INTAKE_INPUTS = (
    Input(
        "channel",
        "投诉渠道",
        kind="choice",
        choices=Complaint.Channel.choices,
        example=Complaint.Channel.LETTER,
    ),
    Input("category", "投诉类别", kind="line", example="不履行或者拖延履行法定职责"),
    Input("content", "投诉举报内容", **TEXT),
    Input(
        "target_agency",
        "被投诉机关",
        kind="record",
        required=False,
        records=lambda matter: Agency.objects.exclude(kind=Agency.Kind.GOVERNMENT),
    ),
    Input(
        "target_officer",
        "被投诉执法人员",
        kind="record",
        required=False,
        records=lambda matter: Person.objects.filter(is_active=True),
    ),
    Input("target_description", "被投诉人员（投诉人所述）", kind="line", required=False, maximum=200),
    Input("occurred_on", "发生日期", kind="date", required=False),
    Input("anonymous", "匿名", kind="flag", required=False, example=False),
    Input("entrusted", "委托投诉", kind="flag", required=False, example=False),
    *(
        Input(name, label, kind="line", required=False, personal=True, example=example)
        for name, label, example in (
            ("name", "姓名", "张三"),
            ("phone", "联系电话", "13800000000"),
            ("email", "电子邮箱", ""),
            ("address", "通信地址", ""),
            ("id_number", "身份证号码", ""),
            ("organisation", "单位", ""),
            ("entrusted_by", "委托人", ""),
        )
    ),
    Input("hotline_ticket", "12345工单号", kind="line", required=False, maximum=64, example=""),
    Input(
        "assigned_by",
        "交办机关",
        kind="record",
        required=False,
        records=lambda matter: Agency.objects.all(),
    ),
    Input("attachments", "附件", kind="files", required=False),
)

COMPLAINTS = register(
    Procedure(
        code="complaints",
        label="投诉举报",
        model=Complaint,
        states=S,
        closed_states=(S.ARCHIVED,),
        number_family="TS",
        view=VIEW,
        own_pages=("complaints:queue", "complaints:detail"),
        keep_file=_keep_file,
        facts=(
            ("受理机关", "agency.name"),
            ("被投诉机关", "target_agency.name"),
            ("投诉类别", "category"),
            ("投诉渠道", "channel"),
            ("督办", "supervised"),
        ),
        columns=(("投诉类别", "category"), ("被投诉机关", "target_agency.name")),
        search_fields=("category",),
        rules=ProcedureRules(
            code="complaints",
            label="投诉举报",
            domain="complaint",
            # Who receives and handles complaints must be known; periods may be silent (no deadline
            # opens then), and the legal basis falls back to the national layer (complaint.basis).
            needs=("complaint.handling_unit",),
            reads=(
                "complaint.acceptance",
                "complaint.assigned.extension.approver",
                "complaint.assigned.extension.max",
                "complaint.assigned.handling",
                "complaint.basis",
                "complaint.enforcement_acts",
                "complaint.extension.approver",
                "complaint.extension.max",
                "complaint.handling",
                "complaint.handling_unit",
                "complaint.hotline",
                "complaint.misconduct_categories",
                "complaint.outcomes",
                "complaint.own_channels_prohibited",
                "complaint.phone",
                "complaint.referral",
                "complaint.respondent_explanation",
                "complaint.respondent_notice",
                "complaint.supervised_handling.body",
                "complaint.supervised_handling.dissatisfied_count",
                "complaint.supervised_handling.failed_rating",
            ),
        ),
        steps=(
            Step(
                name="complaints.submit",
                label="登记投诉举报",
                sources=(CREATE,),
                target=S.RECEIVED,
                who=REGISTRAR,
                inputs=INTAKE_INPUTS,
                body=_intake,
                opens=(
                    Opens("complaint.acceptance", "受理审查"),
                    Opens("complaint.assigned.handling", "交办事项办结", when=_handed_over),
                ),
                payload=("hotline_ticket", "target_agency"),
            ),
            Step(
                name="complaints.accept",
                label="受理",
                done="已受理，办理期限开始计算。",
                sources=(S.RECEIVED,),
                target=S.ACCEPTED,
                who=HANDLER,
                body=_decided,
                closes=("complaint.acceptance",),
                opens=(
                    Opens("complaint.handling", "审查终结", when=lambda ctx: not _handed_over(ctx)),
                    Opens("complaint.respondent_notice", "通知被投诉机关"),
                ),
                after=_owned,
                letter=Letter("complaint_acceptance", _acceptance_letter, _acceptance_citation),
                consequence="开始计算办理期限，并向投诉举报人发出受理通知书。",
            ),
            Step(
                name="complaints.reject",
                label="不予受理",
                done="已决定不予受理，理由和依据将告知投诉举报人。",
                sources=(S.RECEIVED,),
                target=S.REJECTED,
                who=HANDLER,
                inputs=(
                    Input("reason", "不予受理的理由", **TEXT),
                    Input("legal_basis", "不予受理的依据", kind="short"),
                ),
                body=_reject,
                closes=("complaint.acceptance", *HANDLING_KEYS),
                letter=Letter(
                    "complaint_rejection",
                    lambda ctx: _letter_context(
                        ctx,
                        reasons=ctx.matter.decision_reason,
                        recourse=services.recourse(ctx.matter, ctx.profile, decision="rejection"),
                    ),
                    lambda ctx: ctx.matter.legal_basis,
                ),
                irreversible=True,
                consequence="向投诉举报人发出不予受理告知书，投诉举报办理终结。",
            ),
            Step(
                name="complaints.refer",
                label="移送",
                done="已移送，移送情况将告知投诉举报人。",
                sources=OPEN,
                target=S.REFERRED,
                who=HANDLER,
                inputs=(
                    Input("competent_body", "有权处理机关", kind="line", maximum=200),
                    Input("reason", "移送理由", **TEXT),
                ),
                body=_refer,
                closes=(
                    "complaint.acceptance",
                    *HANDLING_KEYS,
                    "complaint.respondent_notice",
                    "complaint.respondent_explanation",
                ),
                letter=Letter(
                    "complaint_referral",
                    lambda ctx: _letter_context(
                        ctx,
                        reasons=ctx.matter.decision_reason,
                        referred_on=ctx.today,
                        referred_to=ctx.matter.referred_to,
                    ),
                    lambda ctx: services.rule_citation(
                        ctx.profile, "complaint.referral", "complaint.handling_unit"
                    ),
                ),
                payload=("referral",),
                irreversible=True,
                consequence="移送有权处理的机关，并告知投诉举报人；本机关的办理期限终止。",
            ),
            Step(
                name="complaints.request_explanation",
                label="通知被投诉机关书面说明",
                done="已通知被投诉机关书面说明情况并提交证据。",
                sources=(S.ACCEPTED,),
                target=None,
                who=HANDLER,
                inputs=(
                    Input(
                        "matters",
                        "需要说明的事项",
                        help="被投诉机关只能看到这里写明的事项；不要写入投诉举报人信息。",
                        **TEXT,
                    ),
                ),
                guards=(NO_OPEN_REQUEST,),
                body=_request_explanation,
                closes=("complaint.respondent_notice",),
                payload=("request", "respondent"),
            ),
            Step(
                name="complaints.receive_explanation_request",
                label="签收书面说明通知",
                sources=(S.ACCEPTED,),
                target=None,
                who=RESPONDENT,
                unseen=True,
                guards=(UNRECEIVED_REQUEST,),
                body=_receive_explanation,
                opens=(
                    Opens(
                        "complaint.respondent_explanation",
                        "被投诉机关书面说明",
                        agency=lambda ctx: ctx.matter.target_agency,
                    ),
                ),
                payload=("request",),
                consequence="自签收之日起计算书面说明的期限。",
            ),
            Step(
                name="complaints.submit_explanation",
                label="提交书面说明",
                sources=(S.ACCEPTED,),
                target=None,
                who=RESPONDENT,
                unseen=True,
                inputs=(
                    Input("explanation", "书面说明", **TEXT),
                    Input("files", "证据材料", kind="files", required=False),
                ),
                guards=(OPEN_REQUEST,),
                body=_submit_explanation,
                closes=("complaint.respondent_explanation",),
                payload=("request", "received_on_answer"),
            ),
            Step(
                name="complaints.add_material",
                label="添加调查材料",
                done="材料已添加。",
                sources=(S.ACCEPTED,),
                target=None,
                who=HANDLER,
                inputs=(
                    Input(
                        "kind",
                        "材料类别",
                        kind="choice",
                        choices=[(k.value, k.label) for k in (Material.Kind.NOTE, Material.Kind.EVIDENCE)],
                    ),
                    Input("note", "记录内容或说明", kind="long", required=False),
                    Input("file", "文件", kind="files", required=False),
                ),
                body=_add_material,
                payload=("material",),
            ),
            Step(
                name="complaints.request_extension",
                label="申请延期",
                done="延期申请已提交，等待批准。",
                sources=(S.ACCEPTED,),
                target=None,
                who=HANDLER,
                inputs=(
                    Input("amount", "延长期间", kind="integer", minimum=1),
                    Input("reasons", "延期理由", **TEXT),
                ),
                guards=EXTENSION_GUARDS,
                body=_request_extension,
                payload=("request", "unit", "due"),
            ),
            Step(
                name="complaints.approve_extension",
                label="批准延期",
                sources=(S.ACCEPTED,),
                target=None,
                who=APPROVER,
                inputs=(Input("note", "审批意见", kind="long", required=False),),
                guards=(PENDING_EXTENSION,),
                body=lambda ctx: _decide_extension(ctx, approve=True),
                letter=Letter(
                    "complaint_extension",
                    _extension_letter,
                    lambda ctx: ctx.handed_back["deadline"].extension_citation,
                    # The approver may sit in the supervisory body: the notice is the handling
                    # agency's, sent by the officer who asked.
                    signer=lambda ctx: ctx.handed_back["approval"].requested_by,
                ),
                payload=("request", "due_before", "due_after", "provisional"),
                consequence="办理期限自原期限届满之日起延长，并向投诉举报人发出延期通知书。",
            ),
            Step(
                name="complaints.refuse_extension",
                label="不批准延期",
                sources=(S.ACCEPTED,),
                target=None,
                who=APPROVER,
                inputs=(Input("note", "不批准的意见", **TEXT),),
                guards=(PENDING_EXTENSION,),
                body=lambda ctx: _decide_extension(ctx, approve=False),
                payload=("request", "due_before", "due_after", "provisional"),
            ),
            Step(
                name="complaints.conclude",
                label="审查终结",
                done="已办结，处理结果将告知投诉举报人。",
                sources=(S.ACCEPTED,),
                target=S.CONCLUDED,
                who=HANDLER,
                inputs=(
                    Input(
                        "finding",
                        "查处结论",
                        kind="choice",
                        choices=Complaint.Finding.choices,
                        example=Complaint.Finding.NOT_SUBSTANTIATED,
                    ),
                    Input(
                        "measures",
                        "处理措施",
                        kind="choices",
                        required=False,
                        choices=list(services.MEASURES.items()),
                        example=[],
                    ),
                    Input("result_text", "告知投诉举报人的处理结果", **TEXT),
                ),
                guards=(EXPLAINED,),
                body=_conclude,
                closes=(*HANDLING_KEYS, "complaint.respondent_notice"),
                letter=Letter("complaint_result", _result_letter, _result_citation),
                payload=("answer_round",),
                consequence="向投诉举报人发出处理结果告知书。",
            ),
            Step(
                name="complaints.rate",
                label="评价办理结果",
                sources=(S.CONCLUDED,),
                target=None,
                who=Public(label="投诉举报人或12345热线回访"),
                unseen=True,
                inputs=(
                    Input("value", "评价", kind="choice", choices=Rating.Value.choices),
                    Input("source", "来源", kind="choice", choices=Rating.Source.choices),
                    Input("visit_id", "回访编号", kind="line", required=False, maximum=64),
                    Input("reason", "不满意的原因", kind="long", required=False),
                ),
                body=_rate,
                payload=("answer_round", "supervised"),
            ),
            Step(
                name="complaints.rehandle",
                label="重新办理",
                done="已重新办理：办结后将再次告知投诉举报人，并可再次评价。",
                sources=(S.CONCLUDED,),
                target=S.ACCEPTED,
                who=HANDLER,
                inputs=(Input("reason", "重新办理的理由", **TEXT),),
                guards=(DISPUTED,),
                body=_rehandle,
                payload=("answer_round", "previous", "supervised"),
                consequence="投诉举报回到办理中，办结后重新告知并评价。",
            ),
            Step(
                name="complaints.archive",
                label="归档",
                done="已归档，案卷已封存。",
                sources=(S.CONCLUDED, S.REJECTED, S.REFERRED),
                target=S.ARCHIVED,
                who=HANDLER,
                body=_archive,
                payload=("manifest", "digest"),
                irreversible=True,
                consequence="案卷封存，材料和文书的摘要记入台账，此后不能再办理。",
            ),
            Step(
                name="complaints.reveal_complainant",
                label="查看投诉举报人信息",
                sources=tuple(S.values),
                target=None,
                who=REVEALER,
                inputs=(Input("reason", "查看投诉举报人信息的事由", kind="line", maximum=200),),
                body=_reveal,
                payload=("reveal",),
                consequence="每次查看都记入台账。",
            ),
        ),
    )
)
