"""Running a scenario: its world built through the orgs services, its acts through `run_step`.

Each act runs at its own moment: `django.utils.timezone.now` is patched for the act, and every
service, the runner, the periods and the ledger read the clock through it (`timezone.localdate`
too); an act written `now` runs on the real clock. The world is built at the first act's moment,
so the ledger reads in time order. Rows the file names by code (an agency, a person) are given
to the steps as the rows the world made.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from jiandu.core.errors import ServiceError
from jiandu.deadlines.services import deadlines_of
from jiandu.documents.models import Document
from jiandu.orgs import services as orgs
from jiandu.orgs.models import Agency, Person, Role, Unit
from jiandu.rules.models import RuleProfile

from ..registry import lookup
from ..runner import run_step
from .spec import HOTLINE, PUBLIC, ActSpec, FileSpec, RecordRef, Scenario


@contextmanager
def clock(moment: datetime.datetime) -> Iterator[None]:
    """Run what follows as if it were `moment`: the one clock every service reads."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _clock_of(act: ActSpec) -> Any:
    return nullcontext() if act.live else clock(act.at)


@dataclass
class ActResult:
    """What one act came to: the outcome and the matter as it then stands."""

    act: int
    step: str
    ok: bool
    error: str | None
    message: str | None
    matter: str | None
    state: str | None
    state_label: str | None
    deadlines: list[dict[str, Any]]
    documents: list[str]
    facts: dict[str, Any] = field(default_factory=dict)
    unmet: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "act": self.act,
            "step": self.step,
            "ok": self.ok,
            "error": self.error,
            "message": self.message,
            "matter": self.matter,
            "state": self.state,
            "deadlines": self.deadlines,
            "documents": self.documents,
            "facts": self.facts,
            "unmet": self.unmet,
        }


@dataclass
class World:
    agencies: dict[str, Agency]
    people: dict[str, Person]


def build_world(scenario: Scenario, *, password: str | None = None) -> World:
    """The scenario's agencies, units, people and certificates, made through the orgs services.

    The rule profiles must be in the database already (`orgs.profiles.sync_profiles`): the
    scratch template holds the shipped ones, a draft is synced once before its scenarios run.
    password: everyone's (the demo's); by default each person gets a random one nobody knows.
    An administrator also gets the admin site (is_staff, is_superuser), as the demo's has.
    """
    profiles = {p.code: p for p in RuleProfile.objects.filter(code__in=scenario.profiles)}
    agencies: dict[str, Agency] = {}
    units: dict[tuple[str, str], Unit] = {}
    for spec in scenario.agencies:
        agency = orgs.create_agency(
            actor=None,
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            parent=agencies[spec.parent] if spec.parent else None,
            supervisor=agencies[spec.supervisor] if spec.supervisor else None,
            profile=profiles[spec.profile] if spec.profile else None,
        )
        if spec.also:
            orgs.bind_further_profiles(actor=None, agency=agency, profiles=[profiles[c] for c in spec.also])
        agencies[spec.code] = agency
        for name, kind in spec.units:
            units[(spec.code, name)] = orgs.create_unit(actor=None, agency=agency, name=name, kind=kind)
    people: dict[str, Person] = {}
    for person in scenario.people:
        people[person.code] = orgs.create_person(
            actor=None,
            username=person.code,
            full_name=person.name,
            # Nobody signs in to a scenario's world (but the demo's); a random password keeps it so.
            password=password or secrets.token_urlsafe(24),
            agency=agencies[person.agency],
            unit=units[(person.agency, person.unit)] if person.unit else None,
            roles=person.roles,
            is_staff=Role.ADMINISTRATOR in person.roles,
            is_superuser=Role.ADMINISTRATOR in person.roles,
        )
        for cert in person.certificates:
            orgs.issue_certificate(
                actor=None,
                person=people[person.code],
                number=cert.number,
                issuer=cert.issuer,
                valid_from=cert.valid_from,
                valid_to=cert.valid_to,
                status=cert.status,
            )
    return World(agencies, people)


def play(
    scenario: Scenario, *, keep: bool = False, password: str | None = None, acts: bool = True
) -> list[ActResult]:
    """Build the world and run every act in order, in one transaction.

    keep=False rolls everything back at the end, so several scenarios can run one after another
    in the same scratch database, each in a world of its own. password: see `build_world`.
    acts=False builds the world alone (the demo's tests make the matters they need).
    """
    with transaction.atomic():
        with _clock_of(scenario.acts[0]):
            world = build_world(scenario, password=password)
        matters: dict[int, Any] = {}
        results = [_act(act, world, matters) for act in scenario.acts] if acts else []
        if not keep:
            transaction.set_rollback(True)
    return results


def _uploads(files: list[FileSpec]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f.name, f.data) for f in files]


def _input(value: Any, world: World) -> Any:
    if isinstance(value, RecordRef):
        return (world.agencies if value.kind == "agency" else world.people)[value.code]
    if isinstance(value, list) and value and all(isinstance(v, FileSpec) for v in value):
        return _uploads(value)
    return value


def _act(act: ActSpec, world: World, matters: dict[int, Any]) -> ActResult:
    procedure, step = lookup(act.step)
    inputs = {name: _input(value, world) for name, value in act.inputs.items()}
    actor = world.people.get(act.by)
    label = act.by if act.by in (PUBLIC, HOTLINE) else None
    matter = matters.get(act.matter) if act.matter is not None else None
    error = message = None
    with _clock_of(act):
        if act.matter is not None and matter is None:
            error, message = "no_matter", f"第 {act.matter} 幕没有办成，本幕无事项可办。"
        else:
            try:
                done = run_step(
                    act.step,
                    matter,
                    actor=actor,
                    inputs=inputs,
                    agency=world.agencies[act.agency] if act.agency else None,
                    actor_label=label,
                )
                matter = done.matter
                if step.creates:
                    matters[act.number] = matter
            except ServiceError as exc:
                error, message = exc.code, exc.message
            if matter is not None:
                matter = type(matter).objects.get(pk=matter.pk)
    result = ActResult(
        act=act.number,
        step=act.step,
        ok=error is None,
        error=error,
        message=message,
        matter=matter.number if matter is not None else None,
        state=matter.state if matter is not None else None,
        state_label=matter.state_label if matter is not None else None,
        deadlines=_deadlines(matter) if matter is not None else [],
        documents=_documents(matter) if matter is not None else [],
        facts={path: _fact(matter, path) for _label, path in procedure.facts} if matter is not None else {},
    )
    result.unmet = unmet(act, result)
    return result


def _fact(matter: Any, path: str) -> Any:
    """The value at `path` on the matter, as stored (a choice by its value, a date as YYYY-MM-DD)."""
    value = matter
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) else str(value)


def _deadlines(matter: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": d.rule_key,
            "due": d.due_date.isoformat(),
            "unit": d.unit,
            "amount": d.amount,
            "provisional": d.provisional,
            "citation": d.citation,
            "state": d.state,
            # An approved extension: how much (in `extension_unit`), counted from the old due date.
            "extension": d.extension_amount,
            "extension_unit": d.extension_unit or None,
        }
        for d in deadlines_of(matter).order_by("id")
    ]


def _documents(matter: Any) -> list[str]:
    subject_type = ContentType.objects.get_for_model(matter)
    return list(
        Document.objects.filter(subject_type=subject_type, subject_id=matter.pk)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def unmet(act: ActSpec, result: ActResult) -> list[str]:
    """The act's expectations the result does not meet, each said in a line."""
    expect, out = act.expect, []
    if expect.ok != result.ok:
        if result.ok:
            out.append("期望被拒绝，实际办成")
        else:
            out.append(f"期望办成，实际被拒绝：{result.message}（{result.error}）")
    if expect.error is not None and expect.error != result.error:
        out.append(f"期望错误代码 {expect.error}，实为 {result.error}")
    if expect.message is not None and expect.message not in (result.message or ""):
        out.append(f"期望提示含“{expect.message}”，实为“{result.message}”")
    if expect.state is not None and expect.state != result.state:
        out.append(f"期望状态 {expect.state}，实为 {result.state}")
    have = "；".join(
        f"{d['key']} {d['amount']}{d['unit']} 届满 {d['due']}（{d['state']}）" for d in result.deadlines
    )
    if expect.deadlines == () and result.deadlines:
        out.append(f"期望没有期限，实有：{have}")
    for wanted in expect.deadlines or ():
        if not any(_deadline_matches(wanted, d) for d in result.deadlines):
            shown = "，".join(f"{k}={v}" for k, v in wanted.items())
            out.append(f"期望期限 {shown}，实有：{have or '无'}")
    if expect.documents == () and result.documents:
        out.append(f"期望没有文书，实有：{'、'.join(result.documents)}")
    remaining = list(result.documents)
    for kind in expect.documents or ():
        if kind in remaining:
            remaining.remove(kind)
        else:
            out.append(f"期望文书 {kind}，实有：{'、'.join(result.documents) or '无'}")
    for path, value in expect.facts:
        if result.facts.get(path) != value:
            out.append(f"期望 {path} 为 {value}，实为 {result.facts.get(path)}")
    return out


def _deadline_matches(wanted: dict[str, Any], actual: dict[str, Any]) -> bool:
    # A citation is compared by containment: `citation: 第八条` is how a reader checks it.
    return all(
        str(value) in actual["citation"] if key == "citation" else actual[key] == value
        for key, value in wanted.items()
    )
