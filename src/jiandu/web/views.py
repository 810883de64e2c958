"""Pages: the public start page, sign-in, and the staff's work home: the matters of every kernel
procedure that await a step the viewer may take (with their due-soon and overdue counts), and the
viewer's due-soon and overdue deadlines."""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jiandu.complaints.forms import StatusLookupForm
from jiandu.complaints.views import public_agencies
from jiandu.deadlines.models import Deadline
from jiandu.deadlines.scope import open_deadlines_for
from jiandu.procedures.lists import DUE_SOON, due_soon_until
from jiandu.procedures.registry import Procedure, procedures


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


DUE_SOON_DAYS = 7  # period-literal-ok: a display window on the home page, not a statutory period


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Where the public starts: complain, follow a complaint, other ways in; staff see their work."""
    if request.user.is_authenticated:
        return home(request)
    return render(
        request,
        "web/start.html",
        {"agencies": public_agencies(), "lookup": StatusLookupForm(auto_id="start_%s")},
    )


@dataclass(frozen=True)
class Awaiting:
    """Matters of one procedure in one state that await a step the viewer may take."""

    state: str
    label: str
    count: int
    due_soon: int  # of them, with an open period ending within the due-soon window
    overdue: int  # of them, with an open period past its due date


@dataclass(frozen=True)
class Work:
    procedure: Procedure
    rows: list[Awaiting]

    @property
    def count(self) -> int:
        return sum(row.count for row in self.rows)


def pending_work(user: Any, today: datetime.date) -> list[Work]:
    """Per kernel procedure, the matters awaiting a step `user` may take, counted by state.

    "Awaiting" is the union of `restrict(user, step)` over the procedure's steps on existing
    matters: the same actor and state rules the runner and the lists apply. One aggregate query per
    procedure counts them by state, with those due soon and those overdue beside each count.
    """
    until = due_soon_until(today)
    work = []
    for procedure in procedures():
        acting = [step for step in procedure.steps if not step.creates]
        if not acting:
            continue
        awaiting = reduce(operator.or_, (procedure.model.objects.restrict(user, s.name) for s in acting))
        periods = Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(procedure.model),
            subject_id=OuterRef("pk"),
            closed_at__isnull=True,
        )
        found = {
            row["state"]: row
            for row in awaiting.order_by()
            .values("state")
            .annotate(
                n=Count("pk"),
                soon=Count("pk", filter=Q(Exists(periods.filter(due_date__gte=today, due_date__lte=until)))),
                late=Count("pk", filter=Q(Exists(periods.filter(due_date__lt=today)))),
            )
        }
        rows = [
            Awaiting(value, label, found[value]["n"], found[value]["soon"], found[value]["late"])
            for value, label in procedure.states.choices
            if value in found
        ]
        if rows:
            work.append(Work(procedure, rows))
    return work


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = open_deadlines_for(request.user).select_related("agency")
    overdue = list(mine.filter(due_date__lt=today)[:50])
    due_soon = list(
        mine.filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))[:50]
    )
    return render(
        request,
        "web/home.html",
        {
            "overdue": overdue,
            "due_soon": due_soon,
            "today": today,
            "work": pending_work(request.user, today),
            "due_soon_param": DUE_SOON,
        },
    )
