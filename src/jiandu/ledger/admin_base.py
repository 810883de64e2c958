"""Admin base class: every change made in /admin/ is written to the ledger in the same transaction."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest

from .services import agency_model, record


def _agency_of(obj: models.Model) -> Any:
    agency_class = agency_model()
    if isinstance(obj, agency_class):
        return obj
    for path in ("agency", "person"):
        related = getattr(obj, path, None)
        if isinstance(related, agency_class):
            return related
        if related is not None and hasattr(related, "agency"):
            return related.agency
    return None


class LedgeredAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions each write one ledger entry, in the admin view's transaction."""

    def _action(self, obj: models.Model, verb: str) -> str:
        return f"admin.{obj._meta.app_label}.{obj._meta.model_name}.{verb}"

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = sorted(f for f in form.changed_data if f != "password")
        if "password" in form.changed_data:
            changed.append("password")  # that it changed, never the value
        record(
            self._action(obj, "change" if change else "add"),
            actor=request.user,
            agency=_agency_of(obj),
            obj=obj,
            payload={"fields": changed},
        )

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        touched = [fs.model._meta.model_name for fs in formsets if fs.has_changed()]
        if touched:
            record(
                self._action(form.instance, "change_related"),
                actor=request.user,
                agency=_agency_of(form.instance),
                obj=form.instance,
                payload={"inlines": touched},
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        record(
            self._action(obj, "delete"),
            actor=request.user,
            agency=_agency_of(obj),
            obj=obj,
            payload={"id": obj.pk},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            record(
                self._action(obj, "delete"),
                actor=request.user,
                agency=_agency_of(obj),
                obj=obj,
                payload={"id": obj.pk},
            )
        super().delete_queryset(request, queryset)
