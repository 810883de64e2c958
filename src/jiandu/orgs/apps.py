from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiandu.orgs"
    verbose_name = "机关与人员"
