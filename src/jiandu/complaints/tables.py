"""Read-only queries behind the complaint pages: the queue, a complaint's timeline, open
explanation requests and pending extensions.

Lists never count their whole result (the queue pages by keyset: "next page" links carry the
last row's sort key) and fetch what a row shows in a fixed number of queries.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.dateparse import parse_datetime

from jiandu.deadlines.models import Deadline
from jiandu.orgs.models import Person
from jiandu.procedures.models import Approval
from jiandu.rules.schema import PERIOD_UNITS

from . import services
from .models import RESPONDENT_ROLES, Complaint, ExplanationRequest, Material
from .procedure import HANDLING_KEYS

QUEUE_PAGE_SIZE = 50
CURSOR_SALT = "jiandu.complaints.queue"

# The periods the complainant is told about; others (the respondent's explanation) are internal.
HANDLING_RULES = HANDLING_KEYS
PUBLIC_RULES = ("complaint.acceptance", *HANDLING_RULES)

QUEUE_FILTERS = {
    "open": ("待办", (Complaint.State.RECEIVED, Complaint.State.ACCEPTED)),
    "all": ("全部", None),
    **{state.value: (state.label, (state.value,)) for state in Complaint.State},
}


def amount_label(amount: int, unit: str) -> str:
    """An amount of time as Chinese reads it: 20日, 15个工作日."""
    return f"{amount}{PERIOD_UNITS.get(unit, unit)}"


def _complaint_type() -> ContentType:
    return ContentType.objects.get_for_model(Complaint)


def _open_deadlines(**filters: Any) -> QuerySet[Deadline]:
    return Deadline.objects.filter(subject_type=_complaint_type(), closed_at__isnull=True, **filters)


# ------------------------------------------------------------------------------------ the queue


@dataclass(frozen=True)
class QueuePage:
    rows: list[Complaint]
    next_cursor: str | None


def _queue(user: Person, states: tuple[str, ...] | None) -> QuerySet[Complaint]:
    nearest = _open_deadlines(subject_id=OuterRef("pk")).order_by("due_date", "id")
    rows = (
        Complaint.objects.restrict(user)
        .select_related("agency", "target_agency")
        .annotate(
            next_due=Subquery(nearest.values("due_date")[:1]),
            next_due_provisional=Subquery(nearest.values("provisional")[:1]),
        )
        .order_by(F("next_due").asc(nulls_last=True), "received_at", "id")
    )
    return rows.filter(state__in=states) if states else rows


def _after(cursor: dict[str, Any]) -> Q:
    received, pk = parse_datetime(cursor["r"]), int(cursor["i"])
    later = Q(received_at__gt=received) | Q(received_at=received, id__gt=pk)
    if cursor["d"] is None:  # rows without an open deadline come last
        return Q(next_due__isnull=True) & later
    due = datetime.date.fromisoformat(cursor["d"])
    return Q(next_due__gt=due) | Q(next_due__isnull=True) | (Q(next_due=due) & later)


def queue_page(user: Person, filter_key: str, cursor: str | None) -> QueuePage:
    """One page of the viewer's complaints, nearest due date first, without counting the rest."""
    rows = _queue(user, QUEUE_FILTERS[filter_key][1])
    if cursor:
        # A stale or hand-made link starts from the first page.
        with contextlib.suppress(signing.BadSignature, KeyError, TypeError, ValueError):
            rows = rows.filter(_after(signing.loads(cursor, salt=CURSOR_SALT)))
    page = list(rows[: QUEUE_PAGE_SIZE + 1])
    if len(page) <= QUEUE_PAGE_SIZE:
        return QueuePage(page, None)
    last = page[QUEUE_PAGE_SIZE - 1]
    key = {
        "d": last.next_due.isoformat() if last.next_due else None,
        "r": last.received_at.isoformat(),
        "i": last.pk,
    }
    return QueuePage(page[:QUEUE_PAGE_SIZE], signing.dumps(key, salt=CURSOR_SALT, compress=True))


# ------------------------------------------------------------------------------- one complaint


def file_label(material: Material) -> str:
    """The name a material's file is shown and downloaded under.

    The complainant's own file names may name the complainant ("张三的录音.mp3"): those files are
    shown by kind and number only; staff's files keep their names.
    """
    if material.kind == Material.Kind.ATTACHMENT:
        name = material.original_name or material.file.name
        ending = name[name.rfind(".") :].lower() if "." in name else ""
        return f"投诉附件{material.pk}{ending}"
    return material.original_name or material.file.name.rsplit("/", 1)[-1]


def public_deadlines(complaint: Complaint) -> list[Deadline]:
    """The open periods the complainant is told about (acceptance, handling), with citations."""
    return list(_open_deadlines(subject_id=complaint.pk, rule_key__in=PUBLIC_RULES).order_by("due_date"))


# ---------------------------------------------------------------------------- other lists


def may_answer_explanations(user: Person) -> bool:
    return bool(user.agency_id and user.role_codes & set(RESPONDENT_ROLES))


def open_explanation_requests(user: Person) -> list[ExplanationRequest]:
    """Requests the user's agency must answer; never those about the user himself."""
    requests = list(
        ExplanationRequest.objects.restrict(user)
        .filter(respondent_id=user.agency_id, answered_at__isnull=True)
        .exclude(complaint__target_officer=user.pk)
        .select_related("complaint")
        .order_by("requested_at", "id")
    )
    due = {
        d.subject_id: d
        for d in _open_deadlines(
            subject_id__in=[r.complaint_id for r in requests], rule_key="complaint.respondent_explanation"
        )
    }
    for request in requests:
        request.deadline = due.get(request.complaint_id)
    return requests


def pending_extensions(user: Person) -> list[Approval]:
    """Pending extension requests this user may decide, with the period they would extend."""
    if not user.agency_id:
        return []
    # The complaints on which the step awaits this user: the same policy as the step's own.
    decidable = {
        c.pk: c
        for c in Complaint.objects.restrict(user, "complaints.approve_extension").select_related(
            "agency__profile", "assigned_by"
        )
    }
    allowed = list(
        Approval.objects.filter(
            matter_type=_complaint_type(),
            matter_id__in=list(decidable),
            kind=services.EXTENSION,
            outcome=Approval.Outcome.PENDING,
        )
        .select_related("requested_by")
        .order_by("requested_at", "id")
    )
    due = {
        d.subject_id: d
        for d in _open_deadlines(subject_id__in=[r.matter_id for r in allowed], rule_key__in=HANDLING_RULES)
    }
    for request in allowed:
        request.complaint = decidable[request.matter_id]
        request.deadline = due.get(request.matter_id)
        request.limit = services.extension_limit(request.complaint) if request.deadline else None
        request.amount_text = amount_label(request.details["amount"], request.details["unit"])
    return allowed
