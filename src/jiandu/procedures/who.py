"""Who may take a step: small rules that answer both "may this person act on this matter?" and
"on which matters may this person act?" (a Q for lists), so that a list, a page's buttons and the
service never disagree.

A rule reads the org model (the actor's agency, unit and roles) and, where a procedure says so, the
agency's rule profile (e.g. who approves an extension). Rules compose with `|`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from jiandu.orgs.scope import visible_agency_ids

if TYPE_CHECKING:
    from jiandu.orgs.models import Agency, Person

NOTHING = Q(pk__in=[])


class Who:
    """Base rule: nobody."""

    label = "无人"

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        """Whether `actor` may act on `matter` (None for a step that creates one, in `agency`)."""
        return False

    def q(self, actor: Person | None) -> Q:
        """The matters `actor` may act on, as a filter (NOTHING when none)."""
        return NOTHING

    def __or__(self, other: Who) -> Who:
        return Either((self, other))


def _is_staff(actor: Person | None) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.agency_id)


@dataclass(frozen=True)
class StaffOf(Who):
    """Staff of the agency named by the matter's field `field`, holding one of `roles`.

    `unit_rule` (optional) narrows them to those the profile names for the procedure, e.g. the
    unit that handles complaints: a callable (actor, agency) -> bool.
    """

    field: str
    roles: tuple[str, ...]
    label: str = ""
    unit_rule: Callable[[Person, Any], bool] | None = None
    exclude_field: str | None = None  # e.g. the officer complained about may not answer for the body

    def _holds_role(self, actor: Person) -> bool:
        return bool(actor.role_codes & set(self.roles))

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        if not _is_staff(actor) or not self._holds_role(actor):  # type: ignore[arg-type]
            return False
        assert actor is not None
        target_id = getattr(matter, f"{self.field}_id") if matter is not None else getattr(agency, "pk", None)
        if target_id is None or actor.agency_id != target_id:
            return False
        if (
            self.exclude_field
            and matter is not None
            and getattr(matter, f"{self.exclude_field}_id") == actor.pk
        ):
            return False
        if self.unit_rule is not None:
            body = getattr(matter, self.field) if matter is not None else agency
            return self.unit_rule(actor, body)
        return True

    def q(self, actor: Person | None) -> Q:
        if not _is_staff(actor) or not self._holds_role(actor):  # type: ignore[arg-type]
            return NOTHING
        assert actor is not None
        if self.unit_rule is not None and not self.unit_rule(actor, actor.agency):
            return NOTHING
        found = Q(**{f"{self.field}_id": actor.agency_id})
        if self.exclude_field:
            found &= ~Q(**{f"{self.exclude_field}_id": actor.pk})
        return found


@dataclass(frozen=True)
class Either(Who):
    """Anyone any of the rules allows."""

    rules: tuple[Who, ...]

    @property
    def label(self) -> str:  # type: ignore[override]
        return "或".join(rule.label for rule in self.rules if rule.label)

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        return any(rule.allows(actor, matter, agency) for rule in self.rules)

    def q(self, actor: Person | None) -> Q:
        found = NOTHING
        for rule in self.rules:
            found |= rule.q(actor)
        return found

    def __or__(self, other: Who) -> Who:
        return Either((*self.rules, other))


@dataclass(frozen=True)
class Custom(Who):
    """A rule written as two functions, for what the org model alone cannot say (e.g. approvers
    named by the profile). Keep `allows` and `q` consistent: the shared tests check they agree."""

    allows_fn: Callable[[Person | None, Any, Agency | None], bool]
    q_fn: Callable[[Person | None], Q]
    label: str = ""

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        return self.allows_fn(actor, matter, agency)

    def q(self, actor: Person | None) -> Q:
        return self.q_fn(actor)


@dataclass(frozen=True)
class Public(Who):
    """Someone of the public, never a signed-in person: the caller has already proved who they
    are by other means (a complainant's tracking code and secret, the 12345 hotline's account).
    Lists never show the public anything."""

    label: str = "公众"

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        return actor is None


def _visible(actor: Person | None) -> set[int] | None:
    # Through the person (cached on the instance) when there is one; the scope rule otherwise.
    method = getattr(actor, "visible_agency_ids", None)
    return method() if callable(method) else visible_agency_ids(actor)


@dataclass(frozen=True)
class Sees(Who):
    """Whoever's scope (`orgs.scope.visible_agency_ids`: own agency, and for supervisors the
    agencies they supervise) covers the agency in any of the matter's `fields`."""

    fields: tuple[str, ...] = ("agency",)
    label: str = "有权查看的人员"

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        ids = _visible(actor)
        if ids is None:
            return True
        return any(getattr(matter, f"{name}_id") in ids for name in self.fields)

    def q(self, actor: Person | None) -> Q:
        ids = _visible(actor)
        if ids is None:
            return Q()
        found = NOTHING
        for name in self.fields:
            found |= Q(**{f"{name}_id__in": ids})
        return found
