"""The 12345 hotline's endpoints: hand a ticket over, read its status and result, report the rating.

Only a hotline service account (Role.HOTLINE, token from `jiandu hotline_account`) may call them,
and it reaches only hotline complaints of the agencies its account covers
(`hotline.hotline_agency_ids`): its own agency and those below it. A ticket is found by its
ticket number; anything else is "not found". No response carries the caller's identity.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jiandu.core.errors import ServiceError
from jiandu.deadlines.services import open_deadlines_of
from jiandu.orgs.models import Agency, Person
from jiandu.procedures.api.permissions import IsHotline

from .. import services
from ..hotline import HandOver, hand_over, hotline_agency_ids
from ..models import Complaint, Rating
from .serializers import (
    ApiErrorSerializer,
    HotlineRatingResultSerializer,
    HotlineRatingSerializer,
    HotlineReceiptSerializer,
    HotlineStatusSerializer,
    HotlineTicketSerializer,
)

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="请求有误（error.fields 指明字段）"),
    403: OpenApiResponse(ApiErrorSerializer, description="不是12345热线接口账号"),
}


def hand_over_for(account: Person, intake: services.Intake, *, ticket_field: str) -> HandOver:
    """Hand a ticket over on behalf of a hotline account, within the agencies it covers.

    `ticket_field` is the request's name for the ticket number, for the error's `fields`.
    """
    area = hotline_agency_ids(account)
    if intake.agency.pk not in area:
        raise ServiceError("该机关不在本热线账号的转办范围内。", field="agency")
    existing = Complaint.objects.filter(hotline_ticket=(intake.hotline_ticket or "").strip()).first()
    if existing is not None and existing.agency_id not in area:
        raise ServiceError("该工单编号已由其他地区登记。", field=ticket_field)
    try:
        return hand_over(intake)
    except ServiceError as exc:
        if exc.field == "ticket_no":
            exc.field = ticket_field
        raise


class HotlineTicketViewSet(viewsets.GenericViewSet):
    """12345 tickets handed over: `POST` one, `GET {ticket_no}` its status, `POST {ticket_no}/rating/`."""

    permission_classes = [IsHotline]
    serializer_class = HotlineStatusSerializer
    pagination_class = None
    lookup_field = "hotline_ticket"
    lookup_url_kwarg = "ticket_no"
    lookup_value_regex = "[^/]+"
    queryset = Complaint.objects.none()  # for the schema only

    def get_queryset(self) -> QuerySet:
        return Complaint.objects.filter(
            channel=Complaint.Channel.HOTLINE,
            hotline_ticket__isnull=False,
            agency_id__in=hotline_agency_ids(self.request.user),
        ).select_related("agency")

    @extend_schema(
        summary="12345工单转办（同一工单重复提交不重复登记）",
        request=HotlineTicketSerializer,
        responses={
            201: HotlineReceiptSerializer,
            200: OpenApiResponse(HotlineReceiptSerializer, description="该工单已转办过：返回原投诉编号"),
            **ERRORS,
        },
    )
    def create(self, request: Request) -> Response:
        serializer = HotlineTicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agency = Agency.objects.filter(code=data["agency"].strip(), is_active=True).first()
        if agency is None:
            raise ServiceError("本平台没有该代码的机关。", field="agency")
        intake = services.Intake(
            agency=agency,
            channel=Complaint.Channel.HOTLINE,
            category=data["category"],
            content=data["content"],
            target_description=data["target_description"],
            occurred_on=data["occurred_on"],
            anonymous=data["anonymous"],
            complainant=services.Complainant(name=data["caller_name"], phone=data["caller_phone"]),
            hotline_ticket=data["ticket_no"],
        )
        try:
            outcome = hand_over_for(request.user, intake, ticket_field="ticket_no")
        except ServiceError as exc:
            # The intake names the caller "name"/"phone"; this request calls them caller_name/_phone.
            exc.field = {"name": "caller_name", "phone": "caller_phone"}.get(exc.field, exc.field)
            raise
        body = {
            "ticket_no": outcome.complaint.hotline_ticket,
            "number": outcome.complaint.number,
            "tracking_code": outcome.complaint.tracking_code,
            "secret": outcome.secret,
            "created": outcome.created,
        }
        code = status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        return Response(HotlineReceiptSerializer(body).data, status=code)

    @extend_schema(
        summary="工单办理状态和结果（用于回复、回访）",
        responses={
            200: HotlineStatusSerializer,
            404: OpenApiResponse(ApiErrorSerializer, description="没有该工单"),
        },
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._status(self.get_object()))

    @extend_schema(
        summary="回访满意度（不满意、不合格达到规定次数的进入督办）",
        request=HotlineRatingSerializer,
        responses={
            201: HotlineRatingResultSerializer,
            200: OpenApiResponse(
                HotlineRatingResultSerializer, description="同一回访已报送：返回原评价，不再计数"
            ),
            **ERRORS,
            404: OpenApiResponse(ApiErrorSerializer, description="没有该工单"),
        },
    )
    @action(detail=True, methods=["post"])
    def rating(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = HotlineRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rated = services.rate_complaint(
            self.get_object(), value=data["value"], source=Rating.Source.HOTLINE, visit_id=data["visit_id"]
        )
        rating = rated.rating
        body = {
            "ticket_no": rating.complaint.hotline_ticket,
            "visit_id": rating.visit_id,
            "value": rating.value,
            "value_label": rating.get_value_display(),
            "answer_round": rating.answer_round,
            "supervised": rating.complaint.supervised,  # the service's fresh copy, after this rating
        }
        code = status.HTTP_201_CREATED if rated.created else status.HTTP_200_OK
        return Response(HotlineRatingResultSerializer(body).data, status=code)

    def _status(self, complaint: Complaint) -> dict[str, Any]:
        complaint.open_deadline_list = list(open_deadlines_of(complaint).order_by("due_date", "id"))
        return HotlineStatusSerializer(complaint).data
