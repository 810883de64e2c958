from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "jiandu.complaints"
    verbose_name = "行政执法投诉举报"
