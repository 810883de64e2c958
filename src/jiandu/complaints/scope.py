"""Who may see deadlines on complaints (registered with `jiandu.deadlines.scope`)."""

from __future__ import annotations

from django.db.models import Q

from jiandu.core.scope import visible_agency_ids
from jiandu.orgs.models import Person, Role

from .models import Complaint

RESPONDENT_ROLES = {Role.LEGAL_AFFAIRS, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER}


def complaint_deadline_scope(user: Person) -> Q:
    """Which deadlines on complaints the user may see, as conditions on the deadline's own columns.

    Agency scope is not enough for them: within an agency only some people see its complaints.
    This follows `ComplaintQuerySet.restrict` — legal-affairs staff and leaders see their own
    agency's, supervisors and discipline inspectors those of the agencies they supervise,
    administrators all, the officer complained about never his own — and so also covers the body
    complained about, whose legal staff and leaders must meet the explanation deadline that runs
    in their agency. Written on the deadline's columns (not as a subquery per complaint) so that a
    page stays one range scan of the index deadline_agency_open_due; only the officer's own
    complaints, a handful, are looked up. The tests check it against `restrict` for every role.
    """
    ids = visible_agency_ids(user)
    if ids is None:
        allowed = Q()
    else:
        agencies: set[int] = set()
        if user.agency_id and user.role_codes & RESPONDENT_ROLES:
            agencies.add(user.agency_id)
        if user.has_role(Role.SUPERVISOR) or user.has_role(Role.DISCIPLINE_INSPECTOR):
            agencies |= ids
        allowed = Q(agency_id__in=agencies)
    about_me = Complaint.objects.filter(target_officer=user).values("pk")
    return allowed & ~Q(subject_id__in=about_me)
