from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "jiandu.filings"
    verbose_name = "备案审查"
