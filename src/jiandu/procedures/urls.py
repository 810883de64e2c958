"""Pages of every registered procedure: /<code>/ (list) and its Excel export, /<code>/<id>/ (a
matter), its steps."""

from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("matters/documents/<int:pk>.<str:fmt>", views.document, name="document"),
    path("matters/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("m/<slug:code>/", views.matter_list, name="list"),
    path("m/<slug:code>/export.xlsx", views.export, name="export"),
    path("m/<slug:code>/new/<slug:slug>/", views.create, name="create"),
    path("m/<slug:code>/<int:pk>/", views.detail, name="detail"),
    path("m/<slug:code>/<int:pk>/<slug:slug>/", views.step, name="step"),
]
