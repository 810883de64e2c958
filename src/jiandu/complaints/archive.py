"""Export of a sealed complaint file as a BagIt package (RFC 8493), zipped.

The bag holds the decision record, every material and document with its SHA-256 in the
manifest, and the file's ledger entries, so an archivist can check it without the platform.
The complainant's identity stays sealed in the platform: neither the names their files had on
their machine (materials are named by number and kind) nor, for an exporter who may not reveal
the identity, the letters addressed to them by name go into the bag.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiandu.core.errors import InvalidState, NotAllowed
from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.services import record
from jiandu.orgs.models import Person

from .models import Complaint
from .services import archive_manifest, documents_of, material_file_name, may_read_letters


def _entries(complaint: Complaint) -> list[dict[str, Any]]:
    rows = LedgerEntry.objects.filter(
        object_type="complaints.complaint", object_id=str(complaint.pk)
    ).order_by("seq")
    return [
        {
            "seq": e.seq,
            "recorded_at": e.recorded_at.isoformat(),
            "actor": e.actor_label,
            "action": e.action,
            "payload_digest": e.payload_digest,
            "entry_hash": e.entry_hash,
        }
        for e in rows
    ]


@transaction.atomic
def export_bag(complaint: Complaint, *, actor: Person) -> bytes:
    """The archived file as a zipped BagIt bag; only for those who may see the complaint."""
    if not Complaint.objects.restrict(actor).filter(pk=complaint.pk).exists():
        raise NotAllowed("无权导出该案卷。")
    if complaint.state != Complaint.State.ARCHIVED:
        raise InvalidState("只有已归档的案卷可以导出。", field="state")
    manifest = archive_manifest(complaint)
    payload_files: dict[str, bytes] = {}
    decision = {
        "number": complaint.number,
        "agency": complaint.agency.name,
        "channel": complaint.get_channel_display(),
        "category": complaint.category,
        "content": complaint.content,
        "state": complaint.get_state_display(),
        "finding": complaint.get_finding_display(),
        "measures": complaint.measures,
        "result_text": complaint.result_text,
        "decision_reason": complaint.decision_reason,
        "legal_basis": complaint.legal_basis,
        "referred_to": complaint.referred_to,
        "received_at": complaint.received_at.isoformat(),
        "archived_at": complaint.archived_at and complaint.archived_at.isoformat(),
        "archive_digest": complaint.archive_digest,
        "manifest": manifest,
        "complainant": "（投诉举报人信息依法保密，未随案卷导出）",
    }
    payload_files["data/ledger.json"] = json.dumps(_entries(complaint), ensure_ascii=False, indent=2).encode()
    for material in complaint.materials.order_by("id"):
        if material.file:
            with material.file.open("rb") as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() != material.sha256:
                raise InvalidState(
                    f"材料 {material.pk} 的文件与登记的摘要不一致，案卷可能被改动。", field="materials"
                )
            payload_files[f"data/materials/{material_file_name(material)}"] = data
        else:
            payload_files[f"data/materials/{material.pk}-note.txt"] = material.note.encode()
    named = not may_read_letters(actor, complaint)
    decision["documents_withheld"] = (
        "（文书载有投诉举报人姓名，导出人无权查看投诉举报人信息，文书未随案卷导出；摘要见 manifest）"
        if named
        else ""
    )
    payload_files["data/decision.json"] = json.dumps(decision, ensure_ascii=False, indent=2).encode()
    for document in [] if named else documents_of(complaint):
        for fmt in ("docx", "pdf"):
            stored = getattr(document, fmt)
            with stored.storage.open(stored.name, "rb") as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() != getattr(document, f"{fmt}_sha256"):
                raise InvalidState(
                    f"文书 {document.number} 的文件与制发时的摘要不一致，案卷可能被改动。", field="documents"
                )
            payload_files[f"data/documents/{document.pk}-{document.kind}.{fmt}"] = data
    oxum = f"{sum(len(b) for b in payload_files.values())}.{len(payload_files)}"
    tags = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": (
            f"Source-Organization: {complaint.agency.name}\nExternal-Identifier: {complaint.number}\n"
            f"Bagging-Date: {timezone.localdate().isoformat()}\nPayload-Oxum: {oxum}\n"
            f"External-Description: 行政执法投诉举报案卷（已归档）\n"
        ).encode(),
        "manifest-sha256.txt": "".join(
            f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(payload_files.items())
        ).encode(),
    }
    tags["tagmanifest-sha256.txt"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(tags.items())
    ).encode()
    buffer = io.BytesIO()
    root = f"{complaint.number}/"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in {**tags, **payload_files}.items():
            archive.writestr(root + path, data)
    bag = buffer.getvalue()
    record(
        "complaints.export",
        actor=actor,
        agency=complaint.agency,
        obj=complaint,
        payload={"sha256": hashlib.sha256(bag).hexdigest(), "files": len(payload_files)},
    )
    return bag
