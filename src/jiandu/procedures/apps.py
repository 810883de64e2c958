from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "jiandu.procedures"
    verbose_name = "程序内核"
