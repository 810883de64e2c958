"""Issued official documents (numbered by `core.numbering`)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from jiandu.core.errors import ServiceError
from jiandu.core.scope import RestrictedQuerySet

from .kinds import get_kind


def document_path(document: Document, filename: str) -> str:
    """documents/<agency code>/<year of issue>/<file name>, in the default storage."""
    return f"documents/{document.agency.code}/{document.issued_on.year}/{filename}"


class Document(models.Model):
    """An official document (文书) as issued: its number, both files and their digests.

    A document is what an agency sent out, so it is never edited: a correction is a new document
    with its own number. The digests are taken from the bytes as rendered and written to the
    ledger with the number, so a stored file can be checked against what was issued.
    The subject is the matter the document belongs to (a complaint, a review …), in any app.
    """

    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="documents", verbose_name="制发机关"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="事项类型")
    subject_id = models.PositiveBigIntegerField("事项编号")
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField("文书种类", max_length=50)
    number = models.CharField("文号", max_length=100)
    title = models.CharField("标题", max_length=200)
    docx = models.FileField("DOCX 文件", upload_to=document_path, max_length=255)
    pdf = models.FileField("PDF 文件", upload_to=document_path, max_length=255)
    docx_sha256 = models.CharField("DOCX SHA-256", max_length=64)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    citation = models.TextField("依据")
    issued_on = models.DateField("成文日期")
    created_at = models.DateTimeField("制作时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="制作人",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "文书"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="document_number_unique_per_agency")
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="document_subject"),
            models.Index(fields=["agency", "issued_on"], name="document_agency_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def kind_title(self) -> str:
        """The kind's Chinese title; the bare code if the kind is no longer registered."""
        try:
            return get_kind(self.kind).title
        except ServiceError:
            return self.kind
