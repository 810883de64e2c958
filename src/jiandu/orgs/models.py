"""Agencies, their units, people, roles and enforcement certificates."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from jiandu.core.scope import RestrictedQuerySet


class Agency(models.Model):
    """A body in the hierarchy: a people's government, a supervisory body or an enforcement agency."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府"
        SUPERVISORY = "supervisory", "行政执法监督机关（司法局）"
        ENFORCEMENT = "enforcement", "行政执法机关"

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200, unique=True)
    short_name = models.CharField("简称", max_length=60, blank=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="所属政府/上级机关",
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised",
        verbose_name="监督机关",
    )
    profile = models.ForeignKey(
        "rules.RuleProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name="适用规则配置",
    )
    is_active = models.BooleanField("在用", default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "id"

    class Meta:
        verbose_name = verbose_name_plural = "机关"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProfileBinding(models.Model):
    """A further rule profile an agency follows beside its own (`Agency.profile`).

    荆州市公共资源交易监督管理局 follows its own rules (000) and the 行政执法监督制度 it issued with
    the 政务数据局 (002). The agency's own profile prevails over these, in `position` order; national
    law prevails over all (`jiandu.rules.loader.compose`).
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="profile_bindings", verbose_name="机关"
    )
    profile = models.ForeignKey(
        "rules.RuleProfile", on_delete=models.PROTECT, related_name="+", verbose_name="同时适用的规则配置"
    )
    position = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "同时适用的规则配置"
        ordering = ["agency", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "profile"], name="profile_bound_once_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency}：{self.profile}"


class Unit(models.Model):
    """A section inside an agency (法规科, 法治科, 人事股, 执法支队 …)."""

    class Kind(models.TextChoices):
        LEGAL_AFFAIRS = "legal_affairs", "法制机构（法规科/法治科）"
        PERSONNEL = "personnel", "人事机构"
        ENFORCEMENT = "enforcement", "执法机构"
        OFFICE = "office", "办公室"
        DISCIPLINE = "discipline", "纪检监察机构"
        OTHER = "other", "其他"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units", verbose_name="机关")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "内设机构"
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency.short_name or self.agency.name}·{self.name}"


class Role(models.TextChoices):
    """What a person may do; a person may hold several."""

    CASE_HANDLER = "case_handler", "办案人员"
    LEGAL_AFFAIRS = "legal_affairs", "法制工作人员"
    PRINCIPAL_LEADER = "principal_leader", "主要领导"
    DEPUTY_LEADER = "deputy_leader", "分管领导"
    SUPERVISOR = "supervisor", "执法监督人员"
    DISCIPLINE_INSPECTOR = "discipline_inspector", "纪检监察人员"
    ADMINISTRATOR = "administrator", "系统管理员"
    HOTLINE = "hotline", "12345热线接口"


class PersonManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class Person(AbstractUser):
    """A person who signs in: staff of an agency, or an administrator."""

    full_name = models.CharField("姓名", max_length=60)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name="机关"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name="内设机构"
    )

    objects = PersonManager()

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        # Cached on the instance: scope checks ask several times per request.
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(a.role for a in self.role_assignments.all())
            self._role_codes = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    def role_labels(self) -> list[str]:
        return [Role(code).label for code in sorted(self.role_codes)]

    def visible_agency_ids(self) -> set[int] | None:
        """Agency ids this person may see; None means every agency (`orgs.scope`).

        Asked by `core.scope.RestrictedQuerySet`, which sits below orgs and so cannot import it.
        """
        from .scope import visible_agency_ids

        # Cached on the instance like role_codes: a page or a step asks several times, and the
        # supervision tree costs a query per level. A person object lives for one request (or one
        # act of a scenario), shorter than any change to the tree it would have to notice.
        if not hasattr(self, "_visible_agency_ids"):
            found = visible_agency_ids(self)
            self._visible_agency_ids = frozenset(found) if found is not None else None
        cached = self._visible_agency_ids
        return set(cached) if cached is not None else None


class RoleAssignment(models.Model):
    """One role held by one person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="role_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person}：{self.get_role_display()}"


class Certificate(models.Model):
    """An enforcement certificate (行政执法证)."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        REVOKED = "revoked", "吊销/注销"
        EXPIRED = "expired", "过期"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="certificates", verbose_name="持证人"
    )
    number = models.CharField("证件编号", max_length=40, unique=True)
    issuer = models.CharField("发证机关", max_length=100)
    valid_from = models.DateField("有效期自")
    valid_to = models.DateField("有效期至")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.VALID)
    enforcement_area = models.CharField("执法区域/类别", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "person__agency"

    class Meta:
        verbose_name = verbose_name_plural = "行政执法证"
        ordering = ["person", "-valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="cert_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def effective_status(self, on: datetime.date | None = None) -> str:
        """The status on a day: a valid certificate past its end date counts as expired."""
        on = on or timezone.localdate()
        if self.status == self.Status.VALID and not (self.valid_from <= on <= self.valid_to):
            return self.Status.EXPIRED if on > self.valid_to else "not_yet_valid"
        return self.status

    def is_effective(self, on: datetime.date | None = None) -> bool:
        return self.effective_status(on) == self.Status.VALID
