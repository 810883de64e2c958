from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "jiandu.filings"
    verbose_name = "备案审查"

    def ready(self) -> None:
        from . import letters, procedure  # noqa: F401 (register the letters and the procedure)
