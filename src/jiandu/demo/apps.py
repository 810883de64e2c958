from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiandu.demo"
    verbose_name = "示范数据"
