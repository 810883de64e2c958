"""What callers of the complaint procedure use: intake, the acts, and who may do what.

Every act is a step of the kernel (`procedure.COMPLAINTS`), run by `run_step` in one transaction
with one ledger entry; the functions here take the arguments the pages, the API, the hotline and
the tests give and hand them to the step. Periods, approvers and thresholds come from the
receiving agency's rule profile (`jiandu.rules`), never from code:
  - acceptance decision: `complaint.acceptance` (e.g. 000 附件1 第五条, 5个工作日)
  - handling: `complaint.handling` (000 第六条 30日; 004 第6条 30日) or, for complaints the
    supervisory body hands over, `complaint.assigned.handling` (001 附件1 一, 15个工作日)
  - extension: `…extension.max` and `…extension.approver`
  - explanation by the body complained about: `complaint.respondent_explanation` (002 第九条)
  - referral: `complaint.referral`; supervised handling: `complaint.supervised_handling.*` (001 附件1 二)
Confidentiality (000 第九条, 004 第8条): the complainant's identity is sealed at intake and only
`reveal_complainant` opens it, for the handling officer, with a reason, ledgered.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from jiandu.core import crypto
from jiandu.core.errors import InvalidState, ServiceError
from jiandu.deadlines import services as deadlines
from jiandu.deadlines.models import Deadline
from jiandu.documents.models import Document
from jiandu.documents.render import describe_characters, unprintable
from jiandu.orgs.models import Agency, Person, Role
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.models import Approval
from jiandu.procedures.runner import run_step
from jiandu.rules.loader import Period, Profile

from .handlers import handles_complaints
from .models import RESPONDENT_ROLES, Complaint, ExplanationRequest, Material, Rating

EXTENSION = "complaints.extension"  # the kind of the kernel's approvals an extension request is
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH, SECRET_LENGTH = 12, 8


# ------------------------------------------------------------------------------------------ intake


@dataclass
class Complainant:
    """Who complains. Sealed (encrypted) at intake; never logged, listed or shown unrevealed."""

    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    id_number: str = ""
    organisation: str = ""
    entrusted_by: str = ""  # 委托: the person on whose behalf the complaint is made

    def is_empty(self) -> bool:
        return not any(asdict(self).values())


@dataclass
class Intake:
    """What registration records (000 第四条: 姓名、联系方式、具体内容、投诉举报的对象)."""

    agency: Agency
    channel: str
    category: str
    content: str
    target_agency: Agency | None = None
    target_officer: Person | None = None
    target_description: str = ""
    occurred_on: datetime.date | None = None
    anonymous: bool = False
    entrusted: bool = False
    complainant: Complainant = field(default_factory=Complainant)
    hotline_ticket: str | None = None
    assigned_by: Agency | None = None
    attachments: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Receipt:
    """What the complainant gets back: the tracking code and the secret (shown once)."""

    complaint: Complaint
    tracking_code: str
    secret: str


def secret_digest(secret: str, key: str | None = None) -> str:
    """The stored form of a complainant's secret (keyed: a leaked table does not give it away)."""
    return hmac.new((key or settings.SECRET_KEY).encode(), secret.encode(), hashlib.sha256).hexdigest()


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_secret() -> str:
    return _random(SECRET_LENGTH)


def new_tracking_code() -> str:
    return _random(CODE_LENGTH)


def random_name() -> str:
    """A stored file's name: random, since the sender's own may name them."""
    return secrets.token_hex(16)


def printable(value: str, *, field: str, label: str) -> str:
    """`value`, or ServiceError when a letter could not print some of its characters (a rare
    character no embedded font has): refused where it is typed, not when a letter is issued later."""
    chars = unprintable(value)
    if chars:
        raise ServiceError(
            f"“{label}”中有文书无法印出的字符：{describe_characters(chars)}。请改用常用字或加注说明后重新提交。",
            field=field,
        )
    return value


def categories_for(profile: Profile) -> list[str]:
    """The complaint categories the agency's profile lists (misconduct kinds and kinds of act)."""
    items: list[str] = []
    for key in ("complaint.misconduct_categories", "complaint.enforcement_acts"):
        if profile.has(key):
            items.extend(profile.value(key))
    return items


# Channels staff register complaints through for their own agency; "online" and "hotline" come only
# from the public form and the hotline's own account (whose ticket numbers are its alone).
STAFF_CHANNELS = (Complaint.Channel.LETTER, Complaint.Channel.PHONE, Complaint.Channel.VISIT)


def own_channels_prohibited(profile: Profile) -> bool:
    """Whether the rules forbid the agency channels of its own (001 附件1 一: all through 12345)."""
    key = "complaint.own_channels_prohibited"
    return bool(profile.has(key) and profile.value(key))


def staff_channels(actor: Person, agency: Agency) -> list[str]:
    """The channels `actor` may register a complaint to `agency` through: letters, calls and visits
    for the staff who handle the agency's complaints (unless its rules send everything through
    12345), and 交办 for the supervisory body's supervisors. Empty: nothing to register."""
    offered: list[str] = []
    own = agency.profile_id and handles_complaints(actor, agency)
    if own and not own_channels_prohibited(profile_for(agency)):
        offered += STAFF_CHANNELS
    if actor.has_role(Role.SUPERVISOR) and agency.supervisor_id == actor.agency_id:
        offered.append(Complaint.Channel.ASSIGNED)
    return offered


def handling_key(complaint: Complaint, profile: Profile) -> str:
    """The handling period the complaint runs under: the handed-over one where the rules have it."""
    if complaint.assigned_by_id and profile.has("complaint.assigned.handling"):
        return "complaint.assigned.handling"
    return "complaint.handling"


def extension_prefix(profile: Profile, *, handed_over: bool) -> str:
    """Where the rules on extending a complaint's handling period are (`….max`, `….approver`)."""
    if handed_over and profile.has("complaint.assigned.handling"):
        return "complaint.assigned.extension"
    return "complaint.extension"


def _extension_prefix(complaint: Complaint) -> str:
    return extension_prefix(_profile(complaint), handed_over=bool(complaint.assigned_by_id))


def extension_limit(complaint: Complaint) -> Period | None:
    """The profile's maximum extension of the complaint's handling period (a Period), or None."""
    key = f"{_extension_prefix(complaint)}.max"
    profile = _profile(complaint)
    return profile.period(key) if profile.has(key) else None


def handling_deadline(complaint: Complaint) -> Deadline | None:
    """The complaint's running handling period, if any."""
    key = handling_key(complaint, _profile(complaint))
    return deadlines.open_deadlines_of(complaint).filter(rule_key=key).first()


def _profile(complaint: Complaint) -> Profile:
    return profile_for(complaint.agency)


COMPLAINANT_FIELDS = tuple(Complainant.__dataclass_fields__)


def submit_complaint(
    intake: Intake, *, actor: Person | None = None, actor_label: str | None = None
) -> Receipt:
    """Register a complaint from any channel (the step `complaints.submit`); returns the tracking
    code and the secret.

    A hotline ticket number registers once: the same ticket again returns the existing complaint
    (without a new secret), so re-sending a hotline batch never makes two complaints.
    """
    if intake.hotline_ticket:
        # A re-sent ticket is answered with the complaint it made, whatever it now says.
        existing = Complaint.objects.filter(hotline_ticket=intake.hotline_ticket).first()
        if existing:
            return Receipt(existing, existing.tracking_code, "")
    if intake.channel not in Complaint.Channel.values:
        raise ServiceError("投诉渠道不正确。", field="channel")
    label = actor_label or ("hotline" if intake.channel == Complaint.Channel.HOTLINE else "public")
    inputs = {
        "channel": intake.channel,
        "category": intake.category,
        "content": intake.content,
        "target_agency": intake.target_agency,
        "target_officer": intake.target_officer,
        "target_description": intake.target_description,
        "occurred_on": intake.occurred_on,
        "anonymous": intake.anonymous,
        "entrusted": intake.entrusted,
        **asdict(intake.complainant),
        "hotline_ticket": intake.hotline_ticket or "",
        "assigned_by": intake.assigned_by,
        "attachments": list(intake.attachments),
    }
    try:
        result = run_step(
            "complaints.submit",
            actor=actor,
            agency=intake.agency,
            inputs=inputs,
            actor_label=None if actor else label,
        )
    except IntegrityError:
        if intake.hotline_ticket:  # a concurrent import registered the same ticket first
            existing = Complaint.objects.get(hotline_ticket=intake.hotline_ticket)
            return Receipt(existing, existing.tracking_code, "")
        raise
    complaint = result.matter
    return Receipt(complaint, complaint.tracking_code, result.handed_back["secret"])


def find_by_tracking(tracking_code: str, secret: str) -> Complaint | None:
    """The complaint for a tracking code and secret, or None; the secret compared in constant time."""
    complaint = Complaint.objects.filter(tracking_code=tracking_code.strip().upper()).first()
    stored = complaint.secret_hash if complaint else ""
    # A secret made before SECRET_KEY was rotated still opens its complaint: the old keys stay in
    # SECRET_KEY_FALLBACKS (docs/operations.md). Same work whether or not the code exists.
    matched = False
    for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        matched |= hmac.compare_digest(secret_digest(secret.strip().upper(), key), stored)
    return complaint if complaint is not None and matched else None


# ---------------------------------------------------------------------------------- who may act


def may_handle(actor: Person, complaint: Complaint) -> bool:
    """The receiving agency's complaint-handling staff (`handles_complaints`), unless the complaint
    is about them."""
    return complaint.target_officer_id != actor.pk and handles_complaints(actor, complaint.agency)


# An anonymous complainant (or one who gave no name) is addressed as 投诉举报人 and identified by the
# tracking code; a named one by name. Letters that name the complainant are personal data: only
# those who may reveal the identity read them (`may_read_letters`), and the complainant through
# the status page.
ADDRESSEE = "投诉举报人"


def addressee(complaint: Complaint) -> str:
    if complaint.anonymous or not complaint.complainant_sealed:
        return ADDRESSEE
    return crypto.decrypt_json(complaint.complainant_sealed).get("name", "").strip() or ADDRESSEE


def letters_name_the_complainant(complaint: Complaint) -> bool:
    """Whether the complaint's letters are addressed to the complainant by name."""
    return addressee(complaint) != ADDRESSEE


def may_read_letters(actor: Person, complaint: Complaint) -> bool:
    """Whether staff may open the complaint's letters: anyone who sees the complaint, unless the
    letters name the complainant; then only those who may reveal the identity."""
    return not letters_name_the_complainant(complaint) or may_reveal(actor, complaint)


def recourse(complaint: Complaint, profile: Profile, *, decision: str) -> str:
    """What the complainant may do next, on the law beneath every profile (complaint.basis)."""
    body = complaint.agency.supervisor
    where = f"向{body.name}" if body else "向本机关的上级机关"
    basis = profile.rule("complaint.basis").citation if profile.has("complaint.basis") else None
    law = f"依照{basis}的规定" if basis else ""
    complain = f"{law}{where}申诉或者检举"
    if decision == "result":
        return f"你（单位）对处理结果有异议的，可以凭查询码对办理情况作出评价，也可以{complain}"
    return f"你（单位）对本决定有异议的，可以{complain}"


def documents_of(complaint: Complaint) -> list[Document]:
    """The documents issued on a complaint, oldest first."""
    return list(
        Document.objects.filter(
            subject_type=ContentType.objects.get_for_model(Complaint), subject_id=complaint.pk
        ).order_by("id")
    )


def rule_citation(profile: Profile, *keys: str) -> str:
    """The citation of the first of `keys` the rules state; else the law beneath every profile
    (complaint.basis, 《中华人民共和国行政处罚法》第七十五条第二款)."""
    for key in (*keys, "complaint.basis"):
        if profile.has(key):
            return str(profile.rule(key).citation)
    return ""


# ------------------------------------------------------------------------------------------ acts
# Each a step of `procedure.COMPLAINTS`, under the name its ledger entries carry.


def accept_complaint(complaint: Complaint, *, actor: Person) -> Complaint:
    """受理: take the complaint up; the handling period starts (unless handed over: it already runs)."""
    return run_step("complaints.accept", complaint, actor=actor).matter


def reject_complaint(complaint: Complaint, *, actor: Person, reason: str, legal_basis: str) -> Complaint:
    """不予受理: with the reason and legal basis, which the complainant is told (000 第五条)."""
    inputs = {"reason": reason, "legal_basis": legal_basis}
    return run_step("complaints.reject", complaint, actor=actor, inputs=inputs).matter


def refer_complaint(complaint: Complaint, *, actor: Person, competent_body: str, reason: str) -> Complaint:
    """移送 to the competent body (002 第九条), also after acceptance when the handling shows the
    matter is outside the agency's competence: the periods running on it close."""
    inputs = {"competent_body": competent_body, "reason": reason}
    return run_step("complaints.refer", complaint, actor=actor, inputs=inputs).matter


def request_explanation(complaint: Complaint, *, actor: Person, matters: str) -> ExplanationRequest:
    """Ask the body complained about for a written explanation with evidence (002 第九条);
    `matters`, the handler's statement of what must be explained, is all the body sees."""
    result = run_step("complaints.request_explanation", complaint, actor=actor, inputs={"matters": matters})
    return ExplanationRequest.objects.get(pk=result.entry.payload["request"])


def may_answer_explanation(actor: Person, request: ExplanationRequest) -> bool:
    """Whether the actor may acknowledge or answer the explanation request for the body."""
    return (
        actor.agency_id == request.respondent_id
        and bool(actor.role_codes & set(RESPONDENT_ROLES))
        and request.complaint.target_officer_id != actor.pk
    )


def _on_request(request: ExplanationRequest, actor: Person, *, done: bool, message: str) -> Complaint:
    # The steps act on the complaint's open request: this one must be it (a page may be stale).
    if done and may_answer_explanation(actor, request):
        raise InvalidState(message, field="state")
    return request.complaint


def receive_explanation_request(request: ExplanationRequest, *, actor: Person) -> ExplanationRequest:
    """签收: the body complained about acknowledges the notice; its period to explain starts (002 第九条)."""
    complaint = _on_request(
        request, actor, done=bool(request.received_at or request.answered_at), message="该通知已经签收。"
    )
    run_step("complaints.receive_explanation_request", complaint, actor=actor)
    return ExplanationRequest.objects.get(pk=request.pk)


def submit_explanation(
    request: ExplanationRequest, *, actor: Person, explanation: str, files: Sequence[Any] = ()
) -> ExplanationRequest:
    """The body complained about answers in writing, with its evidence."""
    inputs = {"explanation": explanation, "files": list(files)}
    complaint = _on_request(
        request, actor, done=request.answered_at is not None, message="该书面说明已经提交。"
    )
    run_step("complaints.submit_explanation", complaint, actor=actor, inputs=inputs)
    return ExplanationRequest.objects.get(pk=request.pk)


def add_material(
    complaint: Complaint, *, actor: Person, kind: str, note: str = "", upload: Any = None
) -> Material:
    """Investigation notes and materials (调查笔录、证据) added by the handler."""
    inputs = {"kind": kind, "note": note, "file": [upload] if upload is not None else []}
    result = run_step("complaints.add_material", complaint, actor=actor, inputs=inputs)
    material: Material = result.handed_back["materials"][0]
    return material


def request_extension(complaint: Complaint, *, actor: Person, amount: int, reasons: str) -> Approval:
    """Ask for more time, before the period ends, within the profile's maximum; the approver the
    rules name decides (a kernel approval of kind "complaints.extension")."""
    inputs = {"amount": amount, "reasons": reasons}
    result = run_step("complaints.request_extension", complaint, actor=actor, inputs=inputs)
    return Approval.objects.get(pk=result.entry.payload["request"])


def decide_extension(request: Approval, *, actor: Person, approve: bool, note: str = "") -> Approval:
    """The approver decides; an approved extension runs from the end of the period."""
    step = "complaints.approve_extension" if approve else "complaints.refuse_extension"
    complaint = Complaint.objects.get(pk=request.matter_id)
    run_step(step, complaint, actor=actor, inputs={"note": note})
    return Approval.objects.get(pk=request.pk)


def extensions_of(complaint: Complaint) -> Any:
    """The complaint's extension requests (kernel approvals), newest first."""
    return Approval.of(complaint).filter(kind=EXTENSION).order_by("-requested_at", "-id")


MEASURES = {
    "correct": "责令改正",
    "refer_discipline": "移交纪检监察部门",
    "refer_judicial": "移交司法机关处理",
}


def conclude_complaint(
    complaint: Complaint, *, actor: Person, finding: str, measures: list[str], result_text: str
) -> Complaint:
    """审查终结: the finding, the measures (000 第八条) and the result told to the complainant."""
    inputs = {"finding": finding, "measures": measures, "result_text": result_text}
    return run_step("complaints.conclude", complaint, actor=actor, inputs=inputs).matter


# -------------------------------------------------------------------------------- satisfaction

# The ratings that open re-handling (and count towards 督办, as the profile says).
DISPUTED_RATINGS = (Rating.Value.DISSATISFIED, Rating.Value.UNQUALIFIED)


@dataclass(frozen=True)
class Rated:
    """A rating and whether this call recorded it (False: the same hotline visit reported again)."""

    rating: Rating
    created: bool


def rate_complaint(
    complaint: Complaint,
    *,
    value: str,
    source: str = Rating.Source.COMPLAINANT,
    visit_id: str = "",
    reason: str = "",
) -> Rated:
    """The complainant (tracking code) or the hotline rates the answer; repeated "不满意" → 督办.

    The complainant rates each answer once (a double click must not count twice towards
    supervised handling). The hotline reports each return visit (回访) under its own visit number:
    the same visit reported again returns the rating it made, so a retried request never counts
    as a second "不满意" (001 附件1 二 counts the complainant's feedbacks, not the deliveries).
    """
    inputs = {"value": value, "source": source, "visit_id": visit_id, "reason": reason}
    visit = visit_id.strip() if isinstance(visit_id, str) else ""
    if source == Rating.Source.HOTLINE and visit:
        earlier = _reported(complaint, visit, value)
        if earlier is not None:
            return Rated(earlier, created=False)
    try:
        with transaction.atomic():
            result = run_step("complaints.rate", complaint, actor=None, inputs=inputs, actor_label=source)
    except IntegrityError:
        # The same visit reported twice at once: the other request recorded it.
        earlier = _reported(complaint, visit, value) if source == Rating.Source.HOTLINE else None
        if earlier is None:
            raise
        return Rated(earlier, created=False)
    return Rated(result.handed_back["rating"], created=True)


def _reported(complaint: Complaint, visit_id: str, value: str) -> Rating | None:
    earlier = complaint.ratings.filter(source=Rating.Source.HOTLINE, visit_id=visit_id).first()
    if earlier is not None and earlier.value != value:
        shown = earlier.get_value_display()
        raise InvalidState(f"回访 {visit_id} 已报送评价“{shown}”，不能改报。", field="value")
    return earlier


def supervision_triggered(complaint: Complaint, profile: Profile, value: str) -> str | None:
    """The rule by which this rating starts 督办 (001 附件1 二), or None."""
    if complaint.supervised or not _follows_supervised_handling(complaint, profile):
        return None
    dissatisfied = complaint.ratings.filter(value=Rating.Value.DISSATISFIED).count()
    key = "complaint.supervised_handling.dissatisfied_count"
    if profile.has(key) and dissatisfied >= profile.value(key):
        return key
    key = "complaint.supervised_handling.failed_rating"
    if value == Rating.Value.UNQUALIFIED and profile.has(key) and profile.value(key):
        return key
    return None


def tell_of_dispute(complaint: Complaint, profile: Profile, rating: Rating, triggered: str | None) -> None:
    """The handler and the supervising body learn of every disputed answer, not only of the one
    that starts 督办: they decide whether to handle it again."""
    what = (
        f"经评价启动督办（{profile.rule(triggered).citation}）"
        if triggered
        else f"的答复被评为“{rating.get_value_display()}”，请研究是否重新办理"
    )
    told = [
        *(_supervised_handling_staff(complaint, profile) if triggered else _supervisors_of(complaint)),
        *([complaint.handler] if complaint.handler_id else []),
    ]
    for person in dict.fromkeys(told):
        deadlines.notify(person, f"投诉举报 {complaint.number} {what}。", link=f"/complaints/{complaint.pk}/")


def _follows_supervised_handling(complaint: Complaint, profile: Profile) -> bool:
    """Whether the profile's 督办 covers this complaint.

    001 附件1 二: 区政府办公室对转办的…事项实行跟踪督办 — the matters the 12345 hotline (run by the
    区政府办公室, 附件1 一) transferred; complaints the 区司法局 handed over are not 转办.
    """
    return (
        profile.has("complaint.supervised_handling.body") and complaint.channel == Complaint.Channel.HOTLINE
    )


def _supervision_staff(body: Agency | None) -> list[Person]:
    """The active supervision staff (执法监督人员) of a body; none when there is no body."""
    if body is None:
        return []
    return list(
        Person.objects.filter(agency=body, role_assignments__role=Role.SUPERVISOR, is_active=True).distinct()
    )


def _supervised_handling_staff(complaint: Complaint, profile: Profile) -> list[Person]:
    """The supervision staff of the body the profile names for 督办 (found by its `organ`)."""
    spec = profile.value("complaint.supervised_handling.body")
    agency = complaint.agency
    return _supervision_staff({"government": agency.parent, "supervisory": agency.supervisor}.get(spec.organ))


def _supervisors_of(complaint: Complaint) -> list[Person]:
    """The supervision staff of the body that follows the complaint (the one that handed it over,
    else the agency's supervisory body)."""
    return _supervision_staff(complaint.assigned_by or complaint.agency.supervisor)


def answer_disputed(complaint: Complaint) -> bool:
    """Whether the current answer was rated "不满意" or "不合格"."""
    return complaint.ratings.filter(answer_round=complaint.answer_round, value__in=DISPUTED_RATINGS).exists()


def rehandle_complaint(complaint: Complaint, *, actor: Person, reason: str) -> Complaint:
    """重新办理: the answer was rated "不满意" or "不合格"; the receiving body handles it again."""
    return run_step("complaints.rehandle", complaint, actor=actor, inputs={"reason": reason}).matter


# ------------------------------------------------------------------------------------- archive


def material_file_name(material: Material) -> str:
    """The name a material goes by outside the platform: its number and kind, never the name the
    sender's file had (which may name the complainant and is sealed)."""
    if not material.file:
        return f"{material.pk}-{material.kind}.txt"
    stored = (material.file.name or "").rsplit("/", 1)[-1]  # a file that is there has a name
    ending = stored[stored.rfind(".") :] if "." in stored else ""
    return f"{material.pk}-{material.kind}{ending}"


def archive_manifest(complaint: Complaint) -> list[dict]:
    """Every material, document and decision of the file with its digest, in a fixed order."""
    items = [
        {"kind": f"material:{m.kind}", "id": m.pk, "sha256": m.sha256, "name": material_file_name(m)}
        for m in complaint.materials.order_by("id")
    ]
    for document in documents_of(complaint):
        items.append(
            {
                "kind": f"document:{document.kind}:docx",
                "id": document.pk,
                "sha256": document.docx_sha256,
                "name": f"{document.number}.docx",
            }
        )
        items.append(
            {
                "kind": f"document:{document.kind}:pdf",
                "id": document.pk,
                "sha256": document.pdf_sha256,
                "name": f"{document.number}.pdf",
            }
        )
    decision = {
        "number": complaint.number,
        "state": complaint.state,
        "finding": complaint.finding,
        "measures": complaint.measures,
        "result_text": complaint.result_text,
        "decision_reason": complaint.decision_reason,
        "legal_basis": complaint.legal_basis,
        "referred_to": complaint.referred_to,
        "content": complaint.content,
    }
    canonical = json.dumps(decision, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    items.append(
        {
            "kind": "decision",
            "id": complaint.pk,
            "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
            "name": "decision.json",
        }
    )
    return items


def archive_complaint(complaint: Complaint, *, actor: Person) -> Complaint:
    """归档: seal the file; its materials and decisions are listed with their digests in the ledger."""
    return run_step("complaints.archive", complaint, actor=actor).matter


# ------------------------------------------------------------------------------- confidentiality


def may_reveal(actor: Person, complaint: Complaint) -> bool:
    """Only the handling officer (承办人员) may open the identity (000 第九条, 004 第8条): once the
    complaint has a handler, that person alone; before, those who may decide to accept it."""
    if complaint.handler_id:
        return complaint.handler_id == actor.pk and may_handle(actor, complaint)
    return may_handle(actor, complaint)


def reveal_complainant(complaint: Complaint, *, actor: Person, reason: str) -> dict[str, str]:
    """Open the sealed identity for the handling officer; every reveal is ledgered."""
    result = run_step("complaints.reveal_complainant", complaint, actor=actor, inputs={"reason": reason})
    return result.handed_back["identity"]
