"""Shared model mechanisms: agency scoping with restricted querysets; change stamps for caches."""

from django.db import models

from .scope import RestrictedQuerySet


class AgencyScopedModel(models.Model):
    """A record that belongs to one agency and is only listed through a viewer's scope."""

    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, verbose_name="机关")

    objects = RestrictedQuerySet.as_manager()
    scope_field = "agency"

    class Meta:
        abstract = True


class ChangeStamp(models.Model):
    """A topic's change stamp: a new random value whenever one of the topic's tables changes.

    Database triggers (installed per topic by `core.stamps.install_triggers` in the owning app's
    migration) set a fresh stamp on every insert, update or delete of the topic's tables, whatever
    makes the change: a service, the admin, a SQL console. Process caches of rarely changing rows
    (`orgs.directory`, `deadlines.calendar_source`) are filed under the stamp they were read at.
    Random rather than counted, so that no stamp ever names two different states of the data: a
    rolled-back transaction's stamp is never seen, and a restored database brings back its own
    stamp with its own rows.
    """

    topic = models.CharField("主题", max_length=40, primary_key=True)
    stamp = models.CharField("版本戳", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "数据版本戳"

    def __str__(self) -> str:
        return f"{self.topic}: {self.stamp}"


class RateLimitCount(models.Model):
    """Requests one client made in one fixed window of one rate-limit scope (`complaints.ratelimit`).

    Counted with one atomic upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING), so parallel
    requests on any number of servers each get their own count: a read-then-write, as the
    database cache's incr is, lets parallel requests read the same count and all pass.
    Rows of ended windows are deleted as new windows begin.
    """

    key = models.CharField("窗口", max_length=160, primary_key=True)
    count = models.PositiveIntegerField("次数")
    window_end = models.BigIntegerField("窗口结束（Unix 秒）", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "访问频率计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class Sequence(models.Model):
    """The last number given out in one numbering family of one agency in one year: matter numbers
    (投诉 TS-…, 备案 BA-…) and document numbers (文号 某局投诉〔2026〕3号) alike.

    Taken with one upsert (`core.numbering.next_in_sequence`) that keeps the row locked until the
    taking transaction ends: two takers never share a number, and a rolled-back one gives its
    number back (gapless). The agency is named by label: core imports no app above it.
    """

    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+")
    family = models.CharField("编号类别", max_length=20)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数"
        constraints = [models.UniqueConstraint(fields=["agency", "family", "year"], name="sequence_once")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.family} {self.year}: {self.last}"
