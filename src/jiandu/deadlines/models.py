"""Official calendar years added after release, and the statutory deadlines that run on matters."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from jiandu.core.scope import RestrictedQuerySet


class CalendarYear(models.Model):
    """One year of the official working-day calendar, added or corrected by an administrator.

    Years shipped with the code live in `jiandu/calendar/data/`; a row here adds a year past
    that horizon or replaces a shipped year (a correction). `data` has the same shape as one
    year of the shipped file: holidays, make-up working days and the notice it comes from.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    data = models.JSONField("日历数据")
    notice = models.CharField("来源通知", max_length=200)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}（{self.notice}）"


class Deadline(models.Model):
    """A statutory period running against a matter, with its rule, citation and state."""

    class State(models.TextChoices):
        RUNNING = "running", "进行中"
        EXTENDED = "extended", "已延期"
        MET = "met", "按期完成"
        MISSED = "missed", "逾期"
        CANCELLED = "cancelled", "已撤销"

    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="deadlines")
    owner = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name="责任人",
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField("事项", max_length=200)
    rule_key = models.CharField("规则", max_length=100)
    citation = models.TextField("依据")
    start_date = models.DateField("起算日")
    amount = models.PositiveIntegerField("期间")
    unit = models.CharField(
        "单位", max_length=10, choices=[("workday", "个工作日"), ("day", "日"), ("month", "个月")]
    )
    base_due_date = models.DateField("原届满日", null=True, blank=True)
    extension_amount = models.PositiveIntegerField("延长期间", null=True, blank=True)
    extension_unit = models.CharField("延长单位", max_length=10, blank=True)
    extension_citation = models.TextField("延长依据", blank=True)
    due_date = models.DateField("届满日")
    provisional = models.BooleanField("暂定日期", default=False)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.RUNNING)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    reminded_at = models.DateTimeField("已提醒", null=True, blank=True)
    escalated_at = models.DateTimeField("已督促", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "期限"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["agency", "closed_at", "due_date"], name="deadline_agency_open_due"),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
            # The overdue and due-soon lists read only open deadlines in due order.
            models.Index(
                fields=["due_date", "id"],
                name="deadline_open_due",
                condition=models.Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_date}）"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Notification(models.Model):
    """An in-app message to one person: a reminder, an escalation, a changed due date.

    Messages name the matter by its number and title, never a complainant or other personal data.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "到期提醒"
        ESCALATION = "escalation", "逾期督促"
        DUE_DATE_CHANGED = "due_date_changed", "期限变更"
        INFO = "info", "通知"

    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    message = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=200, blank=True)
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message
