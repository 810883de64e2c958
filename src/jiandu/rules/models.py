"""Jurisdiction rule profiles as the database holds them (loaded from the shipped data files)."""

from django.db import models


class RuleProfile(models.Model):
    """One jurisdiction's rules: every period, threshold, approver and escalation with its citation."""

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200)
    document = models.JSONField("配置内容")
    digest = models.CharField("内容摘要 (SHA-256)", max_length=64)
    source_file = models.CharField("数据文件", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "规则配置"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
