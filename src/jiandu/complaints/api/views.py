"""REST API for complaints: lists and details through the viewer's scope, one service per action.

Every list starts from `Complaint.objects.restrict(user)` (or the restricted queryset of the
model listed), so nothing appears by omission of a filter; a complaint outside the viewer's scope
is "not found". Each action calls exactly one service of `jiandu.complaints.services`, which checks
the actor's right, changes state, opens or closes deadlines and writes the ledger in one
transaction; the views never save a model. The 12345 hotline's endpoints are in `hotline.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from jiandu.complaints.models import RESPONDENT_ROLES
from jiandu.core.errors import ServiceError
from jiandu.deadlines.models import Deadline
from jiandu.deadlines.scope import open_deadlines_for
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Person, Role
from jiandu.procedures.api.permissions import IsStaff, is_hotline
from jiandu.procedures.api.views import add_step_actions
from jiandu.procedures.models import Approval

from .. import services
from ..models import Complaint, ExplanationRequest
from ..procedure import COMPLAINTS
from . import hotline
from .filters import ComplaintFilterSerializer, DeadlineFilterSerializer
from .pagination import ComplaintPagination, DeadlinePagination, RequestedAtPagination
from .serializers import (
    ApiErrorSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintListSerializer,
    DeadlineSerializer,
    ExplanationRequestSerializer,
    ExtensionRequestSerializer,
    IdentitySerializer,
    ReceiptSerializer,
    RevealSerializer,
    TimelineEntrySerializer,
)

# Service errors about the complainant name the intake's field; the request nests them.
COMPLAINANT_FIELDS = {"name", "phone", "email", "address", "id_number", "organisation", "entrusted_by"}
# What the deadline list reads: DeadlineSerializer's fields (agency, owner and subject_type as ids).
DEADLINE_LIST_COLUMNS = (
    "id",
    "rule_key",
    "title",
    "due_date",
    "provisional",
    "citation",
    "state",
    "base_due_date",
    "agency",
    "owner",
    "subject_type",
    "subject_id",
)
LIST_DEFERRED = ("complainant_sealed", "content", "decision_reason", "legal_basis", "result_text", "measures")


def attach_open_deadlines(complaints: Iterable[Complaint]) -> None:
    """Load the open deadlines of a page of complaints in one query (`open_deadline_list`)."""
    complaints = list(complaints)
    by_complaint: dict[int, list[Deadline]] = defaultdict(list)
    if complaints:
        for deadline in Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(Complaint),
            subject_id__in=[c.pk for c in complaints],
            closed_at__isnull=True,
        ).order_by("due_date", "id"):
            by_complaint[deadline.subject_id].append(deadline)
    for complaint in complaints:
        complaint.open_deadline_list = by_complaint[complaint.pk]


def respondent_requests(user: Person) -> QuerySet:
    """Explanation requests addressed to the user's agency, for its legal-affairs staff and leaders.

    The officer complained about does not see the request about himself.
    """
    if not (user.agency_id and user.role_codes & set(RESPONDENT_ROLES)):
        return ExplanationRequest.objects.none()
    return (
        ExplanationRequest.objects.restrict(user)
        .filter(respondent_id=user.agency_id)
        .exclude(complaint__target_officer=user)
    )


def _detail_queryset(user: Person) -> QuerySet:
    return (
        Complaint.objects.restrict(user)
        .select_related("agency", "target_agency", "assigned_by", "target_officer", "handler")
        .prefetch_related(
            "materials",
            "ratings",
            Prefetch(
                "explanation_requests", queryset=ExplanationRequest.objects.select_related("respondent")
            ),
        )
    )


STATE_ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="请求有误或当前状态不允许（error.fields 指明字段）"),
    403: OpenApiResponse(ApiErrorSerializer, description="无权进行此操作"),
    404: OpenApiResponse(ApiErrorSerializer, description="不存在或不在查看范围内"),
}


@extend_schema_view(
    list=extend_schema(summary="投诉举报列表", parameters=[ComplaintFilterSerializer]),
    retrieve=extend_schema(
        summary="投诉举报详情", responses={200: ComplaintDetailSerializer, 404: STATE_ERRORS[404]}
    ),
)
class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints the viewer may see, and the procedure's steps on them."""

    serializer_class = ComplaintListSerializer
    pagination_class = ComplaintPagination
    permission_classes = [IsStaff]
    queryset = Complaint.objects.none()  # for the schema only; get_queryset always restricts

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            # Registration is open to the hotline's account too (as a hand-over); see create().
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet:
        if self.action == "retrieve":
            return _detail_queryset(self.request.user)
        queryset = Complaint.objects.restrict(self.request.user).select_related("agency", "target_agency")
        if self.action == "list":
            # What the list does not show is not read: smaller rows to sort, and the sealed
            # identity never even leaves the database for a list.
            queryset = queryset.defer(*LIST_DEFERRED)
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = ComplaintFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(filters.apply(self.get_queryset()))
        attach_open_deadlines(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        complaint = self.get_object()
        attach_open_deadlines([complaint])
        return Response(ComplaintDetailSerializer(complaint, context=self.get_serializer_context()).data)

    def _detail(self, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
        """The complaint as it stands after a step, read afresh with everything the detail shows."""
        fresh = _detail_queryset(self.request.user).get(pk=complaint.pk)
        attach_open_deadlines([fresh])
        serializer = ComplaintDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    # ------------------------------------------------------------------------------ intake

    @extend_schema(
        summary="登记投诉举报（来信、来电、来访、委托；热线账号为转办）",
        request=ComplaintCreateSerializer,
        responses={
            201: ReceiptSerializer,
            200: OpenApiResponse(ReceiptSerializer, description="同一12345工单已登记：返回原投诉，不再登记"),
            400: STATE_ERRORS[400],
            403: STATE_ERRORS[403],
        },
    )
    def create(self, request: Request) -> Response:
        serializer = ComplaintCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complainant = services.Complainant(**data.get("complainant", {}))
        intake = services.Intake(
            agency=data["agency"],
            channel=data["channel"],
            category=data["category"],
            content=data["content"],
            target_agency=data.get("target_agency"),
            target_description=data.get("target_description", ""),
            occurred_on=data.get("occurred_on"),
            anonymous=data["anonymous"],
            entrusted=data["entrusted"],
            complainant=complainant,
            hotline_ticket=data.get("hotline_ticket") or None,
        )
        user = request.user
        try:
            if is_hotline(user):
                outcome = hotline.hand_over_for(user, intake, ticket_field="hotline_ticket")
                receipt = services.Receipt(outcome.complaint, outcome.complaint.tracking_code, outcome.secret)
            else:
                if user.agency_id != intake.agency.pk and user.has_role(Role.SUPERVISOR):
                    intake.assigned_by = user.agency  # the supervisory body hands it over (交办)
                receipt = services.submit_complaint(intake, actor=user)
        except ServiceError as exc:
            if exc.field in COMPLAINANT_FIELDS:
                exc.field = f"complainant.{exc.field}"
            raise
        complaint = receipt.complaint
        body = {
            "id": complaint.pk,
            "number": complaint.number,
            "tracking_code": receipt.tracking_code,
            "secret": receipt.secret,
        }
        # No secret: the hotline ticket was registered before and this is that complaint.
        code = status.HTTP_201_CREATED if receipt.secret else status.HTTP_200_OK
        return Response(ReceiptSerializer(body).data, status=code)

    # ------------------------------------------------------------------------------ confidentiality

    @extend_schema(
        summary="查看投诉举报人信息（记入台账，不缓存）",
        request=RevealSerializer,
        responses={200: IdentitySerializer, **STATE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        data = self._valid(RevealSerializer)
        identity = services.reveal_complainant(self.get_object(), actor=request.user, reason=data["reason"])
        response = Response(IdentitySerializer(identity).data)
        add_never_cache_headers(response)  # Cache-Control: no-store (and friends): no copy on any cache
        return response

    @extend_schema(
        summary="办理过程（台账记录）",
        responses={200: TimelineEntrySerializer(many=True), 404: STATE_ERRORS[404]},
    )
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole record, one list
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        entries = LedgerEntry.objects.filter(
            object_type=Complaint._meta.label_lower, object_id=str(complaint.pk)
        ).order_by("seq")
        return Response(TimelineEntrySerializer(entries, many=True).data)

    def _valid(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# ---------------------------------------------------------------------------------- extensions


@extend_schema_view(list=extend_schema(summary="待我审批的延期申请"))
class ExtensionRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pending extension requests the viewer may decide (decided by the complaint's steps
    `approve-extension` and `refuse-extension`)."""

    serializer_class = ExtensionRequestSerializer
    pagination_class = RequestedAtPagination
    permission_classes = [IsStaff]
    queryset = Approval.objects.none()  # for the schema only

    def get_queryset(self) -> QuerySet:
        # Those on which the step awaits this user: the same policy as the step's own.
        decidable = Complaint.objects.restrict(self.request.user, "complaints.approve_extension")
        return (
            Approval.objects.filter(
                matter_type=ContentType.objects.get_for_model(Complaint),
                matter_id__in=decidable.values("pk"),
                kind=services.EXTENSION,
                outcome=Approval.Outcome.PENDING,
            )
            .annotate(complaint_number=Subquery(decidable.filter(pk=OuterRef("matter_id")).values("number")))
            .select_related("requested_by", "decided_by")
        )


# -------------------------------------------------------------------------------- explanations


@extend_schema_view(list=extend_schema(summary="本机关被要求书面说明的事项"))
class ExplanationRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """For the body complained about: what it is asked to explain, and its answer."""

    serializer_class = ExplanationRequestSerializer
    pagination_class = RequestedAtPagination
    permission_classes = [IsStaff]
    queryset = ExplanationRequest.objects.none()  # for the schema only

    def get_queryset(self) -> QuerySet:
        return respondent_requests(self.request.user).select_related("complaint", "respondent")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        attach_open_deadlines(r.complaint for r in page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# ----------------------------------------------------------------------------------- deadlines


@extend_schema_view(
    list=extend_schema(summary="我的逾期 / 即将到期期限", parameters=[DeadlineFilterSerializer])
)
class DeadlineViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open deadlines in the viewer's scope, soonest first, paged by (due_date, id) without counting."""

    serializer_class = DeadlineSerializer
    pagination_class = DeadlinePagination
    permission_classes = [IsStaff]
    queryset = Deadline.objects.none()  # for the schema only

    def get_queryset(self) -> QuerySet:
        # Only the columns DeadlineSerializer shows (and the page's keyset): a page is read and
        # built faster without the period arithmetic and reminder stamps it never shows.
        return open_deadlines_for(self.request.user).only(*DEADLINE_LIST_COLUMNS)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = DeadlineFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = timezone.localdate()
        page = self.paginate_queryset(filters.apply(self.get_queryset(), today))
        context = {**self.get_serializer_context(), "today": today}
        return self.get_paginated_response(DeadlineSerializer(page, many=True, context=context).data)


# Every step on a complaint, one action each, from its declaration (POST /api/complaints/{id}/{step}/):
# all but registering (`create` above, with the hotline's hand-over), revealing (which answers with
# the identity, `reveal` above) and rating (the complainant's status page, the hotline's return visit).
add_step_actions(
    ComplaintViewSet,
    COMPLAINTS,
    ComplaintDetailSerializer,
    [
        step
        for step in COMPLAINTS.steps
        if not step.creates and step.name not in ("complaints.reveal_complainant", "complaints.rate")
    ],
)


def register(router: BaseRouter) -> None:
    """Register the complaint endpoints on the API router."""
    router.register("complaints", ComplaintViewSet, basename="complaint")
    router.register("extension-requests", ExtensionRequestViewSet, basename="extension-request")
    router.register("explanation-requests", ExplanationRequestViewSet, basename="explanation-request")
    router.register("deadlines", DeadlineViewSet, basename="deadline")
    router.register("hotline/tickets", hotline.HotlineTicketViewSet, basename="hotline-ticket")
