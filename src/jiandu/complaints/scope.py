"""Who may see deadlines on complaints (registered with `jiandu.deadlines.scope`)."""

from __future__ import annotations

from django.db.models import Q

from jiandu.orgs.models import Person

from .models import Complaint, complaint_agency_ids


def complaint_deadline_scope(user: Person) -> Q:
    """Which deadlines on complaints the user may see, as conditions on the deadline's own columns.

    Agency scope is not enough for them: within an agency only some people see its complaints.
    It applies the same `complaint_agency_ids` as `ComplaintQuerySet.restrict`, which also
    covers the body complained about, whose legal staff and leaders must meet the explanation
    deadline that runs in their agency. Written on the deadline's columns (not as a subquery per
    complaint) so that a page stays one range scan of the open-deadline index; only the officer's
    own complaints, a handful, are looked up.
    """
    agencies = complaint_agency_ids(user)
    allowed = Q() if agencies is None else Q(agency_id__in=agencies)
    about_me = Complaint.objects.filter(target_officer=user).values("pk")
    return allowed & ~Q(subject_id__in=about_me)
