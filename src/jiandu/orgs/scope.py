"""Who may see which agency's matters.

Staff see their own agency's matters; a supervisory body sees the agencies it supervises (and
those below them), and a people's government's supervision staff (区政府办公室 督办) the
departments of that government (行政执法监督条例 第二条: 县级以上人民政府 supervises its
departments); nobody else. Administrators see everything for administration.

`Person.visible_agency_ids` answers with this, and `core.scope.RestrictedQuerySet` asks the person:
core sits below orgs in the app layers and does not import it.
"""

from __future__ import annotations

from .directory import agencies_below
from .models import Person, Role


def visible_agency_ids(user: Person | None) -> set[int] | None:
    """Agency ids the user may see; None means every agency (administrators)."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return None
    if not user.agency_id:
        return set()
    ids = {user.agency_id}
    if user.has_role(Role.SUPERVISOR) or user.has_role(Role.DISCIPLINE_INSPECTOR):
        ids |= agencies_below(user.agency_id)
    return ids
