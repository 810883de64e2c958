from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jiandu.ledger"
    verbose_name = "执法监督台账（存证）"
