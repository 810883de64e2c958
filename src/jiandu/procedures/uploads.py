"""Checking uploaded files by their content, not their name.

A file is accepted only when its first bytes are those of an allowed type and its name's ending
agrees with that type; anything else (an executable renamed .pdf, HTML renamed .jpg) is refused.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from jiandu.core.errors import ServiceError

# (type, allowed endings, magic prefix)
SIGNATURES = [
    ("application/pdf", (".pdf",), b"%PDF-"),
    ("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    ("audio/mpeg", (".mp3",), b"ID3"),
    ("video/mp4", (".mp4",), None),  # checked below: "ftyp" at offset 4
]
OOXML = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _ending(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _sniff(name: str, head: bytes, data: bytes) -> str | None:
    ending = _ending(name)
    for content_type, endings, magic in SIGNATURES:
        if ending in endings:
            if magic is not None and head.startswith(magic):
                return content_type
            if magic is None and head[4:8] == b"ftyp":
                return content_type
            return None
    if ending in OOXML and head.startswith(b"PK\x03\x04"):
        content_type, folder = OOXML[ending]
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        return content_type if any(n.startswith(folder) for n in names) else None
    if ending == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain" if b"\x00" not in data else None
    return None


def check_upload(upload: UploadedFile, *, field: str = "file") -> CheckedFile:
    """Read and check one upload; raises ServiceError naming the field and the file."""
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    limit = settings.JIANDU_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ServiceError(f"文件“{name}”超过 {limit // (1024 * 1024)} MB 上限。", field=field)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(f"文件“{name}”超过 {limit // (1024 * 1024)} MB 上限。", field=field)
    if not data:
        raise ServiceError(f"文件“{name}”是空文件。", field=field)
    content_type = _sniff(name, data[:16], data)
    if content_type is None:
        raise ServiceError(
            f"文件“{name}”的内容与类型不符或类型不允许（允许 PDF、JPG、PNG、DOCX、XLSX、TXT、MP3、MP4）。",
            field=field,
        )
    return CheckedFile(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data)
