"""The real URL map plus two reference views for the complaints bench.

`/bench/bare/<pk>/` reads one complaint row by primary key and returns it as JSON with plain
Django (no DRF, no authentication, no scope): the same middleware, WSGI server and database as the
API, and nothing else — the framework's own ceiling, which the targets are ratios to. The
complainant's sealed data is not among the columns read.

`POST /bench/ledgered/` is the least any act of the platform does: the API's token
authentication, then one ledger entry in one transaction, answered 201. Intake does all of that
and its own work besides (validation, sealing, numbering, the complaint and its deadlines), so
this row shows how much of the bare view's rate any ledgered write can keep on this machine.
"""

from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jiandu.complaints.models import Complaint
from jiandu.ledger.services import record

BARE_FIELDS = ("id", "number", "agency_id", "channel", "category", "state", "received_at", "occurred_on")


def bare(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        row = Complaint.objects.values(*BARE_FIELDS).get(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404 from None
    return JsonResponse(row)


class LedgeredWrite(APIView):
    """An authenticated act that does nothing but write its ledger entry."""

    # The API's own authentication (REST_FRAMEWORK's default: the directory-cached token lookup).
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        with transaction.atomic():
            entry = record("bench.ledgered_write", actor=request.user)
        return Response({"seq": entry.seq}, status=201)


urlpatterns = [
    path("bench/bare/<int:pk>/", bare, name="bench-bare"),
    path("bench/ledgered/", LedgeredWrite.as_view(), name="bench-ledgered"),
    path("", include("jiandu.urls")),
]
