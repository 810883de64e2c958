from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "jiandu.deadlines"
    verbose_name = "期限与工作日历"
