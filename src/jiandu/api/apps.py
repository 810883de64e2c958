from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiandu.api"
    verbose_name = "API"
