"""The real URL map plus one bare view: the framework's own ceiling for the complaints bench.

`/bench/bare/<pk>/` reads one complaint row by primary key and returns it as JSON with plain
Django (no DRF, no authentication, no scope): the same middleware, WSGI server and database as the
API, and nothing else. The complainant's sealed data is not among the columns read.
"""

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import include, path

from jiandu.complaints.models import Complaint

BARE_FIELDS = ("id", "number", "agency_id", "channel", "category", "state", "received_at", "occurred_on")


def bare(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        row = Complaint.objects.values(*BARE_FIELDS).get(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404 from None
    return JsonResponse(row)


urlpatterns = [
    path("bench/bare/<int:pk>/", bare, name="bench-bare"),
    path("", include("jiandu.urls")),
]
