"""Listing records only through a viewer's scope: which agencies' records the viewer may see.

Who may see which agency is the people's business (`orgs.scope.visible_agency_ids`, asked through
`Person.visible_agency_ids`): core sits below orgs in the app layers, so it asks the viewer rather
than importing orgs.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def viewer_agency_ids(user: Any) -> set[int] | None:
    """Agency ids the viewer may see; None means every agency (administrators).

    A person (orgs.Person) answers for himself; an anonymous visitor, or no one, sees nothing.
    """
    visible_agency_ids = getattr(user, "visible_agency_ids", None)
    if visible_agency_ids is None:
        return set()
    ids: set[int] | None = visible_agency_ids()
    return ids


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can only be listed through a viewer's scope (NetBox's RestrictedQuerySet).

    Models name the path to their agency in `scope_field` (default "agency").
    """

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        ids = viewer_agency_ids(user)
        if ids is None:
            return self
        field = getattr(self.model, "scope_field", "agency")
        return self.filter(**{f"{field}__in": ids})
