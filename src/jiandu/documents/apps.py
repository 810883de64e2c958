"""App configuration for official documents."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Official documents (文书): kinds, rendering to DOCX and PDF, issuing."""

    name = "jiandu.documents"
    verbose_name = "文书"
