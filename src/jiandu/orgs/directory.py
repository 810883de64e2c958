"""Who is who, read once per directory stamp: API tokens with their person, roles and agencies.

Every API request authenticates a token and reads the person's roles, and registration looks up
an agency with its rule profile: three ORM queries that made up about 40% of an intake's time,
over tables that change a few times a day. They are kept in process memory under the directory's
change stamp (`core.stamps`, topic "directory"), which database triggers renew on any change to
those tables, whoever makes it. Each lookup first reads the stamp (one single-row read), then
serves from memory if it is the stamp the memory was filled under, and empties the memory
otherwise: a second server reads the same stamp, so nothing here is only true in one process.

The stamp is read before the rows: rows read after it are at least as new as it, so memory never
holds rows older than the stamp it is filed under. Callers get fresh model instances on every
call (built from stored values), never a shared object they could change for the next request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from rest_framework.authtoken.models import Token

from jiandu.core import stamps
from jiandu.rules.models import RuleProfile

from .models import Agency, Person, ProfileBinding, RoleAssignment

TOPIC = "directory"
# Bounds memory if tokens are probed at random: past this many entries the memory starts afresh.
MAX_ENTRIES = 10_000

PERSON_FIELDS = [f.attname for f in Person._meta.concrete_fields]
AGENCY_FIELDS = [f.attname for f in Agency._meta.concrete_fields]
# The profile row without its document (tens of kB): rules.services.parsed_profile reads the
# document only when its parsed-profile cache misses for this (code, digest).
PROFILE_FIELDS = [f.attname for f in RuleProfile._meta.concrete_fields if f.name != "document"]


@dataclass(frozen=True)
class _Agency:
    values: tuple
    profile: tuple | None
    # The further profiles it follows (orgs.ProfileBinding), in order.
    also: tuple[tuple, ...] = ()


@dataclass(frozen=True)
class _Principal:
    token_created: Any
    person: tuple
    roles: frozenset[str]
    agency: _Agency | None
    # The agencies the person may see (`orgs.scope`; None: every agency), as of the stamp.
    visible: frozenset[int] | None


class _Memory:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: str | None = None
        self.entries: dict[tuple[str, Any], Any] = {}

    def get(self, stamp: str | None, key: tuple[str, Any]) -> Any:
        with self.lock:
            if stamp is None or stamp != self.stamp:
                self.stamp, self.entries = stamp, {}
                return None
            return self.entries.get(key)

    def put(self, stamp: str | None, key: tuple[str, Any], value: Any) -> None:
        with self.lock:
            if stamp is None or stamp != self.stamp:
                return  # the directory changed meanwhile (or caching is off): keep nothing
            if len(self.entries) >= MAX_ENTRIES:
                self.entries = {}
            self.entries[key] = value


_memory = _Memory()


def current_stamp() -> str | None:
    """The directory's stamp now; None (nothing is kept) where the stamp row is missing."""
    return stamps.current(TOPIC)


def _agency_entry(values: tuple) -> _Agency:
    agency = dict(zip(AGENCY_FIELDS, values, strict=True))
    profile = None
    if agency["profile_id"] is not None:
        profile = RuleProfile.objects.filter(pk=agency["profile_id"]).values_list(*PROFILE_FIELDS).first()
    also = tuple(
        ProfileBinding.objects.filter(agency_id=agency["id"])
        .order_by("position", "id")
        .values_list(*(f"profile__{f}" for f in PROFILE_FIELDS))
    )
    return _Agency(values, profile, also)


def _agency_instance(entry: _Agency) -> Agency:
    agency = Agency.from_db(connection.alias, AGENCY_FIELDS, entry.values)
    if entry.profile is not None:
        profile = RuleProfile.from_db(connection.alias, PROFILE_FIELDS, entry.profile)
        Agency.profile.field.set_cached_value(agency, profile)
    # Read by orgs.profiles.bound_profiles instead of a query.
    agency._also_profiles = [RuleProfile.from_db(connection.alias, PROFILE_FIELDS, row) for row in entry.also]
    return agency


def _visible(person: Person) -> frozenset[int] | None:
    # What Person.visible_agency_ids keeps on the instance, for a person whose roles and agency
    # are set: its scope depends on nothing else that is not in the directory (the row's agency
    # and superuser flag, the roles, the supervision tree), so it is kept with them.
    from .scope import visible_agency_ids  # scope reads the tree from here

    found = visible_agency_ids(person)
    return frozenset(found) if found is not None else None


def principal(key: str) -> tuple[Person, Token] | None:
    """The person holding API token `key` (roles and agency loaded) and the token; None if unknown."""
    stamp = current_stamp()
    entry = _memory.get(stamp, ("token", key))
    if entry is None:
        row = (
            Token.objects.filter(key=key)
            .values_list("created", *(f"user__{f}" for f in PERSON_FIELDS))
            .first()
        )
        if row is None:
            return None  # unknown keys are not remembered: nothing to fill memory with by guessing
        created, values = row[0], tuple(row[1:])
        person = dict(zip(PERSON_FIELDS, values, strict=True))
        roles = frozenset(
            RoleAssignment.objects.filter(person_id=person["id"]).values_list("role", flat=True)
        )
        agency = None
        if person["agency_id"] is not None:
            agency_values = Agency.objects.filter(pk=person["agency_id"]).values_list(*AGENCY_FIELDS).get()
            agency = _agency_entry(agency_values)
        found = Person.from_db(connection.alias, PERSON_FIELDS, values)
        found._role_codes = roles
        entry = _Principal(created, values, roles, agency, _visible(found))
        _memory.put(stamp, ("token", key), entry)
    person = Person.from_db(connection.alias, PERSON_FIELDS, entry.person)
    person._role_codes = entry.roles
    person._visible_agency_ids = entry.visible
    if entry.agency is not None:
        Person.agency.field.set_cached_value(person, _agency_instance(entry.agency))
    token = Token.from_db(
        connection.alias, ["key", "user_id", "created"], (key, person.pk, entry.token_created)
    )
    Token.user.field.set_cached_value(token, person)
    return person, token


@dataclass(frozen=True)
class _Viewer:
    roles: frozenset[str]
    agency: _Agency | None
    visible: frozenset[int] | None


def load_viewer(person: Person) -> Person:
    """Give a signed-in person (its row already read, e.g. by the session) its roles, its agency
    (profile row loaded) and the agencies it may see from memory under the directory's stamp,
    instead of a query for each on every page. Returns the same person.

    Filed under what of the person's row they depend on (id, agency, superuser flag), so a row
    changed since is looked up afresh; the roles and the supervision tree are read after the stamp.
    Nothing is set on a person that already holds its roles (a request that changed them keeps
    its own).
    """
    if person.pk is None or getattr(person, "_role_codes", None) is not None:
        return person
    stamp = current_stamp()
    key = ("viewer", (person.pk, person.agency_id, person.is_superuser))
    entry = _memory.get(stamp, key)
    if entry is None:
        roles = frozenset(RoleAssignment.objects.filter(person_id=person.pk).values_list("role", flat=True))
        agency = None
        if person.agency_id is not None:
            values = Agency.objects.filter(pk=person.agency_id).values_list(*AGENCY_FIELDS).first()
            agency = _agency_entry(values) if values is not None else None
        found = Person(id=person.pk, agency_id=person.agency_id, is_superuser=person.is_superuser)
        found._role_codes = roles
        entry = _Viewer(roles, agency, _visible(found))
        _memory.put(stamp, key, entry)
    person._role_codes = entry.roles
    if not hasattr(person, "_visible_agency_ids"):
        person._visible_agency_ids = entry.visible
    if entry.agency is not None and not Person.agency.is_cached(person):
        Person.agency.field.set_cached_value(person, _agency_instance(entry.agency))
    return person


def active_agency(reference: int | str) -> Agency | None:
    """The active agency with this code (or, given digits, this id), its profile row loaded."""
    stamp = current_stamp()
    entry = _memory.get(stamp, ("agency", reference))
    if entry is None:
        agencies = Agency.objects.filter(is_active=True)
        values = None
        if isinstance(reference, str):
            values = agencies.filter(code=reference).values_list(*AGENCY_FIELDS).first()
        # isdecimal and isascii: "²" is a digit to str.isdigit, and int() refuses it.
        text = str(reference)
        if values is None and text.isascii() and text.isdecimal() and int(text) < 2**63:
            values = agencies.filter(pk=int(text)).values_list(*AGENCY_FIELDS).first()
        if values is None:
            return None
        entry = _agency_entry(values)
        _memory.put(stamp, ("agency", reference), entry)
    return _agency_instance(entry)


def agencies_below(agency_id: int) -> frozenset[int]:
    """The agency and every agency below it: those it supervises, down the supervision tree, and a
    people's government's departments (`orgs.scope`). Walked once per directory stamp (one query
    per level), then read from memory: every page a supervisor opens asks for it."""
    stamp = current_stamp()
    found = _memory.get(stamp, ("below", agency_id))
    if found is None:
        ids = {agency_id}
        frontier = {agency_id}
        while frontier:
            below = set(
                Agency.objects.filter(
                    Q(supervisor_id__in=frontier)
                    | Q(parent_id__in=frontier, parent__kind=Agency.Kind.GOVERNMENT)
                ).values_list("id", flat=True)
            )
            frontier = below - ids
            ids |= below
        found = frozenset(ids)
        _memory.put(stamp, ("below", agency_id), found)
    return found
