"""The complaint procedure, one service per step.

Each step checks who may act, changes state, opens or closes deadlines and writes one ledger entry,
in one transaction; a refused step changes nothing. Periods, approvers and thresholds come from the
receiving agency's rule profile (`jiandu.rules`), never from code:
  - acceptance decision: `complaint.acceptance` (e.g. 000 附件1 第五条, 5个工作日)
  - handling: `complaint.handling` (000 第六条 30日; 004 第6条 30日) or, for complaints the
    supervisory body hands over, `complaint.assigned.handling` (001 附件1 一, 15个工作日)
  - extension: `…extension.max` and `…extension.approver`
  - explanation by the body complained about: `complaint.respondent_explanation` (002 第九条)
  - referral: `complaint.referral`; supervised handling: `complaint.supervised_handling.*` (001 附件1 二)
Where a profile is silent on a period, no deadline is opened for it (the seed sets none).
Confidentiality (000 第九条, 004 第8条): the complainant's identity is sealed at intake and only
`reveal_complainant` opens it, for the receiving agency's legal-affairs staff, with a reason, ledgered.
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
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiandu.core import crypto
from jiandu.core.errors import InvalidState, NotAllowed, ServiceError
from jiandu.core.numbering import next_in_sequence
from jiandu.core.text import clean_text
from jiandu.deadlines import services as deadlines
from jiandu.deadlines.models import Deadline
from jiandu.documents.kinds import format_value
from jiandu.documents.models import Document
from jiandu.documents.render import describe_characters, unprintable
from jiandu.documents.services import issue_document, ledger_reference
from jiandu.ledger.services import record
from jiandu.orgs.models import Agency, Person, Role
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.uploads import CheckedFile, check_upload
from jiandu.rules.loader import Period, Profile
from jiandu.rules.schema import PERIOD_UNITS

from .handlers import handles_complaints
from .models import Complaint, ExplanationRequest, ExtensionRequest, Material, Rating, Reveal
from .procedure import COMPLAINTS

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


def _secret_digest(secret: str, key: str | None = None) -> str:
    return hmac.new((key or settings.SECRET_KEY).encode(), secret.encode(), hashlib.sha256).hexdigest()


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _next_number(agency: Agency, year: int) -> str:
    # Taken inside the intake's transaction: a rolled-back intake gives its number back.
    return f"{agency.code.upper()}-TS-{year}-{next_in_sequence(agency.pk, 'TS', year):06d}"


def _validate_intake(intake: Intake, profile: Profile) -> None:
    if intake.channel not in Complaint.Channel.values:
        raise ServiceError("投诉渠道不正确。", field="channel")
    intake.content = clean_text(intake.content, field="content", label="投诉举报内容", kind="long")
    if not intake.content:
        raise ServiceError("请填写投诉举报的具体内容。", field="content")
    if not intake.category.strip():
        raise ServiceError("请选择投诉类别。", field="category")
    allowed = categories_for(profile)
    if allowed and intake.category not in allowed:
        raise ServiceError("投诉类别不在本机关受理的类别之内。", field="category")
    intake.target_description = clean_text(
        intake.target_description, field="target_description", label="被投诉人员", kind="line"
    )
    if intake.occurred_on and intake.occurred_on > timezone.localdate():
        raise ServiceError("发生日期不能晚于今天。", field="occurred_on")
    if not intake.anonymous and not intake.complainant.name.strip():
        raise ServiceError("请填写投诉举报人姓名，或选择匿名投诉。", field="name")
    if not intake.anonymous:
        printable(intake.complainant.name, field="name", label="姓名")  # letters are addressed by name
    if not intake.anonymous and not (
        intake.complainant.phone.strip()
        or intake.complainant.email.strip()
        or intake.complainant.address.strip()
    ):
        raise ServiceError("请至少填写一种联系方式（电话、电子邮箱或通信地址）。", field="phone")
    if intake.entrusted and not intake.complainant.entrusted_by.strip():
        raise ServiceError("委托投诉须填写委托人。", field="entrusted_by")
    if (
        intake.target_officer
        and intake.target_agency
        and intake.target_officer.agency_id != intake.target_agency.pk
    ):
        raise ServiceError("被投诉执法人员不属于被投诉机关。", field="target_officer")
    # Where all complaint routes are run by the 12345 hotline (001 附件1 一), the agency has no online
    # channel of its own; letters and visits that still reach it are registered and handled.
    if intake.channel == Complaint.Channel.ONLINE and profile.has("complaint.own_channels_prohibited"):
        rule = profile.rule("complaint.own_channels_prohibited")
        if rule.value:
            raise ServiceError(
                f"本机关的投诉举报统一通过12345政务服务热线受理（{rule.citation}），请拨打12345。",
                field="channel",
            )
    if intake.agency.kind == Agency.Kind.GOVERNMENT:
        raise ServiceError("请选择受理投诉的执法机关或司法局。", field="agency")


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


def _may_register(actor: Person | None, agency: Agency) -> None:
    if actor is None:
        return  # the public form and the hotline (authenticated upstream)
    if handles_complaints(actor, agency):
        return
    if actor.has_role(Role.SUPERVISOR) and agency.supervisor_id == actor.agency_id:
        return  # the justice bureau hands a complaint over (交办)
    raise NotAllowed("只有受理机关负责投诉举报的工作人员可以登记投诉举报。")


def _open_period(
    complaint: Complaint,
    key: str,
    start: datetime.date,
    title: str,
    profile: Profile,
    owner: Person | None = None,
    agency: Agency | None = None,
) -> Deadline | None:
    if not profile.has(key):
        return None
    return deadlines.open_deadline(
        subject=complaint,
        agency=agency or complaint.agency,
        rule_key=key,
        period=profile.period(key),
        start=start,
        title=title,
        owner=owner,
    )


def _handling_key(complaint: Complaint, profile: Profile) -> str:
    if complaint.assigned_by_id and profile.has("complaint.assigned.handling"):
        return "complaint.assigned.handling"
    return "complaint.handling"


def _extension_prefix(complaint: Complaint) -> str:
    return (
        "complaint.assigned.extension"
        if _handling_key(complaint, _profile(complaint)).startswith("complaint.assigned")
        else "complaint.extension"
    )


def extension_limit(complaint: Complaint) -> Period | None:
    """The profile's maximum extension of the complaint's handling period (a Period), or None."""
    key = f"{_extension_prefix(complaint)}.max"
    profile = _profile(complaint)
    return profile.period(key) if profile.has(key) else None


def _profile(complaint: Complaint) -> Profile:
    return profile_for(complaint.agency)


def _save_attachment(
    complaint: Complaint, checked: CheckedFile, kind: str, actor: Person | None, label: str, note: str = ""
) -> Material:
    material = Material(
        complaint=complaint,
        kind=kind,
        note=note,
        # A property that seals the name; Django's Model() sets properties given as arguments, which
        # the stubs' check of the model's fields does not know.
        original_name=checked.name,  # type: ignore[misc]
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        added_by=actor,
        added_by_label=label,
    )
    # Stored under a random name: the complainant's file name may itself be personal data.
    ending = checked.name[checked.name.rfind(".") :] if "." in checked.name else ""
    material.file.save(f"{secrets.token_hex(16)}{ending}", ContentFile(checked.data), save=False)
    material.save()
    return material


def submit_complaint(
    intake: Intake, *, actor: Person | None = None, actor_label: str | None = None
) -> Receipt:
    """Register a complaint from any channel; returns the tracking code and secret.

    A hotline ticket number registers once: the same ticket again returns the existing complaint
    (without a new secret), so re-sending a hotline batch never makes two complaints.
    """
    if intake.hotline_ticket:
        # A re-sent ticket is answered with the complaint it made, whatever it now says.
        existing = Complaint.objects.filter(hotline_ticket=intake.hotline_ticket).first()
        if existing:
            return Receipt(existing, existing.tracking_code, "")
    if intake.channel == Complaint.Channel.ASSIGNED and intake.assigned_by is None and actor is not None:
        intake.assigned_by = actor.agency  # 交办: the supervisory body hands it over
    profile = profile_for(intake.agency)
    COMPLAINTS.ensure_runs(profile, intake.agency)
    intake.target_agency = intake.target_agency or intake.agency
    _validate_intake(intake, profile)
    _may_register(actor, intake.agency)
    checked = [check_upload(f, field="attachments") for f in intake.attachments]
    label = actor_label or ("hotline" if intake.channel == Complaint.Channel.HOTLINE else "public")
    now = timezone.now()
    secret = _random(SECRET_LENGTH)
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                number=_next_number(intake.agency, timezone.localtime(now).year),
                agency=intake.agency,
                channel=intake.channel,
                entrusted=intake.entrusted,
                anonymous=intake.anonymous,
                complainant_sealed=""
                if intake.anonymous and intake.complainant.is_empty()
                else crypto.encrypt_json(asdict(intake.complainant)),
                target_agency=intake.target_agency,
                target_officer=intake.target_officer,
                target_description=intake.target_description.strip(),
                category=intake.category,
                content=intake.content.strip(),
                occurred_on=intake.occurred_on,
                hotline_ticket=intake.hotline_ticket or None,
                assigned_by=intake.assigned_by,
                tracking_code=_random(CODE_LENGTH),
                secret_hash=_secret_digest(secret),
                received_at=now,
            )
            for item in checked:
                _save_attachment(
                    complaint,
                    item,
                    Material.Kind.ATTACHMENT,
                    actor,
                    label if actor is None else actor.username,
                )
            today = timezone.localtime(now).date()
            opened = [
                _open_period(
                    complaint, "complaint.acceptance", today, f"{complaint.number} 受理审查", profile
                )
            ]
            if _handling_key(complaint, profile) == "complaint.assigned.handling":
                # 001 附件1 一: a handed-over complaint is answered within its period from receipt.
                # Elsewhere (000 第六条, 004 第6条) handling runs from acceptance, handed over or not.
                opened.append(
                    _open_period(
                        complaint,
                        _handling_key(complaint, profile),
                        today,
                        f"{complaint.number} 交办事项办结",
                        profile,
                    )
                )
            record(
                "complaints.submit",
                actor=actor,
                actor_label=None if actor else label,
                agency=complaint.agency,
                obj=complaint,
                payload={
                    "number": complaint.number,
                    "channel": complaint.channel,
                    "anonymous": complaint.anonymous,
                    "entrusted": complaint.entrusted,
                    "target_agency": complaint.target_agency_id,
                    "attachments": [c.sha256 for c in checked],
                    "deadlines": [
                        {"rule": d.rule_key, "due": d.due_date, "provisional": d.provisional}
                        for d in opened
                        if d
                    ],
                    "hotline_ticket": complaint.hotline_ticket,
                },
            )
    except IntegrityError:
        if intake.hotline_ticket:  # a concurrent import registered the same ticket first
            existing = Complaint.objects.get(hotline_ticket=intake.hotline_ticket)
            return Receipt(existing, existing.tracking_code, "")
        raise
    return Receipt(complaint, complaint.tracking_code, secret)


def find_by_tracking(tracking_code: str, secret: str) -> Complaint | None:
    """The complaint for a tracking code and secret, or None; the secret compared in constant time."""
    complaint = Complaint.objects.filter(tracking_code=tracking_code.strip().upper()).first()
    stored = complaint.secret_hash if complaint else ""
    # A secret made before SECRET_KEY was rotated still opens its complaint: the old keys stay in
    # SECRET_KEY_FALLBACKS (docs/operations.md). Same work whether or not the code exists.
    matched = False
    for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        matched |= hmac.compare_digest(_secret_digest(secret.strip().upper(), key), stored)
    return complaint if complaint is not None and matched else None


# ---------------------------------------------------------------------------------- who may act


def may_handle(actor: Person, complaint: Complaint) -> bool:
    """The receiving agency's complaint-handling staff (`handles_complaints`), unless the complaint
    is about them."""
    return complaint.target_officer_id != actor.pk and handles_complaints(actor, complaint.agency)


def _require_handler(actor: Person, complaint: Complaint) -> None:
    if not may_handle(actor, complaint):
        raise NotAllowed("只有受理机关负责投诉举报的工作人员可以办理该投诉举报。")


def _require_state(complaint: Complaint, *states: str) -> None:
    if complaint.state not in states:
        names = "、".join(Complaint.State(s).label for s in states)
        raise InvalidState(
            f"该投诉举报当前状态为“{complaint.get_state_display()}”，只有“{names}”时才能进行此操作。",
            field="state",
        )


def _locked(complaint: Complaint) -> Complaint:
    # Re-read under a row lock: two handlers acting at once are serialised, the second sees the new state.
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _close_open(complaint: Complaint, *keys: str, at: datetime.datetime | None = None) -> list[dict]:
    closed = []
    for deadline in deadlines.open_deadlines_of(complaint).filter(rule_key__in=keys):
        deadlines.close_deadline(deadline, at=at)
        closed.append({"rule": deadline.rule_key, "due": deadline.due_date, "state": deadline.state})
    return closed


def _deadline_payload(deadline: Deadline | None) -> dict | None:
    if deadline is None:
        return None
    return {"rule": deadline.rule_key, "due": deadline.due_date, "provisional": deadline.provisional}


# An anonymous complainant (or one who gave no name) is addressed as 投诉举报人 and identified by the
# tracking code; a named one by name. Letters that name the complainant are personal data: only
# those who may reveal the identity read them (`may_read_letters`), and the complainant through
# the status page.
ADDRESSEE = "投诉举报人"


def _addressee(complaint: Complaint) -> str:
    if complaint.anonymous or not complaint.complainant_sealed:
        return ADDRESSEE
    return crypto.decrypt_json(complaint.complainant_sealed).get("name", "").strip() or ADDRESSEE


def letters_name_the_complainant(complaint: Complaint) -> bool:
    """Whether the complaint's letters are addressed to the complainant by name."""
    return _addressee(complaint) != ADDRESSEE


def may_read_letters(actor: Person, complaint: Complaint) -> bool:
    """Whether staff may open the complaint's letters: anyone who sees the complaint, unless the
    letters name the complainant; then only those who may reveal the identity."""
    return not letters_name_the_complainant(complaint) or may_reveal(actor, complaint)


def _recourse(complaint: Complaint, profile: Profile, *, decision: str) -> str:
    """What the complainant may do next, on the law beneath every profile (complaint.basis)."""
    body = complaint.agency.supervisor
    where = f"向{body.name}" if body else "向本机关的上级机关"
    basis = profile.rule("complaint.basis").citation if profile.has("complaint.basis") else None
    law = f"依照{basis}的规定" if basis else ""
    complain = f"{law}{where}申诉或者检举"
    if decision == "result":
        return f"你（单位）对处理结果有异议的，可以凭查询码对办理情况作出评价，也可以{complain}"
    return f"你（单位）对本决定有异议的，可以{complain}"


def _letter(kind: str, complaint: Complaint, actor: Person, citation: str, **context: Any) -> dict[str, Any]:
    """Issue one of the procedure's documents (受理通知书 …) inside the step's transaction.

    Returns what the step's own ledger entry records of it: the step and its letter are one act,
    one entry. Issued before the step records, so the ledger's writer lock is not held while the
    letter renders.
    """
    context = {
        "addressee": _addressee(complaint),
        "received_on": timezone.localtime(complaint.received_at).date(),
        "tracking_code": complaint.tracking_code,
        **context,
    }
    document = issue_document(
        kind=kind,
        subject=complaint,
        agency=complaint.agency,
        context=context,
        citation=citation,
        actor=actor,
        record_entry=False,
    )
    return ledger_reference(document)


def documents_of(complaint: Complaint) -> list[Document]:
    """The documents issued on a complaint, oldest first."""
    return list(
        Document.objects.filter(
            subject_type=ContentType.objects.get_for_model(Complaint), subject_id=complaint.pk
        ).order_by("id")
    )


def _rule_citation(profile: Profile, *keys: str) -> str:
    """The citation of the first of `keys` the rules state; else the law beneath every profile
    (complaint.basis, 《中华人民共和国行政处罚法》第七十五条第二款)."""
    for key in (*keys, "complaint.basis"):
        if profile.has(key):
            return str(profile.rule(key).citation)
    return ""


# ------------------------------------------------------------------------------ acceptance decision


@transaction.atomic
def accept_complaint(complaint: Complaint, *, actor: Person) -> Complaint:
    """受理: take the complaint up; the handling period starts (unless handed over: it already runs)."""
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.RECEIVED)
    profile = _profile(complaint)
    now = timezone.now()
    today = timezone.localtime(now).date()
    closed = _close_open(complaint, "complaint.acceptance", at=now)
    opened = []
    if _handling_key(complaint, profile) == "complaint.handling":
        opened.append(
            _open_period(
                complaint, "complaint.handling", today, f"{complaint.number} 审查终结", profile, owner=actor
            )
        )
    opened.append(
        _open_period(
            complaint,
            "complaint.respondent_notice",
            today,
            f"{complaint.number} 通知被投诉机关",
            profile,
            owner=actor,
        )
    )
    complaint.state = Complaint.State.ACCEPTED
    complaint.decided_at = now
    complaint.handler = actor
    complaint.save(update_fields=["state", "decided_at", "handler"])
    deadlines.open_deadlines_of(complaint).filter(owner__isnull=True).update(owner=actor)
    handling = (
        deadlines.open_deadlines_of(complaint).filter(rule_key=_handling_key(complaint, profile)).first()
    )
    letter = _letter(
        "complaint_acceptance",
        complaint,
        actor,
        _rule_citation(
            profile, _handling_key(complaint, profile), "complaint.acceptance", "complaint.handling_unit"
        ),
        promise=(
            f"并于{format_value(handling.due_date)}前将处理结果告知你（单位）"
            if handling
            else "并将处理结果告知你（单位）"
        ),
    )
    record(
        "complaints.accept",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"closed": closed, "opened": [_deadline_payload(d) for d in opened if d], "letter": letter},
    )
    return complaint


@transaction.atomic
def reject_complaint(complaint: Complaint, *, actor: Person, reason: str, legal_basis: str) -> Complaint:
    """不予受理: with the reason and legal basis, which the complainant is told (000 第五条)."""
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.RECEIVED)
    if not reason.strip():
        raise ServiceError("请填写不予受理的理由。", field="reason")
    if not legal_basis.strip():
        raise ServiceError("请填写不予受理的依据。", field="legal_basis")
    printable(reason, field="reason", label="不予受理的理由")
    printable(legal_basis, field="legal_basis", label="不予受理的依据")
    now = timezone.now()
    closed = _close_open(
        complaint, "complaint.acceptance", _handling_key(complaint, _profile(complaint)), at=now
    )
    complaint.state = Complaint.State.REJECTED
    complaint.decided_at = now
    complaint.handler = actor
    complaint.decision_reason = reason.strip()
    complaint.legal_basis = legal_basis.strip()
    complaint.save(update_fields=["state", "decided_at", "handler", "decision_reason", "legal_basis"])
    letter = _letter(
        "complaint_rejection",
        complaint,
        actor,
        complaint.legal_basis,
        reasons=complaint.decision_reason,
        recourse=_recourse(complaint, _profile(complaint), decision="rejection"),
    )
    record(
        "complaints.reject",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"closed": closed, "letter": letter},
    )
    return complaint


@transaction.atomic
def refer_complaint(complaint: Complaint, *, actor: Person, competent_body: str, reason: str) -> Complaint:
    """移送: the matter belongs to another body; it is forwarded and the complainant told (002 第九条).

    Also after acceptance, when the handling shows the matter is outside the agency's competence:
    the periods running on it close, and the referral period is counted as the profile says.
    """
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.RECEIVED, Complaint.State.ACCEPTED)
    if not competent_body.strip():
        raise ServiceError("请填写移送的有权处理机关。", field="competent_body")
    if not reason.strip():
        raise ServiceError("请填写移送理由。", field="reason")
    printable(competent_body, field="competent_body", label="有权处理机关")
    printable(reason, field="reason", label="移送理由")
    profile = _profile(complaint)
    now = timezone.now()
    closed = _close_open(
        complaint,
        "complaint.acceptance",
        _handling_key(complaint, profile),
        "complaint.respondent_notice",
        "complaint.respondent_explanation",
        at=now,
    )
    referral = None
    if profile.has("complaint.referral"):
        # The referral period runs from receipt; referring now meets (or misses) it at once.
        referral = _open_period(
            complaint,
            "complaint.referral",
            timezone.localtime(complaint.received_at).date(),
            f"{complaint.number} 移送",
            profile,
            owner=actor,
        )
        assert referral is not None  # the profile has the period (checked above), so it was opened
        deadlines.close_deadline(referral, at=now)
    complaint.state = Complaint.State.REFERRED
    complaint.decided_at = now
    complaint.handler = actor
    complaint.referred_to = competent_body.strip()[:200]
    complaint.decision_reason = reason.strip()
    complaint.save(update_fields=["state", "decided_at", "handler", "referred_to", "decision_reason"])
    letter = _letter(
        "complaint_referral",
        complaint,
        actor,
        _rule_citation(profile, "complaint.referral", "complaint.handling_unit"),
        reasons=complaint.decision_reason,
        referred_on=timezone.localtime(now).date(),
        referred_to=complaint.referred_to,
    )
    record(
        "complaints.refer",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={
            "closed": closed,
            "referral": referral and {"due": referral.due_date, "state": referral.state},
            "letter": letter,
        },
    )
    return complaint


# ------------------------------------------------------------------------------------- handling


@transaction.atomic
def request_explanation(complaint: Complaint, *, actor: Person, matters: str) -> ExplanationRequest:
    """Ask the body complained about for a written explanation with evidence (002 第九条).

    `matters` is the handler's statement of what must be explained; it is all the body sees.
    """
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    if not matters.strip():
        raise ServiceError("请写明需要被投诉机关说明的事项（不要写入投诉举报人信息）。", field="matters")
    _require_state(complaint, Complaint.State.ACCEPTED)
    if complaint.explanation_requests.filter(answered_at__isnull=True).exists():
        raise InvalidState("已通知被投诉机关说明情况，尚未答复。", field="state")
    now = timezone.now()
    closed = _close_open(complaint, "complaint.respondent_notice", at=now)
    request = ExplanationRequest.objects.create(
        complaint=complaint,
        respondent=complaint.target_agency,
        requested_at=now,
        requested_by=actor,
        matters=matters.strip(),
    )
    # The body's own period runs from its receipt of the notice (002 第九条: 接到通知之日起), which
    # is its own act (`receive_explanation_request`), not from this request.
    record(
        "complaints.request_explanation",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"request": request.pk, "respondent": complaint.target_agency_id, "closed": closed},
    )
    return request


def _require_respondent_staff(actor: Person, request: ExplanationRequest) -> None:
    if actor.agency_id != request.respondent_id or not (
        actor.role_codes & {Role.LEGAL_AFFAIRS, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER}
    ):
        raise NotAllowed("只有被投诉机关的法制工作人员或负责人可以签收通知、提交书面说明。")
    if request.complaint.target_officer_id == actor.pk:
        raise NotAllowed("被投诉的执法人员本人不能代表机关签收通知或提交书面说明。")


def may_answer_explanation(actor: Person, request: ExplanationRequest) -> bool:
    """Whether the actor may acknowledge or answer the explanation request for the body."""
    try:
        _require_respondent_staff(actor, request)
    except NotAllowed:
        return False
    return True


@transaction.atomic
def receive_explanation_request(request: ExplanationRequest, *, actor: Person) -> ExplanationRequest:
    """签收: the body complained about acknowledges the notice; its period to explain starts (002 第九条)."""
    request = ExplanationRequest.objects.select_for_update().select_related("complaint").get(pk=request.pk)
    complaint = _locked(request.complaint)
    _require_respondent_staff(actor, request)
    if request.received_at or request.answered_at:
        raise InvalidState("该通知已经签收。", field="state")
    _require_state(complaint, Complaint.State.ACCEPTED)
    now = timezone.now()
    request.received_at, request.received_by = now, actor
    request.save(update_fields=["received_at", "received_by"])
    opened = _open_period(
        complaint,
        "complaint.respondent_explanation",
        timezone.localtime(now).date(),
        f"{complaint.number} 被投诉机关书面说明",
        _profile(complaint),
        agency=request.respondent,
    )
    record(
        "complaints.receive_explanation_request",
        actor=actor,
        agency=request.respondent,
        obj=complaint,
        payload={"request": request.pk, "opened": _deadline_payload(opened)},
    )
    return request


@transaction.atomic
def submit_explanation(
    request: ExplanationRequest, *, actor: Person, explanation: str, files: Sequence[Any] = ()
) -> ExplanationRequest:
    """The body complained about answers in writing, with its evidence."""
    request = ExplanationRequest.objects.select_for_update().select_related("complaint").get(pk=request.pk)
    complaint = request.complaint
    _require_respondent_staff(actor, request)
    if request.answered_at:
        raise InvalidState("该书面说明已经提交。", field="state")
    _require_state(complaint, Complaint.State.ACCEPTED)
    if not explanation.strip():
        raise ServiceError("请填写书面说明。", field="explanation")
    checked = [check_upload(f, field="files") for f in files]
    now = timezone.now()
    received = request.received_at is None  # answering without signing first is receipt too
    if received:
        request.received_at, request.received_by = now, actor
    request.explanation = explanation.strip()
    request.answered_at = now
    request.save(update_fields=["explanation", "answered_at", "received_at", "received_by"])
    materials = [
        _save_attachment(complaint, c, Material.Kind.EXPLANATION, actor, actor.username) for c in checked
    ]
    closed = _close_open(complaint, "complaint.respondent_explanation", at=now)
    record(
        "complaints.submit_explanation",
        actor=actor,
        agency=request.respondent,
        obj=complaint,
        payload={
            "request": request.pk,
            "files": [m.sha256 for m in materials],
            "closed": closed,
            "received_on_answer": received,
        },
    )
    return request


@transaction.atomic
def add_material(
    complaint: Complaint, *, actor: Person, kind: str, note: str = "", upload: Any = None
) -> Material:
    """Investigation notes and materials (调查笔录、证据) added by the handler."""
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.ACCEPTED)
    if kind not in (Material.Kind.EVIDENCE, Material.Kind.NOTE):
        raise ServiceError("材料类别不正确。", field="kind")
    if upload is None and not note.strip():
        raise ServiceError("请填写记录内容或上传文件。", field="note")
    if upload is not None:
        material = _save_attachment(
            complaint, check_upload(upload), kind, actor, actor.username, note.strip()
        )
    else:
        material = Material.objects.create(
            complaint=complaint,
            kind=kind,
            note=note.strip(),
            added_by=actor,
            added_by_label=actor.username,
            sha256=hashlib.sha256(note.strip().encode()).hexdigest(),
        )
    record(
        "complaints.add_material",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"material": material.pk, "kind": kind, "sha256": material.sha256},
    )
    return material


# ------------------------------------------------------------------------------------ extension


def _handling_deadline(complaint: Complaint) -> Deadline:
    deadline = (
        deadlines.open_deadlines_of(complaint)
        .filter(rule_key=_handling_key(complaint, _profile(complaint)))
        .first()
    )
    if deadline is None:
        raise InvalidState("该投诉举报没有正在计算的办理期限。", field="state")
    return deadline


@transaction.atomic
def request_extension(complaint: Complaint, *, actor: Person, amount: int, reasons: str) -> ExtensionRequest:
    """Ask for more time, before the period ends, within the profile's maximum."""
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.ACCEPTED)
    maximum = extension_limit(complaint)
    if maximum is None:
        raise ServiceError("本机关适用的规则没有规定延长期限，不能申请延期。", field="amount")
    deadline = _handling_deadline(complaint)
    # The seeds bound the total extension ("延长期限不得超过30日"), not how often it is asked for.
    remaining = maximum.amount - (deadline.extension_amount or 0)
    if remaining < 1:
        raise InvalidState(
            f"办理期限已累计延长{maximum}，已达上限（{maximum.citation}），不能再延长。", field="amount"
        )
    if complaint.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise InvalidState("已有待批准的延期申请。", field="state")
    if timezone.localdate() > deadline.due_date:
        raise ServiceError(f"办理期限已于 {deadline.due_date} 届满，延期须在期限届满前申请。", field="amount")
    if not isinstance(amount, int) or amount < 1:
        raise ServiceError("延长期间须为正整数。", field="amount")
    if amount > remaining:
        already = (
            f"，已延长{deadline.extension_amount}{PERIOD_UNITS[maximum.unit]}"
            if remaining < maximum.amount
            else ""
        )
        raise ServiceError(
            f"延长期间累计不得超过{maximum}（{maximum.citation}）{already}，"
            f"本次至多{remaining}{PERIOD_UNITS[maximum.unit]}。",
            field="amount",
        )
    if not reasons.strip():
        raise ServiceError("请填写延期理由。", field="reasons")
    printable(reasons, field="reasons", label="延期理由")
    request = ExtensionRequest.objects.create(
        complaint=complaint,
        requested_by=actor,
        requested_at=timezone.now(),
        amount=amount,
        unit=maximum.unit,
        reasons=reasons.strip(),
    )
    record(
        "complaints.request_extension",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"request": request.pk, "amount": amount, "unit": maximum.unit, "due": deadline.due_date},
    )
    return request


def extension_approvers(complaint: Complaint) -> tuple[Agency, tuple[str, ...]]:
    """The agency whose people decide an extension and the roles that may, per the profile."""
    spec = _profile(complaint).value(f"{_extension_prefix(complaint)}.approver")
    if spec.body:
        # An outside body (e.g. 区司法局 for handed-over complaints): its supervision staff decide.
        body = complaint.assigned_by or complaint.agency.supervisor
        if body is None:
            raise ServiceError(f"规则要求由{spec.body}批准延期，但本机关没有登记监督机关。", field="approver")
        return body, (Role.SUPERVISOR,)
    return complaint.agency, spec.roles


def may_decide_extension(actor: Person, complaint: Complaint) -> bool:
    agency, roles = extension_approvers(complaint)
    # Nobody decides on a complaint about himself.
    return (
        actor.agency_id == agency.pk
        and bool(actor.role_codes & set(roles))
        and complaint.target_officer_id != actor.pk
    )


@transaction.atomic
def decide_extension(
    request: ExtensionRequest, *, actor: Person, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The approver the profile names decides; an approved extension runs from the end of the period."""
    request = (
        ExtensionRequest.objects.select_for_update().select_related("complaint__agency").get(pk=request.pk)
    )
    complaint = _locked(request.complaint)
    if not may_decide_extension(actor, complaint):
        spec = _profile(complaint).value(f"{_extension_prefix(complaint)}.approver")
        raise NotAllowed(f"延期须经{spec}批准。")
    if request.state != ExtensionRequest.State.PENDING:
        raise InvalidState("该延期申请已经处理。", field="state")
    _require_state(complaint, Complaint.State.ACCEPTED)
    if not approve and not note.strip():
        raise ServiceError("不批准时请填写意见。", field="note")
    deadline = _handling_deadline(complaint)
    old_due = deadline.due_date
    if approve:
        maximum = extension_limit(complaint)
        assert maximum is not None  # request_extension takes no request where the profile sets no maximum
        if (deadline.extension_amount or 0) + request.amount > maximum.amount:
            raise InvalidState(
                f"批准后累计延长将超过{maximum}（{maximum.citation}），请不予批准或由承办人重新申请。",
                field="state",
            )
        deadlines.extend_deadline(
            deadline, amount=request.amount, unit=request.unit, citation=str(maximum.citation)
        )
    request.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    letter = None
    if approve:
        # The approver may sit in the supervisory body; the notice is the handling agency's, sent by
        # the handler who asked.
        letter = _letter(
            "complaint_extension",
            complaint,
            request.requested_by,
            deadline.extension_citation,
            accepted_on=timezone.localtime(complaint.decided_at).date(),
            due_date=old_due,
            reasons=request.reasons,
            new_due_date=deadline.due_date,
        )
    record(
        "complaints.decide_extension",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={
            "request": request.pk,
            "approved": approve,
            "from": old_due,
            "to": deadline.due_date,
            "provisional": deadline.provisional,
            "letter": letter,
        },
    )
    return request


# ---------------------------------------------------------------------------------- conclusion


MEASURES = {
    "correct": "责令改正",
    "refer_discipline": "移交纪检监察部门",
    "refer_judicial": "移交司法机关处理",
}


@transaction.atomic
def conclude_complaint(
    complaint: Complaint, *, actor: Person, finding: str, measures: list[str], result_text: str
) -> Complaint:
    """审查终结: the finding, the measures (000 第八条) and the result told to the complainant."""
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.ACCEPTED)
    if finding not in Complaint.Finding.values:
        raise ServiceError("请选择查处结论。", field="finding")
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise ServiceError("处理措施不正确。", field="measures")
    if finding == Complaint.Finding.NOT_SUBSTANTIATED and measures:
        raise ServiceError("查证不属实的，不能采取处理措施。", field="measures")
    if finding != Complaint.Finding.NOT_SUBSTANTIATED and not measures:
        raise ServiceError("查证属实的，应当责令改正或移交处理（请选择处理措施）。", field="measures")
    if not result_text.strip():
        raise ServiceError("请填写告知投诉举报人的处理结果。", field="result_text")
    printable(result_text, field="result_text", label="处理结果")
    if complaint.explanation_requests.filter(answered_at__isnull=True).exists():
        raise InvalidState("被投诉机关的书面说明尚未提交。", field="state")
    now = timezone.now()
    profile = _profile(complaint)
    closed = _close_open(complaint, _handling_key(complaint, profile), "complaint.respondent_notice", at=now)
    complaint.state = Complaint.State.CONCLUDED
    complaint.finding = finding
    complaint.measures = list(measures)
    complaint.result_text = result_text.strip()
    complaint.concluded_at = now
    complaint.answer_round += 1
    complaint.save(
        update_fields=["state", "finding", "measures", "result_text", "concluded_at", "answer_round"]
    )
    letter = _letter(
        "complaint_result",
        complaint,
        actor,
        # The basis of a measure is the article that provides the measure (000 第八条); where no
        # measure is taken, the article under which the complaint was examined.
        _rule_citation(profile, "complaint.outcomes")
        if measures
        else _rule_citation(profile, _handling_key(complaint, profile), "complaint.handling_unit"),
        accepted_on=timezone.localtime(complaint.decided_at).date(),
        finding=complaint.get_finding_display(),
        findings=complaint.result_text,
        decision="；".join(MEASURES[m] for m in measures) or "不予追究",
        recourse=_recourse(complaint, profile, decision="result"),
    )
    record(
        "complaints.conclude",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={
            "finding": finding,
            "measures": list(measures),
            "closed": closed,
            "answer_round": complaint.answer_round,
            "letter": letter,
        },
    )
    return complaint


# -------------------------------------------------------------------------------- satisfaction

# The ratings that open re-handling (and count towards 督办, as the profile says).
DISPUTED_RATINGS = (Rating.Value.DISSATISFIED, Rating.Value.UNQUALIFIED)


@dataclass(frozen=True)
class Rated:
    """A rating and whether this call recorded it (False: the same hotline visit reported again)."""

    rating: Rating
    created: bool


@transaction.atomic
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
    complaint = _locked(complaint)
    if value not in Rating.Value.values:
        raise ServiceError("评价不正确。", field="value")
    if source not in Rating.Source.values:
        raise ServiceError("评价来源不正确。", field="source")
    visit_id = visit_id.strip()
    reason = clean_text(reason, field="reason", label="不满意的原因")
    if reason and value not in DISPUTED_RATINGS:
        raise ServiceError("只有评价为“不满意”或“不合格”时才填写原因。", field="reason")
    if source == Rating.Source.HOTLINE:
        if not visit_id:
            raise ServiceError("请填写回访编号：同一次回访重复报送只记一次。", field="visit_id")
        max_length = Rating._meta.get_field("visit_id").max_length
        assert max_length is not None  # a CharField's
        if len(visit_id) > max_length:
            raise ServiceError("回访编号过长。", field="visit_id")
        earlier = complaint.ratings.filter(source=source, visit_id=visit_id).first()
        if earlier is not None:
            if earlier.value != value:
                raise InvalidState(
                    f"回访 {visit_id} 已报送评价“{earlier.get_value_display()}”，不能改报。", field="value"
                )
            return Rated(earlier, created=False)
    elif visit_id:
        raise ServiceError("只有12345热线回访有回访编号。", field="visit_id")
    _require_state(complaint, Complaint.State.CONCLUDED)
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
        reason=reason,
    )
    profile = _profile(complaint)
    triggered = None
    if not complaint.supervised and _follows_supervised_handling(complaint, profile):
        dissatisfied = complaint.ratings.filter(value=Rating.Value.DISSATISFIED).count()
        if profile.has("complaint.supervised_handling.dissatisfied_count") and dissatisfied >= profile.value(
            "complaint.supervised_handling.dissatisfied_count"
        ):
            triggered = "complaint.supervised_handling.dissatisfied_count"
        elif (
            value == Rating.Value.UNQUALIFIED
            and profile.has("complaint.supervised_handling.failed_rating")
            and profile.value("complaint.supervised_handling.failed_rating")
        ):
            triggered = "complaint.supervised_handling.failed_rating"
    if triggered:
        complaint.supervised = True
        complaint.save(update_fields=["supervised"])
    if value in DISPUTED_RATINGS:
        # The handler and the supervising body learn of every disputed answer, not only of the one
        # that starts 督办: they decide whether to handle it again.
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
            deadlines.notify(
                person, f"投诉举报 {complaint.number} {what}。", link=f"/complaints/{complaint.pk}/"
            )
    record(
        "complaints.rate",
        actor=None,
        actor_label=source,
        agency=complaint.agency,
        obj=complaint,
        payload={
            "value": value,
            "answer_round": rating.answer_round,
            "visit_id": visit_id,
            "supervised": triggered,
        },
    )
    return Rated(rating, created=True)


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


def may_rehandle(actor: Person, complaint: Complaint) -> bool:
    """Whether the actor may reopen the concluded complaint (rehandle_complaint's conditions)."""
    return (
        complaint.state == Complaint.State.CONCLUDED
        and may_handle(actor, complaint)
        and _answer_disputed(complaint)
    )


def _answer_disputed(complaint: Complaint) -> bool:
    return complaint.ratings.filter(answer_round=complaint.answer_round, value__in=DISPUTED_RATINGS).exists()


@transaction.atomic
def rehandle_complaint(complaint: Complaint, *, actor: Person, reason: str) -> Complaint:
    """重新办理: the answer was rated "不满意" or "不合格"; the receiving body handles it again.

    001 附件1 二 counts two "不满意" feedbacks before supervised handling, so a complainant who
    is not satisfied must be able to get a second answer to rate. The complaint returns to
    handling and is concluded anew (a new 处理结果告知书, a new rating). No seed sets a period for
    handling again, so no deadline opens (periods come from the profile, never from code); under
    supervised handling the supervisory body follows it.
    """
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.CONCLUDED)
    if not reason.strip():
        raise ServiceError("请填写重新办理的理由。", field="reason")
    if not _answer_disputed(complaint):
        raise InvalidState("只有答复被评为“不满意”或“不合格”的，才能重新办理。", field="state")
    previous = {"finding": complaint.finding, "measures": complaint.measures}
    complaint.state = Complaint.State.ACCEPTED
    complaint.rehandling_reason = reason.strip()
    complaint.finding, complaint.measures, complaint.result_text = "", [], ""
    complaint.concluded_at = None
    complaint.save(
        update_fields=["state", "rehandling_reason", "finding", "measures", "result_text", "concluded_at"]
    )
    record(
        "complaints.rehandle",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={
            "answer_round": complaint.answer_round,
            "previous": previous,
            "supervised": complaint.supervised,
        },
    )
    return complaint


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


@transaction.atomic
def archive_complaint(complaint: Complaint, *, actor: Person) -> Complaint:
    """归档: seal the file; its materials and decisions are listed with their digests in the ledger."""
    complaint = _locked(complaint)
    _require_handler(actor, complaint)
    _require_state(complaint, Complaint.State.CONCLUDED, Complaint.State.REJECTED, Complaint.State.REFERRED)
    manifest = archive_manifest(complaint)
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    complaint.state = Complaint.State.ARCHIVED
    complaint.archived_at = timezone.now()
    complaint.archive_digest = digest
    complaint.save(update_fields=["state", "archived_at", "archive_digest"])
    record(
        "complaints.archive",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={
            "manifest": [{k: v for k, v in item.items() if k != "name"} for item in manifest],
            "digest": digest,
        },
    )
    return complaint


# ------------------------------------------------------------------------------- confidentiality


def may_reveal(actor: Person, complaint: Complaint) -> bool:
    """Only the handling officer (承办人员) may open the identity (000 第九条, 004 第8条): once the
    complaint has a handler, that person alone; before, those who may decide to accept it."""
    if complaint.handler_id:
        return complaint.handler_id == actor.pk and may_handle(actor, complaint)
    return may_handle(actor, complaint)


@transaction.atomic
def reveal_complainant(complaint: Complaint, *, actor: Person, reason: str) -> dict[str, str]:
    """Open the sealed identity for the handling legal-affairs staff; every reveal is ledgered."""
    if not may_reveal(actor, complaint):
        raise NotAllowed("只有该投诉举报的承办人员可以查看投诉举报人信息。")
    if not reason.strip():
        raise ServiceError("请填写查看投诉举报人信息的事由。", field="reason")
    if not complaint.complainant_sealed:
        identity: dict[str, str] = {}
    else:
        identity = crypto.decrypt_json(complaint.complainant_sealed)
    reveal = Reveal.objects.create(complaint=complaint, person=actor, reason=reason.strip()[:200])
    record(
        "complaints.reveal_complainant",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"reveal": reveal.pk, "reason_sha256": hashlib.sha256(reveal.reason.encode()).hexdigest()},
    )
    return identity
