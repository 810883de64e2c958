from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "jiandu.rules"
    verbose_name = "规则配置"
