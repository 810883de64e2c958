"""Issuing official documents, and handing out their files.

`issue_document` is the one write path: it numbers the document, renders it to DOCX and PDF,
stores both files, takes their digests and writes one ledger entry, in one transaction. A
procedure's step that issues a letter as part of its act (受理 and its 受理通知书) passes
`record_entry=False` and puts `ledger_reference(document)` into the act's own entry: one act,
one entry. If
anything fails (a storage write included) the transaction rolls back, the number is given again
next time, and the files already written are removed. Files cannot take part in a database
transaction, though: a file written by a call whose *enclosing* transaction later rolls back is
left behind, unreferenced, until `jiandu sweep_files` (jiandu.documents.files) removes it.

`read_document_file` hands out a stored file after checking it against the digest taken at issue;
each hand-out is ledgered, as a document names its addressee.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.core.numbering import next_in_sequence
from jiandu.ledger.services import record
from jiandu.orgs.models import Agency, Role

from .kinds import DocumentKind, MissingContext, get_kind
from .models import Document, document_path
from .render import describe_characters, render_docx, render_pdf, unprintable

logger = logging.getLogger(__name__)

# The two files of every document, by the media type each is served as.
DOCUMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
FORMATS = tuple(DOCUMENT_TYPES)
# A CharField's max_length, never None; the stubs type every field's as optional.
NUMBER_MAX_LENGTH: int = Document._meta.get_field("number").max_length  # type: ignore[assignment]


def _refuse_unprintable(spec: DocumentKind, context: Mapping[str, Any]) -> None:
    # The PDF must carry every character the DOCX does: text with a character that no embedded
    # face has is refused, naming the key and the characters, rather than printed without them.
    found = [
        (key, chars)
        for key in spec.required_keys
        if isinstance(context.get(key), str) and (chars := unprintable(context[key]))
    ]
    if found:
        detail = "；".join(f"{key} 中的 {describe_characters(chars)}" for key, chars in found)
        raise ServiceError(
            f"文书「{spec.title}」无法印出这些字符：{detail}。请改用可印出的写法后再制发。",
            field=found[0][0],
            code="unprintable",
        )


def render_preview(kind: str, context: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """Render a document without issuing it: (DOCX bytes, PDF bytes).

    The context must hold every key the kind needs, the frame's `agency_name`, `number` and
    `issued_on` (a date) and `citation` included; raises MissingContext naming the keys it lacks,
    and ServiceError (code "unprintable") naming a key whose text has a character no font prints.
    """
    spec = get_kind(kind)
    _refuse_unprintable(spec, context)
    text = spec.compose(context)
    return render_docx(text), render_pdf(text)


def _check_actor(actor: Any, agency: Agency) -> None:
    # A document speaks in its agency's name: only that agency's staff (or an administrator) issue it.
    if actor is None:
        return
    if not isinstance(actor, get_user_model()):
        raise NotAllowed("只有本机关工作人员可以制发文书。", field="actor")
    if actor.is_superuser or actor.has_role(Role.ADMINISTRATOR) or actor.agency_id == agency.pk:
        return
    raise NotAllowed(f"无权以{agency.name}的名义制发文书。", field="agency")


def allocate_number(agency: Agency, family: str, year: int) -> str:
    """The next free 文号 of an agency's family in a year, e.g. 某局投诉〔2025〕3号.

    Call inside the issuing transaction: the counter row stays locked until it ends, so
    concurrent issues queue here, and a rollback returns the number. Numbers already taken by
    hand (issue_document's `number`) are stepped over.
    """
    label = agency.short_name or agency.name
    while True:
        number = f"{label}{family}〔{year}〕{next_in_sequence(agency.pk, family, year)}号"
        if not Document.objects.filter(agency=agency, number=number).exists():
            return number


def _file_stem(document: Document) -> str:
    # 〔〕 and other punctuation are not kept in stored file names; hyphens keep the number legible.
    base = re.sub(r"[^\w-]+", "-", document.number).strip("-") or "document"
    stem, suffix = base, 1
    # Distinct numbers may still clean to the same name: never let one document's file replace another's.
    while Document.objects.filter(docx=document_path(document, f"{stem}.docx")).exists():
        suffix += 1
        stem = f"{base}-{suffix}"
    return stem


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def issue_document(
    *,
    kind: str,
    subject: models.Model,
    agency: Agency,
    context: Mapping[str, Any],
    citation: str,
    actor: Any = None,
    number: str | None = None,
    record_entry: bool = True,
) -> Document:
    """Issue a document of `kind` on `subject` in `agency`'s name, dated today.

    context: the kind's placeholders (see `kinds`). The service itself fills in `agency_name`,
    `number`, `citation` and `issued_on`; a context that gives one of them a different value is
    refused. number: a 文号 given by hand; by default the next of the kind's family this year.
    actor: the Person issuing (of the agency, or an administrator); None for the system.
    record_entry: False when the caller's act records the document in its own ledger entry.
    Raises MissingContext naming missing keys, NotAllowed, or ServiceError (code "unprintable"
    naming the key when its text has a character no embedded font prints; nothing is stored).
    """
    spec = get_kind(kind)
    _check_actor(actor, agency)
    subject_pk = subject.pk if isinstance(subject, models.Model) else None
    if not isinstance(subject_pk, int) or subject_pk < 0:
        raise ServiceError("文书须对应一个已保存的事项。", field="subject")
    issued_on = timezone.localdate()
    supplied: dict[str, Any] = {"agency_name": agency.name, "citation": citation, "issued_on": issued_on}
    if number is not None:
        number = number.strip()
        if not number or len(number) > NUMBER_MAX_LENGTH:
            raise ServiceError(f"文号须为 1–{NUMBER_MAX_LENGTH} 个字符。", field="number")
    for key in (*supplied, "number"):
        given = supplied.get(key, number)
        if key in context and context[key] != given:
            raise ServiceError(f"文书的 {key} 由系统填写，不能在内容中另行指定。", field=key)
    # Checked before the counter is locked: a request that cannot render takes no number.
    missing = spec.missing({**context, **supplied}, exclude=("number",))
    if missing:
        raise MissingContext(spec, missing)
    _refuse_unprintable(spec, {**context, **supplied, "number": number})
    subject_type = ContentType.objects.get_for_model(subject)

    saved: list[FieldFile] = []
    try:
        with transaction.atomic():
            if number is None:
                number = allocate_number(agency, spec.family, issued_on.year)
            elif Document.objects.filter(agency=agency, number=number).exists():
                raise ServiceError(f"文号 {number} 已被使用。", field="number", code="duplicate")
            text = spec.compose({**context, **supplied, "number": number})
            docx_bytes, pdf_bytes = render_docx(text), render_pdf(text)
            document = Document(
                agency=agency,
                subject_type=subject_type,
                subject_id=subject.pk,
                kind=spec.code,
                number=number,
                title=spec.title,
                citation=citation,
                issued_on=issued_on,
                created_by=actor,  # a Person or None, as _check_actor made sure
                docx_sha256=_sha256(docx_bytes),
                pdf_sha256=_sha256(pdf_bytes),
            )
            stem = _file_stem(document)
            for file, data, extension in (
                (document.docx, docx_bytes, "docx"),
                (document.pdf, pdf_bytes, "pdf"),
            ):
                file.save(f"{stem}.{extension}", ContentFile(data), save=False)
                saved.append(file)
            document.save(force_insert=True)
            if record_entry:
                record(
                    "documents.issue",
                    actor=actor,
                    agency=agency,
                    obj=document,
                    payload={
                        **ledger_reference(document),
                        "subject_type": subject_type.app_label + "." + subject_type.model,
                        "subject_id": subject.pk,
                    },
                )
    except BaseException:
        for file in saved:
            try:
                file.storage.delete(cast(str, file.name))  # named by file.save above
            except Exception:
                logger.exception("could not remove %s after a failed issue", file.name)
        raise
    return document


def ledger_reference(document: Document) -> dict[str, Any]:
    """What a ledger entry records of an issued document: which, its number and its files' digests."""
    return {
        "document": document.pk,
        "kind": document.kind,
        "number": document.number,
        "docx_sha256": document.docx_sha256,
        "pdf_sha256": document.pdf_sha256,
    }


def read_document_file(document: Document, fmt: str, *, actor: Any, subject_visible: bool = False) -> bytes:
    """The stored DOCX or PDF of a document, checked against its digest; ledgered.

    actor: the Person asking; the document must be in their scope (`Document.objects.restrict`,
    by the issuing agency), unless the caller has established that the actor may see the matter
    the document belongs to (`subject_visible`): a letter addressed to an agency is that agency's
    to read, though another agency issued it.

    Raises NotAllowed when the document is outside the actor's scope, and ServiceError (code
    "integrity") when the stored file is not the one issued.
    """
    if fmt not in FORMATS:
        raise ServiceError(f"没有这一文件格式：{fmt}", field="format")
    if not subject_visible and not Document.objects.restrict(actor).filter(pk=document.pk).exists():
        raise NotAllowed("无权查看该文书。")
    file = getattr(document, fmt)
    with file.storage.open(file.name, "rb") as handle:
        data = handle.read()
    if _sha256(data) != getattr(document, f"{fmt}_sha256"):
        logger.error("document %s: stored %s does not match its digest", document.pk, fmt)
        raise ServiceError(
            f"文书 {document.number} 的 {fmt.upper()} 文件与制发时的摘要不符，可能已被改动。",
            field="format",
            code="integrity",
        )
    with transaction.atomic():
        record(
            "documents.download",
            actor=actor,
            agency=document.agency,
            obj=document,
            payload={"format": fmt, "number": document.number},
        )
    return data
