"""The admin alone, so these tests do not depend on the other apps' pages and API."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
