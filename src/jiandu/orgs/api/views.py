"""Read-only API over agencies, units, people and certificates, always through the viewer's scope."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from jiandu.orgs.models import Agency, Certificate, Person, Unit

from .serializers import AgencySerializer, CertificateSerializer, PersonSerializer, UnitSerializer


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """A list or detail can only be built through the viewer's scope."""

    def get_queryset(self):
        return self.queryset.restrict(self.request.user)


class AgencyViewSet(ScopedViewSet):
    queryset = Agency.objects.select_related("profile")
    serializer_class = AgencySerializer


class UnitViewSet(ScopedViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer


class PersonViewSet(ScopedViewSet):
    queryset = Person.objects.select_related("agency__profile").prefetch_related("role_assignments")
    serializer_class = PersonSerializer

    @extend_schema(responses=PersonSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(PersonSerializer(request.user).data)


class CertificateViewSet(ScopedViewSet):
    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer


def register(router: BaseRouter) -> None:
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("units", UnitViewSet, basename="unit")
    router.register("people", PersonViewSet, basename="person")
    router.register("certificates", CertificateViewSet, basename="certificate")
