"""One write path per act on agencies, units, people, roles and certificates.

Each function checks the actor's right, changes the data and writes one ledger entry, all in one
transaction. `actor=None` means the system itself (the CLI, the demo loader, migrations).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.ledger.services import record

from .models import Agency, Certificate, Person, ProfileBinding, Role, RoleAssignment, Unit


def ensure_administrator(actor: Person | None) -> None:
    """Only administrators (or the system itself) manage agencies, people and certificates."""
    if actor is None or actor.is_superuser or actor.has_role(Role.ADMINISTRATOR):
        return
    raise NotAllowed("只有系统管理员可以管理机关、人员和执法证件。")


def _validated(instance: Any) -> None:
    """Run model validation and turn Django's errors into a ServiceError naming the first field."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name if field != "__all__" else ""
        raise ServiceError(f"{label}：{messages[0]}" if label else messages[0], field=field) from exc


@transaction.atomic
def create_agency(
    *,
    actor: Person | None,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Agency | None = None,
    supervisor: Agency | None = None,
    profile: Any = None,
) -> Agency:
    ensure_administrator(actor)
    agency = Agency(
        code=code,
        name=name,
        kind=kind,
        short_name=short_name,
        parent=parent,
        supervisor=supervisor,
        profile=profile,
    )
    _validated(agency)
    agency.save()
    record(
        "orgs.agency.create",
        actor=actor,
        agency=agency,
        obj=agency,
        payload={
            "code": code,
            "kind": kind,
            "parent": parent and parent.pk,
            "supervisor": supervisor and supervisor.pk,
            "profile": profile and profile.code,
        },
    )
    return agency


@transaction.atomic
def bind_profile(*, actor: Person | None, agency: Agency, profile: Any) -> Agency:
    """Bind an agency to the jurisdiction profile whose rules it follows."""
    ensure_administrator(actor)
    previous = agency.profile.code if agency.profile is not None else None
    agency.profile = profile
    agency.save(update_fields=["profile"])
    record(
        "orgs.agency.bind_profile",
        actor=actor,
        agency=agency,
        obj=agency,
        payload={"from": previous, "to": profile.code},
    )
    return agency


@transaction.atomic
def bind_further_profiles(*, actor: Person | None, agency: Agency, profiles: list[Any]) -> Agency:
    """Set the further rule profiles an agency follows beside its own, in order of precedence.

    The agency's own profile (`bind_profile`) prevails over these; national law over all.
    """
    ensure_administrator(actor)
    if agency.profile_id is not None and any(p.pk == agency.profile_id for p in profiles):
        raise ServiceError("同时适用的规则配置不能与本机关的规则配置相同。", field="profiles")
    if len({p.pk for p in profiles}) != len(profiles):
        raise ServiceError("同一规则配置只能绑定一次。", field="profiles")
    previous = [b.profile.code for b in agency.profile_bindings.select_related("profile")]
    agency.profile_bindings.all().delete()
    ProfileBinding.objects.bulk_create(
        ProfileBinding(agency=agency, profile=profile, position=position)
        for position, profile in enumerate(profiles, 1)
    )
    record(
        "orgs.agency.bind_further_profiles",
        actor=actor,
        agency=agency,
        obj=agency,
        payload={"from": previous, "to": [p.code for p in profiles]},
    )
    return agency


@transaction.atomic
def create_unit(*, actor: Person | None, agency: Agency, name: str, kind: str) -> Unit:
    ensure_administrator(actor)
    unit = Unit(agency=agency, name=name, kind=kind)
    _validated(unit)
    unit.save()
    record("orgs.unit.create", actor=actor, agency=agency, obj=unit, payload={"name": name, "kind": kind})
    return unit


@transaction.atomic
def create_person(
    *,
    actor: Person | None,
    username: str,
    full_name: str,
    password: str,
    agency: Agency | None = None,
    unit: Unit | None = None,
    roles: list[str] | tuple[str, ...] = (),
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> Person:
    """Create a person who can sign in, with their roles."""
    ensure_administrator(actor)
    if unit is not None and agency is not None and unit.agency_id != agency.pk:
        raise ServiceError("内设机构不属于所选机关。", field="unit")
    person = Person(
        username=username,
        full_name=full_name,
        agency=agency,
        unit=unit,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ServiceError("密码：" + "；".join(exc.messages), field="password") from exc
    person.set_password(password)
    _validated(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ServiceError("用户名已被使用。", field="username") from exc
    for role in roles:
        _add_role(person, role)
    record(
        "orgs.person.create",
        actor=actor,
        agency=agency,
        obj=person,
        payload={
            "username": username,
            "unit": unit and unit.pk,
            "roles": sorted(roles),
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    return person


def _add_role(person: Person, role: str) -> None:
    if role not in Role.values:
        raise ServiceError(f"未知角色：{role}", field="roles")
    RoleAssignment.objects.get_or_create(person=person, role=role)
    person.__dict__.pop("_role_codes", None)


@transaction.atomic
def assign_role(*, actor: Person | None, person: Person, role: str) -> None:
    ensure_administrator(actor)
    _add_role(person, role)
    record("orgs.person.assign_role", actor=actor, agency=person.agency, obj=person, payload={"role": role})


@transaction.atomic
def revoke_role(*, actor: Person | None, person: Person, role: str) -> None:
    ensure_administrator(actor)
    deleted, _ = RoleAssignment.objects.filter(person=person, role=role).delete()
    if not deleted:
        raise ServiceError("该人员没有此角色。", field="role")
    person.__dict__.pop("_role_codes", None)
    record("orgs.person.revoke_role", actor=actor, agency=person.agency, obj=person, payload={"role": role})


@transaction.atomic
def issue_certificate(
    *,
    actor: Person | None,
    person: Person,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    status: str = Certificate.Status.VALID,
    enforcement_area: str = "",
) -> Certificate:
    """Record an enforcement certificate (行政执法证) held by a person."""
    ensure_administrator(actor)
    cert = Certificate(
        person=person,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
        enforcement_area=enforcement_area,
    )
    if valid_to < valid_from:
        raise ServiceError("有效期至不能早于有效期自。", field="valid_to")
    _validated(cert)
    cert.save()
    record(
        "orgs.certificate.issue",
        actor=actor,
        agency=person.agency,
        obj=cert,
        payload={
            "person": person.pk,
            "number": number,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "status": status,
        },
    )
    return cert


@transaction.atomic
def change_certificate_status(
    *, actor: Person | None, certificate: Certificate, status: str, reason: str
) -> Certificate:
    """Suspend, revoke, reinstate or expire a certificate; the reason is required and ledgered."""
    ensure_administrator(actor)
    if status not in Certificate.Status.values:
        raise ServiceError(f"未知证件状态：{status}", field="status")
    if not reason.strip():
        raise ServiceError("请填写变更原因。", field="reason")
    previous = certificate.status
    certificate.status = status
    certificate.save(update_fields=["status"])
    record(
        "orgs.certificate.status",
        actor=actor,
        agency=certificate.person.agency,
        obj=certificate,
        payload={"from": previous, "to": status, "reason": reason},
    )
    return certificate


class EnforcementNotAllowed(ServiceError):
    """The person holds no certificate that is valid on the day of the act."""

    code = "certificate_invalid"


def ensure_can_enforce(person: Person, on: datetime.date | None = None) -> Certificate:
    """Return the certificate under which `person` may carry out an enforcement act on `on`.

    Enforcement acts are done by officers holding a valid certificate (行政处罚法 第四十二条:
    执法人员应当具有行政执法资格); every service that gives a person an enforcement act calls this.
    """
    on = on or timezone.localdate()
    certificates = list(person.certificates.all())
    for cert in certificates:
        if cert.is_effective(on):
            return cert
    if not certificates:
        reason = "未持有行政执法证"
    else:
        latest = max(certificates, key=lambda c: c.valid_to)
        reason = f"行政执法证 {latest.number} 状态为“{_status_label(latest.effective_status(on))}”"
    raise EnforcementNotAllowed(f"{person} {reason}，不能承担行政执法工作。", field="officer")


def _status_label(status: str) -> str:
    return Certificate.Status(status).label if status in Certificate.Status.values else "尚未生效"
