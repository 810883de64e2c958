from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiandu.web"
    verbose_name = "页面"
