"""Complaint pages: the public form and status page, the handler's queue, a complaint's page."""

from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    # Public (no sign-in)
    path("complaint/new/", views.new_complaint, name="new"),
    path("complaint/receipt/", views.receipt, name="receipt"),
    path("complaint/status/", views.status, name="status"),
    path("complaint/status/rate/", views.rate, name="rate"),
    path("complaint/status/end/", views.end_status, name="end_status"),
    path("complaint/status/letters/<int:pk>.<str:fmt>", views.status_letter, name="status_letter"),
    # Staff
    path("complaints/", views.queue, name="queue"),
    path("complaints/register/", views.register, name="register"),
    path("complaints/explanations/", views.explanations, name="explanations"),
    path("complaints/explanations/<int:pk>/", views.explain, name="explain"),
    path("complaints/explanations/<int:pk>/receive/", views.receive_notice, name="receive_notice"),
    path("complaints/approvals/", views.approvals, name="approvals"),
    path("complaints/approvals/<int:pk>/", views.decide, name="decide"),
    path("complaints/materials/<int:pk>/", views.material, name="material"),
    path("complaints/documents/<int:pk>.<str:fmt>", views.document, name="document"),
    path("complaints/<int:pk>/", views.detail, name="detail"),
    path("complaints/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("complaints/<int:pk>/export/", views.export, name="export"),
    path("complaints/<int:pk>/act/<slug:name>/", views.act, name="act"),
]
