"""The matter every procedure's records are, and the parts hung off any matter.

`Matter` is abstract: a procedure app's model (a filing, a complaint …) inherits its number,
agency, state and timestamps, and its manager restricts lists by the procedure's policy. The
shared parts are concrete tables that point at any matter by content type and id, the way NetBox
hangs journal entries and image attachments off any object (`netbox/models/features.py`):
  - `Approval`: something a matter needs someone else's yes for (an extension …); who may decide
    comes from the profile and is stored with the request, so a later profile change does not
    move a pending decision;
  - `AgencyRequest`: one agency asks another for something with a reply period (an explanation, a
    correction report …); the period runs from the other agency's receipt;
  - `Attachment`: a file on a matter, checked by content at upload, stored under a random name,
    its digest taken as it arrived;
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from jiandu.core.scope import RestrictedQuerySet

if TYPE_CHECKING:
    from jiandu.orgs.models import Person

    from .registry import Procedure


class MatterQuerySet(RestrictedQuerySet):
    """Matters listed through the procedure's policy (NetBox's `restrict(user, action)`).

    action "view": what the viewer may see; a step's name: the matters the viewer may take that
    step on now (right state, right actor, and the step's guards that can be said as a filter).
    A matter outside the result stays "not found".
    """

    def restrict(self, user: Person | None, action: str = "view") -> MatterQuerySet:
        procedure: Procedure = getattr(self.model, "procedure")  # noqa: B009 (set by Procedure)
        if action == "view":
            return self.filter(procedure.view.q(user))
        step = procedure.step(action)
        found = self.filter(step.who.q(user), state__in=step.sources)
        if not step.unseen:
            found = found.filter(procedure.view.q(user))
        for guard in step.guards:
            condition = guard.as_filter(self.model)
            if condition is not None:
                found = found.filter(condition)
        return found


class Matter(models.Model):
    """A matter of some procedure: numbered per agency and year, in one state at a time.

    The matter's history is its ledger entries (`procedures.timeline`); its deadlines, documents,
    approvals, requests and attachments point at it by content type and id.
    """

    number = models.CharField("编号", max_length=60)
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="承办机关"
    )
    state = models.CharField("状态", max_length=30)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MatterQuerySet.as_manager()
    procedure: ClassVar[Procedure]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def state_label(self) -> str:
        return self.procedure.state_label(self.state)

    @property
    def is_closed(self) -> bool:
        return self.state in self.procedure.closed_states


class OnMatter(models.Model):
    """A row that belongs to one matter of any procedure."""

    matter_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    matter_id = models.PositiveBigIntegerField()
    matter = GenericForeignKey("matter_type", "matter_id")

    class Meta:
        abstract = True

    @classmethod
    def of(cls, matter: models.Model) -> models.QuerySet[Any]:
        return cls.objects.filter(  # type: ignore[attr-defined]
            matter_type=ContentType.objects.get_for_model(matter), matter_id=matter.pk
        )


class Approval(OnMatter):
    """A request on a matter that someone else must approve (e.g. an extension of a period).

    The approver (an agency and the roles there that may decide) is read from the profile when the
    request is made and kept here with its citation.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "批准"
        REFUSED = "refused", "不批准"

    kind = models.CharField("类别", max_length=40)
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="申请机关"
    )
    approver_agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="审批机关"
    )
    approver_roles = models.JSONField("审批人角色", default=list)
    citation = models.TextField("依据", blank=True)
    details = models.JSONField("申请内容", default=dict)
    reasons = models.TextField("理由")
    requested_by = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批"
        indexes = [
            models.Index(fields=["matter_type", "matter_id"], name="approval_matter"),
            models.Index(fields=["approver_agency", "outcome"], name="approval_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_outcome_display()}"

    def may_decide(self, actor: Person | None) -> bool:
        return bool(
            actor is not None
            and actor.agency_id == self.approver_agency_id
            and actor.role_codes & set(self.approver_roles)
        )


class AgencyRequest(OnMatter):
    """One agency asks another for something on a matter, with a reply period from receipt."""

    kind = models.CharField("类别", max_length=40)
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="发出机关"
    )
    respondent = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="答复机关"
    )
    matters = models.TextField("事项")
    requested_by = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("发出时间")
    received_by = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.TextField("答复", blank=True)
    # A request a later act replaced (a notice followed by a decision) is closed unanswered.
    superseded_at = models.DateTimeField("被取代时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机关间请求"
        indexes = [
            models.Index(fields=["matter_type", "matter_id"], name="agencyrequest_matter"),
            models.Index(fields=["respondent", "answered_at"], name="agencyrequest_open"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.respondent_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.superseded_at is None


def attachment_path(attachment: Attachment, filename: str) -> str:
    return f"matters/{attachment.matter_type.model}/{attachment.matter_id}/{filename}"


class Attachment(OnMatter):
    """A file on a matter: checked by content at upload, stored under a random name (the original
    name may itself be personal data and is kept only here), digest and size taken on arrival."""

    kind = models.CharField("类别", max_length=40)
    file = models.FileField("文件", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    added_by = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField("上传时间", default=timezone.now)
    step = models.CharField("环节", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        indexes = [models.Index(fields=["matter_type", "matter_id"], name="attachment_matter")]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]}"
