"""Shared model mechanisms: agency scoping with restricted querysets."""

from django.db import models

from .scope import RestrictedQuerySet


class AgencyScopedModel(models.Model):
    """A record that belongs to one agency and is only listed through a viewer's scope."""

    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, verbose_name="机关")

    objects = RestrictedQuerySet.as_manager()
    scope_field = "agency"

    class Meta:
        abstract = True
