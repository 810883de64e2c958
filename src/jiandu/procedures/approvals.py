"""Approvals hung off any matter: one person asks, someone the profile names decides.

A procedure declares two steps around an approval kind: one whose body calls `request` (the
approver, an agency and the roles there, is read from the profile at that moment and kept on the
row with its citation, so a later change to the profile does not move a pending decision), and
one or two taken by `Approver(kind)` whose bodies call `decide`. `Pending(kind)` and
`NonePending(kind)` are the guards that keep the steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Q, When

from jiandu.core.errors import ServiceError
from jiandu.orgs.models import Agency, Person, Role

from .models import Approval
from .who import NOTHING, Who

if TYPE_CHECKING:
    from .runner import StepContext


def pending(matter: Any, kind: str) -> Approval | None:
    """The matter's pending approval of `kind`, if any."""
    return Approval.of(matter).filter(kind=kind, outcome=Approval.Outcome.PENDING).first()


def latest(matter: Any, kind: str) -> Approval:
    """The matter's most recent approval of `kind` (the one a decision step just decided)."""
    found = Approval.of(matter).filter(kind=kind).order_by("-requested_at", "-id").first()
    if found is None:
        raise ServiceError("没有这一审批。", field="state", code="invalid_state")
    return found


def approver_from_profile(
    ctx: StepContext, key: str, *, within: Agency | None = None, outside: Agency | None = None
) -> tuple[Agency, tuple[str, ...]]:
    """The agency and roles that decide, from the profile's role rule `key`.

    A platform role decides in `within` (by default the matter's agency; a supervising body's own
    head decides on its supervision acts); an outside body the rule names (区司法局 …) decides
    through its supervision staff, `outside` being that body in the org model.
    """
    spec = ctx.profile.value(key)
    if spec.body:
        if outside is None:
            raise ServiceError(f"规则要求由{spec.body}批准，但本机关没有登记该机关。", field="approver")
        return outside, (Role.SUPERVISOR,)
    return within or ctx.matter.agency, tuple(spec.roles)


def request(
    ctx: StepContext,
    kind: str,
    *,
    approver: tuple[Agency, tuple[str, ...]],
    citation: str,
    reasons: str,
    details: dict[str, Any] | None = None,
) -> Approval:
    """Ask for an approval of `kind` on the step's matter."""
    if pending(ctx.matter, kind) is not None:
        raise ServiceError("已有一项同类申请等待审批。", field="state", code="invalid_state")
    agency, roles = approver
    assert ctx.actor is not None
    return Approval.objects.create(
        matter_type=ContentType.objects.get_for_model(ctx.matter),
        matter_id=ctx.matter.pk,
        kind=kind,
        agency=ctx.matter.agency,
        approver_agency=agency,
        approver_roles=list(roles),
        citation=citation,
        details=details or {},
        reasons=reasons,
        requested_by=ctx.actor,
        requested_at=ctx.now,
    )


def decide(ctx: StepContext, kind: str, *, approved: bool, reason: str = "") -> Approval:
    """Record the decision on the matter's pending approval of `kind` (the step's actor decides)."""
    found = (
        Approval.of(ctx.matter)
        .select_for_update()
        .filter(kind=kind, outcome=Approval.Outcome.PENDING)
        .first()
    )
    if found is None:
        raise ServiceError("没有等待审批的申请。", field="state", code="invalid_state")
    if ctx.actor is not None and found.requested_by_id == ctx.actor.pk:
        raise ServiceError("提请人不能批准自己的提请。", field="actor", code="permission_denied")
    found.outcome = Approval.Outcome.APPROVED if approved else Approval.Outcome.REFUSED
    found.decided_by, found.decided_at, found.decision_reason = ctx.actor, ctx.now, reason
    found.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
    return found


@dataclass(frozen=True)
class Approver(Who):
    """Whoever a pending approval of `kind` on the matter names as its approver."""

    kind: str
    label: str = "审批人"

    def allows(self, actor: Person | None, matter: Any, agency: Agency | None = None) -> bool:
        if actor is None or matter is None or not getattr(actor, "is_authenticated", False):
            return False
        # The pending approval's approver; with none pending, the last one's, so that deciding
        # again is refused as already decided (the step's Pending guard), not as someone else's.
        found = (
            Approval.of(matter)
            .filter(kind=self.kind)
            .order_by(Case(When(outcome=Approval.Outcome.PENDING, then=0), default=1), "-requested_at", "-id")
            .first()
        )
        # 经批准 means someone else's yes: whoever asked does not approve, whatever roles he holds.
        return found is not None and found.may_decide(actor) and found.requested_by_id != actor.pk

    def q(self, actor: Person | None) -> Q:
        if actor is None or not getattr(actor, "is_authenticated", False) or not actor.agency_id:
            return NOTHING
        # Roles are a JSON list on the row: the few pending approvals of the actor's agency are
        # read and matched here rather than with a JSON query each database spells differently.
        ids = [
            a.matter_id
            for a in Approval.objects.filter(
                kind=self.kind, outcome=Approval.Outcome.PENDING, approver_agency_id=actor.agency_id
            )
            if a.may_decide(actor) and a.requested_by_id != actor.pk
        ]
        return Q(pk__in=ids) if ids else NOTHING


def _pending_ids(model: Any, kind: str) -> Any:
    return Approval.objects.filter(
        matter_type=ContentType.objects.get_for_model(model), kind=kind, outcome=Approval.Outcome.PENDING
    ).values("matter_id")


@dataclass(frozen=True)
class Pending:
    """Guard test: a decision of `kind` is pending."""

    kind: str

    def __call__(self, matter: Any) -> bool:
        return pending(matter, self.kind) is not None

    def q(self, model: Any) -> Q:
        return Q(pk__in=_pending_ids(model, self.kind))


@dataclass(frozen=True)
class NonePending:
    """Guard test: no decision of `kind` is pending."""

    kind: str

    def __call__(self, matter: Any) -> bool:
        return pending(matter, self.kind) is None

    def q(self, model: Any) -> Q:
        return ~Q(pk__in=_pending_ids(model, self.kind))
