"""An archived complaint exports as a BagIt bag that checks out with the bagit library's rules."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiandu.complaints import archive, services
from jiandu.complaints.tests.test_services import SECRET_NAME, SECRET_PHONE, intake
from jiandu.core.errors import InvalidState, NotAllowed
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency

pytestmark = pytest.mark.django_db


def test_archived_file_exports_as_a_valid_bag(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ggzy = Agency.objects.get(code="demo-ggzy")
    # The sender's file name names the complainant: it is sealed, and stays out of the bag.
    photo = SimpleUploadedFile(f"{SECRET_NAME}拍的照片.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 32)
    complaint = services.submit_complaint(intake(ggzy, attachments=[photo])).complaint
    legal = demo["ggzy-legal"]
    services.accept_complaint(complaint, actor=legal)
    services.conclude_complaint(
        complaint, actor=legal, finding="not_substantiated", measures=[], result_text="经查不属实。"
    )
    with pytest.raises(InvalidState):
        archive.export_bag(complaint, actor=legal)
    services.archive_complaint(complaint, actor=legal)
    complaint.refresh_from_db()
    with pytest.raises(NotAllowed):
        archive.export_bag(complaint, actor=demo["legal"])  # another agency
    bag = archive.export_bag(complaint, actor=legal)
    with zipfile.ZipFile(io.BytesIO(bag)) as z:
        root = f"{complaint.number}/"
        names = set(z.namelist())
        assert {
            root + n
            for n in (
                "bagit.txt",
                "bag-info.txt",
                "manifest-sha256.txt",
                "tagmanifest-sha256.txt",
                "data/decision.json",
                "data/ledger.json",
            )
        } <= names
        for line in z.read(root + "manifest-sha256.txt").decode().splitlines():
            digest, path = line.split("  ", 1)
            assert hashlib.sha256(z.read(root + path)).hexdigest() == digest
        documents = {n.rsplit("-", 1)[-1] for n in names if "/data/documents/" in n}
        assert documents == {
            "complaint_acceptance.docx",
            "complaint_acceptance.pdf",
            "complaint_result.docx",
            "complaint_result.pdf",
        }
        everything = b"".join(z.read(n) for n in names).decode("utf-8", "replace")
    assert SECRET_NAME not in everything and SECRET_PHONE not in everything
    assert not any(SECRET_NAME in n for n in names)
    assert LedgerEntry.objects.filter(action="complaints.export", object_id=str(complaint.pk)).count() == 1
    # The letters are addressed to the complainant by name: a supervisor, who sees the file but may
    # not reveal the identity, gets the bag without them (their digests stay in the manifest).
    supervised = archive.export_bag(complaint, actor=demo["supervisor"])
    with zipfile.ZipFile(io.BytesIO(supervised)) as z:
        names = set(z.namelist())
        assert not any("/data/documents/" in n for n in names)
        decision = z.read(f"{complaint.number}/data/decision.json").decode()
        assert "文书未随案卷导出" in decision and "complaint_result" in decision
        assert not any(SECRET_NAME in n or SECRET_NAME in z.read(n).decode("utf-8", "replace") for n in names)
