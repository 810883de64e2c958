"""Requests between agencies on a matter: one agency asks, another signs for it and answers.

The period to answer runs from the respondent's receipt (签收), which is the respondent's own act:
a notice lying unread does not shorten anyone's time, and the receipt is on the record. A procedure
declares a step that sends (`send`), one taken by the respondent that receives (`receive`; the step
declares the reply period it opens) and one that answers (`answer`, closing the periods). Kinds are named
under the procedure's code (`filings.notice`), as approval kinds are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from jiandu.core.errors import ServiceError
from jiandu.orgs.models import Agency

from .models import AgencyRequest

if TYPE_CHECKING:
    from .runner import StepContext


def open_request(matter: Any, kind: str | None = None) -> AgencyRequest | None:
    """The matter's unanswered request (of `kind`, if given), the latest first."""
    found = AgencyRequest.of(matter).filter(answered_at__isnull=True, superseded_at__isnull=True)
    if kind is not None:
        found = found.filter(kind=kind)
    return found.order_by("-requested_at", "-id").first()


def send(ctx: StepContext, kind: str, *, respondent: Agency, matters: str) -> AgencyRequest:
    """Send a request of `kind` to `respondent`; refused while one is unanswered."""
    if open_request(ctx.matter) is not None:
        raise ServiceError("上一份通知尚未答复。", field="state", code="invalid_state")
    actor = ctx.actor
    sender = actor.agency if actor is not None else None
    if actor is None or sender is None:
        raise ServiceError("只有机关工作人员可以发出通知。", field="actor", code="permission_denied")
    return AgencyRequest.objects.create(
        matter_type=ContentType.objects.get_for_model(ctx.matter),
        matter_id=ctx.matter.pk,
        kind=kind,
        agency=sender,
        respondent=respondent,
        matters=matters,
        requested_by=actor,
        requested_at=ctx.now,
    )


def supersede(ctx: StepContext, *, reply_keys: tuple[str, ...]) -> AgencyRequest | None:
    """Close the open request unanswered because a later act replaces it; its periods are cancelled."""
    found = open_request(ctx.matter)
    if found is None:
        return None
    found.superseded_at = ctx.now
    found.save(update_fields=["superseded_at"])
    ctx.cancel_periods(*reply_keys)
    return found


def _locked_open(ctx: StepContext) -> AgencyRequest:
    found = open_request(ctx.matter)
    if found is None:
        raise ServiceError("没有待答复的通知。", field="state", code="invalid_state")
    return AgencyRequest.objects.select_for_update().get(pk=found.pk)


def receive(ctx: StepContext, *, delivered_on: datetime.date | None = None) -> AgencyRequest:
    """The open request is received; the step declares the reply period it opens.

    Signed for by the respondent now (签收), or, where the sender holds proof of delivery (送达回证)
    and the respondent never signed, recorded by the sender with the day of delivery.
    """
    found = _locked_open(ctx)
    if found.received_at is not None:
        raise ServiceError("该通知已经签收。", field="state", code="invalid_state")
    if delivered_on is None:
        found.received_at, found.received_by = ctx.now, ctx.actor
    else:
        sent_on = timezone.localtime(found.requested_at).date()
        if not sent_on <= delivered_on <= ctx.today:
            raise ServiceError(f"送达日期须在{sent_on}（发出）至今天之间。", field="delivered_on")
        found.received_at = timezone.make_aware(datetime.datetime.combine(delivered_on, datetime.time(12)))
    found.save(update_fields=["received_at", "received_by"])
    return found


def answer(ctx: StepContext, *, text: str, reply_keys: tuple[str, ...]) -> AgencyRequest:
    """The respondent answers the open request; its reply periods close (met or missed)."""
    found = _locked_open(ctx)
    if found.received_at is None:
        raise ServiceError("请先签收通知。", field="state", code="invalid_state")
    found.answered_at, found.answered_by, found.answer = ctx.now, ctx.actor, text
    found.save(update_fields=["answered_at", "answered_by", "answer"])
    ctx.close_periods(*reply_keys)
    return found


def _open_ids(model: Any, *, received: bool) -> Any:
    return AgencyRequest.objects.filter(
        matter_type=ContentType.objects.get_for_model(model),
        answered_at__isnull=True,
        superseded_at__isnull=True,
        received_at__isnull=not received,
    ).values("matter_id")


@dataclass(frozen=True)
class Unreceived:
    """Guard test: the open request has not been signed for."""

    def __call__(self, matter: Any) -> bool:
        found = open_request(matter)
        return found is not None and found.received_at is None

    def q(self, model: Any) -> Q:
        return Q(pk__in=_open_ids(model, received=False))


@dataclass(frozen=True)
class Received:
    """Guard test: the open request has been signed for and awaits its answer."""

    def __call__(self, matter: Any) -> bool:
        found = open_request(matter)
        return found is not None and found.received_at is not None

    def q(self, model: Any) -> Q:
        return Q(pk__in=_open_ids(model, received=True))
