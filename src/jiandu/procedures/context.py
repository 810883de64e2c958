"""Template context: the registered procedures, for the staff navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .registry import procedures


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Each procedure the kernel draws pages for, with its list's address (staff only)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    try:
        links = [
            (p.label, reverse("procedures:list", kwargs={"code": p.code}))
            for p in procedures()
            if not p.own_pages  # linked by the base template itself
        ]
    except NoReverseMatch:  # a URL map without the procedures' pages (the admin site alone)
        return {}
    return {"procedure_links": links}
