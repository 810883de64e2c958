"""Admin: the issued documents, read-only, each with links to download its DOCX and PDF.

Documents are issued by the procedures' services and never edited, so the admin adds, changes
and deletes nothing. Files are not served from MEDIA_URL (a document names its addressee): the
links go to a view here that checks the viewer's scope and the file's digest, and ledgers the
download (`services.read_document_file`).
"""

from __future__ import annotations

import io

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from jiandu.core.errors import ServiceError

from .models import Document
from .services import FORMATS, read_document_file

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only list and detail of issued documents, limited to the viewer's scope."""

    list_display = ("number", "kind_title", "agency", "issued_on", "downloads")
    list_filter = ("issued_on",)
    search_fields = ("number",)
    date_hierarchy = "issued_on"
    fields = (
        "number",
        "kind_title",
        "title",
        "agency",
        "subject_type",
        "subject_id",
        "citation",
        "issued_on",
        "downloads",
        "docx_sha256",
        "pdf_sha256",
        "created_at",
        "created_by",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return Document.objects.restrict(request.user).select_related("agency", "subject_type", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        # An issued document is part of the record; a correction is a new document.
        return False

    @admin.display(description="文书种类")
    def kind_title(self, obj: Document) -> str:
        return obj.kind_title

    @admin.display(description="下载")
    def downloads(self, obj: Document) -> str:
        links = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:documents_document_download", args=[obj.pk, fmt]),
                fmt.upper(),
            )
            for fmt in FORMATS
        ]
        return format_html("{} · {}", *links)

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<int:pk>/download/<str:fmt>/",
            self.admin_site.admin_view(self.download_view),
            name="documents_document_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in FORMATS or not self.has_view_permission(request):
            raise Http404
        # Out of scope is "not found", never "forbidden".
        document = self.get_queryset(request).filter(pk=pk).first()
        if document is None:
            raise Http404
        try:
            data = read_document_file(document, fmt, actor=request.user)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))
        return FileResponse(
            io.BytesIO(data),
            as_attachment=True,
            filename=f"{document.number}.{fmt}",
            content_type=CONTENT_TYPES[fmt],
        )
