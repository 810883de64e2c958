"""REST API: one router for every app's endpoints, plus the OpenAPI schema and its docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from jiandu.api.errors import not_found
from jiandu.complaints.api import views as complaints_views
from jiandu.orgs.api import views as orgs_views
from jiandu.procedures.api import views as procedures_views
from jiandu.procedures.registry import procedures

router = DefaultRouter()
orgs_views.register(router)
complaints_views.register(router)
procedures_views.register(router, procedures())

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # Content-Security-Policy can keep script-src 'self' (jiandu.core.csp).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
    # Last: a path no endpoint matches (e.g. /api/complaints/1.5/) is answered in the API's
    # error format, not with the site's HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]
