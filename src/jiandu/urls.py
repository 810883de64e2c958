"""Top-level URL map: pages, API, admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("jiandu.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jiandu.complaints.urls")),
    path("", include("jiandu.procedures.urls")),
    path("", include("jiandu.web.urls")),
]
