"""Complaints about enforcement (行政执法投诉举报) and what hangs off them.

Seeds: 000_e1ba62d0300353fa.txt 附件1, 001_d4f2384a3251ca7f.txt 附件1, 002_6698ecc543d3fb6b.txt
第五条(六)/第九条/第十八条, 004_15f54f20eedb7af0.txt 行政执法投诉举报制度. Periods and approvers come
from the receiving agency's rule profile; see `services.py`.
"""

from __future__ import annotations

from django.db import models

from jiandu.core.scope import RestrictedQuerySet
from jiandu.orgs.models import Role
from jiandu.orgs.scope import visible_agency_ids
from jiandu.procedures.models import Matter

# Who answers for the body complained about (002 第九条: its legal staff or head), and who besides
# the handling unit sees the agency's complaints.
RESPONDENT_ROLES = (Role.LEGAL_AFFAIRS, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER)


def complaint_agency_ids(user) -> set[int] | None:
    """Agencies whose complaints (and deadlines on them) a person may see; None means all.

    Within the receiving agency only the unit that handles complaints (its rules say which:
    `services.handles_complaints`) and the leaders see them (the officers complained about may
    work there); the body complained about's legal staff and leaders see those they must explain;
    supervisors and discipline inspectors see those of the agencies they supervise; administrators all.
    """
    from .handlers import handles_complaints

    if user is None or not user.is_authenticated:
        return set()
    ids = visible_agency_ids(user)
    if ids is None:
        return None
    allowed: set[int] = set()
    if user.agency_id and (user.role_codes & set(RESPONDENT_ROLES) or handles_complaints(user, user.agency)):
        # Legal staff keep sight of their agency's complaints: the body complained about answers
        # through them (submit_explanation); handling stays with the profile's unit.
        allowed.add(user.agency_id)
    if user.has_role(Role.SUPERVISOR) or user.has_role(Role.DISCIPLINE_INSPECTOR):
        allowed |= ids
    return allowed


class Complaint(Matter):
    """One complaint: who complained (sealed), about whom, what happened, and where it stands.

    A matter of the kernel (`procedure.COMPLAINTS`): every act on it is a registered step, and its
    lists go through the procedure's view policy (`complaint_agency_ids`, never the officer's own).
    """

    class Channel(models.TextChoices):
        ONLINE = "online", "网上投诉"
        LETTER = "letter", "来信"
        PHONE = "phone", "来电"
        VISIT = "visit", "来访"
        HOTLINE = "hotline", "12345热线转办"
        ASSIGNED = "assigned", "上级交办"

    class State(models.TextChoices):
        RECEIVED = "received", "待受理"
        ACCEPTED = "accepted", "办理中"
        REJECTED = "rejected", "不予受理"
        REFERRED = "referred", "已移送"
        CONCLUDED = "concluded", "已办结"
        ARCHIVED = "archived", "已归档"

    class Finding(models.TextChoices):
        SUBSTANTIATED = "substantiated", "查证属实"
        PARTLY = "partly", "部分属实"
        NOT_SUBSTANTIATED = "not_substantiated", "查证不属实"

    # The kernel's number, agency and state, narrowed: numbers unique, the agency's reverse name
    # and the states this procedure has.
    number = models.CharField("编号", max_length=40, unique=True)
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="complaints", verbose_name="受理机关"
    )
    channel = models.CharField("投诉渠道", max_length=20, choices=Channel.choices)
    entrusted = models.BooleanField("委托投诉", default=False)
    anonymous = models.BooleanField("匿名", default=False)
    # The complainant's identity and contact details, encrypted (jiandu.core.crypto); never shown
    # except through services.reveal_complainant, which ledgers every reveal.
    complainant_sealed = models.TextField("投诉举报人信息（加密）", blank=True)
    target_agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="complaints_against", verbose_name="被投诉机关"
    )
    target_officer = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_against",
        verbose_name="被投诉执法人员",
    )
    target_description = models.CharField("被投诉人员（投诉人所述）", max_length=200, blank=True)
    category = models.CharField("投诉类别", max_length=200)
    content = models.TextField("投诉举报内容")
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    hotline_ticket = models.CharField("12345工单号", max_length=64, null=True, blank=True, unique=True)
    assigned_by = models.ForeignKey(
        "orgs.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_assigned",
        verbose_name="交办机关",
    )
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    secret_hash = models.CharField("查询密码摘要", max_length=64)

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField("收到时间")
    handler = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_handled",
        verbose_name="承办人",
    )
    decided_at = models.DateTimeField("受理决定时间", null=True, blank=True)
    decision_reason = models.TextField("理由", blank=True)
    legal_basis = models.TextField("依据", blank=True)
    referred_to = models.CharField("移送机关", max_length=200, blank=True)
    finding = models.CharField("查处结论", max_length=20, choices=Finding.choices, blank=True)
    measures = models.JSONField("处理措施", default=list, blank=True)
    result_text = models.TextField("处理结果", blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    # How many answers (处理结果) the complainant has been given: 1 at the first conclusion, one
    # more after each re-handling that followed a "不满意" or "不合格" (services.rehandle_complaint).
    answer_round = models.PositiveSmallIntegerField("答复次数", default=0)
    rehandling_reason = models.TextField("重新办理理由", blank=True)
    supervised = models.BooleanField("督办", default=False)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archive_digest = models.CharField("归档清单摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "state", "-received_at"], name="complaint_queue"),
            models.Index(fields=["agency", "-received_at", "-id"], name="complaint_agency_recent"),
        ]

    @property
    def is_open(self) -> bool:
        return self.state in {self.State.RECEIVED, self.State.ACCEPTED}


class Material(models.Model):
    """A file or note on a complaint: attachments, evidence, investigation notes, explanations."""

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", "投诉附件"
        EVIDENCE = "evidence", "调查材料"
        NOTE = "note", "调查笔录/记录"
        EXPLANATION = "explanation", "被投诉机关书面说明及证据"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    note = models.TextField("说明", blank=True)
    file = models.FileField("文件", upload_to="complaints/%Y/%m/", blank=True)
    # The name the file had on the sender's machine, encrypted like the identity (jiandu.core.crypto):
    # a complainant's file name may itself name them. Read it through `original_name`.
    name_sealed = models.TextField("文件名（加密）", blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    added_by = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, null=True, blank=True)
    added_by_label = models.CharField("提交人", max_length=60)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉材料"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def original_name(self) -> str:
        """The sender's file name, decrypted; "" when none was given."""
        from jiandu.core import crypto

        return crypto.decrypt_json(self.name_sealed)["name"] if self.name_sealed else ""

    @original_name.setter
    def original_name(self, name: str) -> None:
        from jiandu.core import crypto

        self.name_sealed = crypto.encrypt_json({"name": name}) if name else ""


class ExplanationRequest(models.Model):
    """The body complained about is asked to explain in writing with evidence (002 第九条)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="explanation_requests")
    respondent = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="explanation_requests"
    )
    requested_at = models.DateTimeField("通知时间")
    requested_by = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    # What the body must explain, written by the handler: the body complained about never reads the
    # complainant's own words, which may identify them (000 第九条, 004 第8条).
    matters = models.TextField("需要说明的事项")
    # 002 第九条: the body's 15 days run from its receipt of the notice (接到通知之日), a step of
    # its own (签收), not from the request.
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    received_by = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签收人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    explanation = models.TextField("书面说明", blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "respondent"

    class Meta:
        verbose_name = verbose_name_plural = "书面说明通知"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.complaint.number} → {self.respondent}"


class Rating(models.Model):
    """The complainant's (or the hotline caller's) rating of the answer."""

    class Value(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"
        UNQUALIFIED = "unqualified", "不合格"

    class Source(models.TextChoices):
        COMPLAINANT = "complainant", "投诉举报人"
        HOTLINE = "hotline", "12345热线回访"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="ratings")
    value = models.CharField("评价", max_length=20, choices=Value.choices)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    # The answer rated (Complaint.answer_round when the rating came in).
    answer_round = models.PositiveSmallIntegerField("所评答复", default=1)
    # The hotline's own number for the return visit (回访): a visit reported again is the same
    # feedback, not a second one, so it cannot count twice towards supervised handling.
    visit_id = models.CharField("回访编号", max_length=64, blank=True, default="")
    # Why the complainant is not satisfied, in their words: shown to the handler and the supervising
    # body, never written to the ledger (only its digest).
    reason = models.TextField("不满意的原因", blank=True, default="")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "满意度评价"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "answer_round"],
                condition=models.Q(source="complainant"),
                name="rating_complainant_once_per_answer",
            ),
            models.UniqueConstraint(
                fields=["complaint", "visit_id"],
                condition=models.Q(source="hotline"),
                name="rating_hotline_visit_once",
            ),
        ]

    def __str__(self) -> str:
        return self.get_value_display()


class Reveal(models.Model):
    """One opening of a complainant's sealed identity: who, when and why (000 第九条, 004 第8条).

    The reason is free text that may itself name people, so it stays here, readable by auditors
    in the admin; the ledger entry of the reveal carries its digest.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="reveals")
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name="查看人"
    )
    reason = models.CharField("事由", max_length=200)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报人信息查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.complaint.number} {self.at:%Y-%m-%d %H:%M}"
