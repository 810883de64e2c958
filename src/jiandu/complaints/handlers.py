"""Who handles an agency's complaints: the unit its rules name (a leaf the models and services share)."""

from __future__ import annotations

from jiandu.core.errors import ServiceError
from jiandu.orgs.models import Agency, Person, Role, Unit
from jiandu.orgs.profiles import profile_for


def handles_complaints(person: Person, agency: Agency) -> bool:
    """Whether the person works in the unit the agency's rules give complaints to.

    The unit comes from the profile (`complaint.handling_unit`): 法规科 under 000, 人事股 under 004
    (第3条), 法治科 under 003 (第十条（一）). Where the seed leaves the unit to the agency to name
    (001 附件1 四: 指定具体工作机构), the agency's legal-affairs staff handle complaints.
    """
    if person.agency_id != agency.pk or not person.is_active:
        return False
    # Asked several times per request (the page's steps, their guards, the lists' scope), on a
    # person instance that lives for that request: answered once per instance.
    known = getattr(person, "_handles_complaints", None)
    if known is not None:
        return known
    person._handles_complaints = found = _handles(person, agency)
    return found


def _handles(person: Person, agency: Agency) -> bool:
    try:
        spec = profile_for(agency).value("complaint.handling_unit")
    except ServiceError:  # no profile, or it names no unit: nobody handles (the procedure is off)
        return False
    if spec.unit_kind in ("other", "external"):
        return person.has_role(Role.LEGAL_AFFAIRS)
    if person.unit_id is None:
        return False
    kind = getattr(person, "_unit_kind", None)  # asked several times per request: page, guards, scope
    if kind is None:
        kind = Unit.objects.filter(pk=person.unit_id).values_list("kind", flat=True).first()
        person._unit_kind = kind
    return kind == spec.unit_kind
