"""Complaint pages: the public form and status page, the handler's queue, a complaint's page."""

app_name = "complaints"
urlpatterns: list = []
