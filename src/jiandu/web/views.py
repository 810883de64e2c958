"""Pages: the public start page, sign-in, and the staff's work home with their due-soon and
overdue deadlines."""

import datetime

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jiandu.complaints.forms import StatusLookupForm
from jiandu.complaints.views import public_agencies
from jiandu.deadlines.scope import open_deadlines_for


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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = open_deadlines_for(request.user).select_related("agency")
    overdue = list(mine.filter(due_date__lt=today)[:50])
    due_soon = list(
        mine.filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))[:50]
    )
    return render(request, "web/home.html", {"overdue": overdue, "due_soon": due_soon, "today": today})
