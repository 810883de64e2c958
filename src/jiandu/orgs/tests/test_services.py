"""Organisations through the service layer: creation, validation, certificates, scope."""

import datetime

import pytest

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs import services
from jiandu.orgs.models import Agency, Certificate, Person, Role, Unit
from jiandu.orgs.scope import visible_agency_ids

pytestmark = pytest.mark.django_db


def test_demo_district_is_built_through_services_and_ledgered(demo):
    assert Agency.objects.filter(kind=Agency.Kind.ENFORCEMENT).count() == 3
    profiles = set(
        Agency.objects.filter(kind=Agency.Kind.ENFORCEMENT).values_list("profile__code", flat=True)
    )
    assert len(profiles) == 3, "each enforcement agency follows a different seed profile"
    actions = set(LedgerEntry.objects.values_list("action", flat=True))
    assert {
        "orgs.agency.create",
        "orgs.unit.create",
        "orgs.person.create",
        "orgs.certificate.issue",
    } <= actions
    assert LedgerEntry.objects.filter(action="orgs.person.create").count() == Person.objects.count()


def test_officer_without_valid_certificate_cannot_enforce(demo):
    today = datetime.date(2026, 11, 23)
    assert services.ensure_can_enforce(demo["handler"], today).number == "SFQ-2024-0001"
    with pytest.raises(services.EnforcementNotAllowed, match="过期"):
        services.ensure_can_enforce(demo["zhangwei"], today)
    with pytest.raises(services.EnforcementNotAllowed, match="暂扣"):
        services.ensure_can_enforce(demo["lina"], today)
    with pytest.raises(services.EnforcementNotAllowed, match="未持有行政执法证") as exc:
        services.ensure_can_enforce(demo["legal"], today)
    assert exc.value.field == "officer"


def test_certificate_status_change_needs_reason_and_is_ledgered(demo):
    cert = Certificate.objects.get(number="SFQ-2024-0002")
    with pytest.raises(ServiceError) as exc:
        services.change_certificate_status(
            actor=demo["admin"], certificate=cert, status="suspended", reason=" "
        )
    assert exc.value.field == "reason"
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID
    services.change_certificate_status(
        actor=demo["admin"], certificate=cert, status="suspended", reason="违规使用证件"
    )
    entry = LedgerEntry.objects.filter(action="orgs.certificate.status").latest("seq")
    assert entry.payload["to"] == "suspended"
    with pytest.raises(services.EnforcementNotAllowed):
        services.ensure_can_enforce(demo["handler2"])


def test_certificate_period_must_be_ordered(demo):
    with pytest.raises(ServiceError) as exc:
        services.issue_certificate(
            actor=None,
            person=demo["legal"],
            number="X-1",
            issuer="示范区人民政府",
            valid_from=datetime.date(2026, 1, 2),
            valid_to=datetime.date(2026, 1, 1),
        )
    assert exc.value.field == "valid_to"
    assert not Certificate.objects.filter(number="X-1").exists()


def test_only_administrators_manage_people(demo):
    with pytest.raises(NotAllowed):
        services.create_person(
            actor=demo["legal"], username="x", full_name="某人", password="a-long-passphrase-1"
        )
    assert not Person.objects.filter(username="x").exists()


def test_bad_input_names_the_field_and_writes_nothing(demo):
    before = LedgerEntry.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.create_person(actor=None, username="new", full_name="新人", password="123")
    assert exc.value.field == "password"
    with pytest.raises(ServiceError) as exc:
        services.create_person(actor=None, username="admin", full_name="重名", password="a-long-passphrase-1")
    assert exc.value.field == "username"
    with pytest.raises(ServiceError) as exc:
        services.create_agency(actor=None, code="bad code!", name="某局", kind=Agency.Kind.ENFORCEMENT)
    assert exc.value.field == "code"
    other_unit = Unit.objects.get(agency__code="demo-ggzy", name="法治科")
    with pytest.raises(ServiceError) as exc:
        services.create_person(
            actor=None,
            username="new2",
            full_name="新人",
            password="a-long-passphrase-1",
            agency=demo["legal"].agency,
            unit=other_unit,
        )
    assert exc.value.field == "unit"
    assert LedgerEntry.objects.count() == before


def test_scope_staff_see_own_agency_supervisor_sees_supervised(demo):
    amr = Agency.objects.get(code="demo-amr")
    enforcement = set(Agency.objects.filter(kind=Agency.Kind.ENFORCEMENT).values_list("id", flat=True))
    assert visible_agency_ids(demo["legal"]) == {amr.id}
    assert visible_agency_ids(demo["handler"]) == {amr.id}
    sfj = Agency.objects.get(code="demo-sfj")
    assert visible_agency_ids(demo["supervisor"]) == enforcement | {sfj.id}
    assert visible_agency_ids(demo["admin"]) is None
    assert list(Agency.objects.restrict(demo["legal"])) == [amr]
    assert not Person.objects.restrict(demo["legal"]).filter(agency__code="demo-ggzy").exists()


def test_roles_can_be_assigned_and_revoked(demo):
    person = demo["handler"]
    services.assign_role(actor=demo["admin"], person=person, role=Role.LEGAL_AFFAIRS)
    assert Person.objects.get(pk=person.pk).has_role(Role.LEGAL_AFFAIRS)
    services.revoke_role(actor=demo["admin"], person=person, role=Role.LEGAL_AFFAIRS)
    assert not Person.objects.get(pk=person.pk).has_role(Role.LEGAL_AFFAIRS)
    with pytest.raises(ServiceError):
        services.assign_role(actor=demo["admin"], person=person, role="king")
