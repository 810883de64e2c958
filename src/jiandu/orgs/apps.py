from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiandu.orgs"
    verbose_name = "机关与人员"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the sign-in ledger receivers)
