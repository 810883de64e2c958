"""Files left behind by a step that rolled back are found and removed; files in use never are."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.models import Complaint, Material
from jiandu.documents.files import sweep_orphan_files
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Abandoned(Exception):
    """Raised inside a step's enclosing transaction to roll it back after the file was written."""


@pytest.fixture
def accepted(demo) -> Complaint:
    agency = Agency.objects.get(code="demo-amr")
    intake = services.Intake(
        agency=agency,
        channel=Complaint.Channel.LETTER,
        category=services.categories_for(services.profile_for(agency))[0],
        content="执法人员检查时未出示证件。",
        anonymous=True,
    )
    complaint = services.submit_complaint(intake, actor=demo["legal"]).complaint
    services.accept_complaint(complaint, actor=demo["legal"])
    return complaint


def _upload(name: str = "现场.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _stored(media) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def test_a_rolled_back_upload_is_swept_and_files_in_use_stay(media, demo, accepted):
    legal = demo["legal"]
    kept = services.add_material(accepted, actor=legal, kind=Material.Kind.EVIDENCE, upload=_upload())
    with pytest.raises(Abandoned), transaction.atomic():
        services.add_material(accepted, actor=legal, kind=Material.Kind.EVIDENCE, upload=_upload())
        raise Abandoned
    assert Material.objects.filter(file__startswith="complaints/").count() == 1
    in_use = {kept.file.name} | {
        name for d in services.documents_of(accepted) for name in (d.docx.name, d.pdf.name)
    }
    left_behind = _stored(media) - in_use
    assert len(left_behind) == 1  # the rolled-back upload

    # Within the grace period nothing is touched: the file may belong to a step still running.
    assert sweep_orphan_files().orphans == []
    later = timezone.now() + datetime.timedelta(days=2)
    dry = sweep_orphan_files(dry_run=True, now=later)
    assert dry.orphans == sorted(left_behind) and dry.removed == 0 and _stored(media) >= left_behind

    report = sweep_orphan_files(now=later)
    assert report.removed == 1 and report.examined == len(in_use) + 1
    assert _stored(media) == in_use
    entry = LedgerEntry.objects.get(action="core.files.sweep")
    assert entry.payload == {"removed": sorted(left_behind), "count": 1}
    assert "现场" not in str(entry.payload)  # stored names are random, never the uploader's
    assert sweep_orphan_files(now=later).orphans == []


def test_sweep_command_reports(media, demo, accepted, capsys):
    call_command("sweep_files", "--dry-run")
    assert "would remove 0" in capsys.readouterr().out
