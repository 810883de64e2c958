"""Which open deadlines a person may see.

Agency scope (`Deadline.objects.restrict`) is the floor; an app whose matters are seen by only
some of an agency's staff registers a narrower rule for deadlines on its subjects, once, in its
AppConfig.ready(). Every list of deadlines (home page, API) is built here, so none can forget it,
and every message about a deadline (`services.tick`, recomputation) goes only to people `may_see`
it: a reminder names its matter, so it must not reach someone the matter is hidden from (the
officer a complaint is about).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .models import Deadline

_subject_scopes: dict[str, Callable[[Any], Q]] = {}


def register_subject_scope(model_label: str, scope: Callable[[Any], Q]) -> None:
    """`scope(user)` returns conditions on Deadline columns for deadlines on `model_label` subjects."""
    _subject_scopes[model_label] = scope


def deadlines_for(user: Any) -> QuerySet:
    """Deadlines (open or closed) the user may see, with every registered subject rule applied."""
    qs = Deadline.objects.restrict(user)
    for label, scope in _subject_scopes.items():
        app_label, model = label.split(".")
        subject = Q(subject_type=ContentType.objects.get_by_natural_key(app_label, model.lower()))
        qs = qs.filter(~subject | scope(user))
    return qs


def open_deadlines_for(user: Any) -> QuerySet:
    """Open deadlines the user may see."""
    return deadlines_for(user).filter(closed_at__isnull=True)


def may_see(user: Any, deadline: Deadline) -> bool:
    """Whether the user may see this deadline, and so be told about it."""
    return deadlines_for(user).filter(pk=deadline.pk).exists()
