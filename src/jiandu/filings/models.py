"""备案审查: what an agency files with its supervising body, and the review of it."""

from __future__ import annotations

from django.db import models

from jiandu.procedures.models import Matter


class Filing(Matter):
    """One filing (备案): a normative document (002 第七条) or a major penalty decision (002 第八条)
    sent to the supervising body, and that body's review of it (第十一条、第十二条)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待审查"
        CORRECTING = "correcting", "限期纠正中"
        ORDERED = "ordered", "责令变更或撤销"
        REPORTED = "reported", "已报告执行情况"
        FILED = "filed", "已备案"

    class Kind(models.TextChoices):
        NORMATIVE_DOCUMENT = "normative_document", "规章、规范性文件"
        MAJOR_PENALTY = "major_penalty_decision", "重大行政处罚决定"

    class Order(models.TextChoices):
        CHANGE = "change", "变更"
        REVOKE = "revoke", "撤销"

    supervisor = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="备案审查机关"
    )
    kind = models.CharField("备案类别", max_length=30, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    document_number = models.CharField("文号", max_length=100)
    event_date = models.DateField("发布或决定日期")
    summary = models.TextField("说明", blank=True)
    late = models.BooleanField("逾期报备", default=False)
    # The current letter round (通知书 or 决定书): its correction date and, for a 决定书, the order.
    # The letter itself is an inter-agency request (procedures.AgencyRequest) with its receipt.
    correct_by = models.DateField("纠正期限", null=True, blank=True)
    order = models.CharField("决定", max_length=10, choices=Order.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "备案审查"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="filing_number_once")]
        indexes = [
            models.Index(fields=["supervisor", "state"], name="filing_supervisor_state"),
            models.Index(fields=["agency", "state"], name="filing_agency_state"),
            # The list's default order (newest first, keyset on the id).
            models.Index(fields=["-created_at", "-id"], name="filing_recent"),
        ]
