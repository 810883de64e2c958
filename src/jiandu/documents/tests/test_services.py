"""Issuing documents: numbered, rendered, stored, digested and ledgered in one transaction."""

import datetime
import hashlib
import threading

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.core.models import Sequence
from jiandu.documents import services
from jiandu.documents.kinds import MissingContext
from jiandu.documents.models import Document
from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.verify import verify_ledger
from jiandu.orgs.models import Agency, Person, Role, RoleAssignment

from .conftest import CITATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    """Fix the day of issue; returns a setter to move it."""

    def set_day(day: datetime.date) -> None:
        monkeypatch.setattr(services.timezone, "localdate", lambda: day)

    set_day(datetime.date(2025, 3, 5))
    return set_day


def _issue(agency, context, kind="complaint_acceptance", **kwargs):
    return services.issue_document(
        kind=kind, subject=agency, agency=agency, context=context, citation=CITATION, **kwargs
    )


def _sha256(file) -> str:
    with default_storage.open(file.name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_issue_stores_both_files_with_matching_digests(media, agency, officer, context, today):
    document = _issue(agency, context, actor=officer)
    assert document.number == "测试市监投诉〔2025〕1号"
    assert document.docx.name == "documents/test-amr/2025/测试市监投诉-2025-1号.docx"
    assert document.pdf.name == "documents/test-amr/2025/测试市监投诉-2025-1号.pdf"
    assert (media / document.docx.name).is_file() and (media / document.pdf.name).is_file()
    assert _sha256(document.docx) == document.docx_sha256
    assert _sha256(document.pdf) == document.pdf_sha256
    with default_storage.open(document.pdf.name, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    stored = Document.objects.get(pk=document.pk)
    assert stored.subject == agency
    assert (stored.kind, stored.title, stored.citation) == (
        "complaint_acceptance",
        "投诉举报受理通知书",
        CITATION,
    )
    assert stored.issued_on == datetime.date(2025, 3, 5)
    assert stored.created_by == officer
    assert str(stored) == "测试市监投诉〔2025〕1号 投诉举报受理通知书"


def test_one_ledger_entry_per_document_without_personal_data(media, agency, officer, context, today):
    context["addressee"] = "李某某"
    first = _issue(agency, context, actor=officer)
    second = _issue(agency, context, kind="complaint_result", actor=officer)
    entries = list(LedgerEntry.objects.filter(action="documents.issue").order_by("seq"))
    assert len(entries) == 2
    assert [entry.object_id for entry in entries] == [str(first.pk), str(second.pk)]
    entry = entries[0]
    assert entry.agency_id == agency.pk and entry.actor_id == officer.pk
    assert entry.object_type == "documents.document"
    assert entry.payload == {
        "document": first.pk,
        "kind": "complaint_acceptance",
        "number": first.number,
        "docx_sha256": first.docx_sha256,
        "pdf_sha256": first.pdf_sha256,
        "subject_type": "orgs.agency",
        "subject_id": agency.pk,
    }
    assert "李某某" not in str([e.payload for e in entries])
    assert verify_ledger().ok


def test_numbers_run_per_agency_family_and_year(media, agency, other_agency, context, today):
    numbers = [
        _issue(agency, context, kind=kind).number for kind in ("complaint_acceptance", "complaint_result")
    ]
    assert numbers == ["测试市监投诉〔2025〕1号", "测试市监投诉〔2025〕2号"]
    # No short name: the full name heads the number; another agency counts on its own.
    assert _issue(other_agency, context).number == "测试市生态环境局投诉〔2025〕1号"
    today(datetime.date(2026, 1, 5))
    document = _issue(agency, context)
    assert document.number == "测试市监投诉〔2026〕1号"
    assert document.docx.name.startswith("documents/test-amr/2026/")
    assert Sequence.objects.get(agency=agency, year=2025).last == 2


def test_a_number_given_by_hand_is_used_and_stepped_over(media, agency, context, today):
    document = _issue(agency, context, number="测试市监投诉〔2025〕2号")
    assert document.number == "测试市监投诉〔2025〕2号"
    assert _issue(agency, context).number == "测试市监投诉〔2025〕1号"
    assert _issue(agency, context).number == "测试市监投诉〔2025〕3号"
    with pytest.raises(ServiceError) as exc:
        _issue(agency, context, number="测试市监投诉〔2025〕3号")
    assert exc.value.field == "number" and exc.value.code == "duplicate"
    with pytest.raises(ServiceError) as exc:
        _issue(agency, context, number="  ")
    assert exc.value.field == "number"


def test_numbers_that_clean_to_one_file_name_get_distinct_files(media, agency, context, today):
    first = _issue(agency, context, number="测试〔2025〕1号")
    second = _issue(agency, context, number="测试(2025)1号")
    assert first.docx.name != second.docx.name and first.pdf.name != second.pdf.name
    assert second.docx.name.endswith("测试-2025-1号-2.docx")


def test_missing_context_takes_no_number_and_writes_nothing(media, agency, context, today):
    del context["tracking_code"]
    with pytest.raises(MissingContext) as exc:
        _issue(agency, context)
    assert exc.value.field == "tracking_code"
    with pytest.raises(MissingContext) as exc:
        services.issue_document(
            kind="complaint_acceptance", subject=agency, agency=agency, context=context, citation=" "
        )
    assert exc.value.keys == ["tracking_code", "citation"]
    assert not Document.objects.exists() and not Sequence.objects.exists()
    assert not LedgerEntry.objects.filter(action="documents.issue").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("agency_name", "别的机关"),
        ("number", "某号"),
        ("citation", "别的依据"),
        ("issued_on", datetime.date(2020, 1, 1)),
    ],
)
def test_the_service_fills_in_its_own_keys(media, agency, context, today, key, value):
    context[key] = value
    with pytest.raises(ServiceError) as exc:
        _issue(agency, context)
    assert exc.value.field == key


def test_a_storage_failure_records_nothing_and_leaves_no_file(media, agency, context, today, monkeypatch):
    original = FileSystemStorage._save

    def failing_save(self, name, content):
        if name.endswith(".pdf"):
            raise OSError("disk full")
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        _issue(agency, context)
    assert not Document.objects.exists()
    assert not LedgerEntry.objects.filter(action="documents.issue").exists()
    assert not [path for path in media.rglob("*") if path.is_file()], "the DOCX written first is removed"

    monkeypatch.setattr(FileSystemStorage, "_save", original)
    assert _issue(agency, context).number == "测试市监投诉〔2025〕1号", "the number was not used up"


def test_only_the_agency_staff_or_an_administrator_issue(media, agency, other_agency, context, today):
    outsider = Person.objects.create_user("outsider", full_name="外单位", agency=other_agency)
    with pytest.raises(NotAllowed):
        _issue(agency, context, actor=outsider)
    administrator = Person.objects.create_user("root", full_name="管理员")
    RoleAssignment.objects.create(person=administrator, role=Role.ADMINISTRATOR)
    assert _issue(agency, context, actor=administrator).created_by == administrator
    system = _issue(agency, context)
    assert system.created_by is None
    assert (
        LedgerEntry.objects.filter(action="documents.issue", object_id=str(system.pk)).get().actor_label
        == "system"
    )


def test_subject_must_be_saved(media, agency, context, today):
    with pytest.raises(ServiceError) as exc:
        services.issue_document(
            kind="complaint_acceptance",
            subject=Agency(code="unsaved", name="未保存"),
            agency=agency,
            context=context,
            citation=CITATION,
        )
    assert exc.value.field == "subject"


def test_read_checks_scope_and_digest_and_is_ledgered(media, agency, other_agency, officer, context, today):
    document = _issue(agency, context, actor=officer)
    data = services.read_document_file(document, "pdf", actor=officer)
    assert hashlib.sha256(data).hexdigest() == document.pdf_sha256
    entry = LedgerEntry.objects.filter(action="documents.download").get()
    assert entry.payload == {"format": "pdf", "number": document.number}

    outsider = Person.objects.create_user("outsider", full_name="外单位", agency=other_agency)
    with pytest.raises(NotAllowed):
        services.read_document_file(document, "docx", actor=outsider)
    with pytest.raises(ServiceError):
        services.read_document_file(document, "odt", actor=officer)

    (media / document.docx.name).write_bytes(b"tampered")
    with pytest.raises(ServiceError) as exc:
        services.read_document_file(document, "docx", actor=officer)
    assert exc.value.code == "integrity"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises whole write transactions")
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_share_a_number(agency):
    workers, each = 4, 5
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def allocate() -> None:
        try:
            start.wait()
            for _ in range(each):
                with transaction.atomic():
                    numbers.append(services.allocate_number(agency, "投诉", 2025))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(numbers) == sorted(f"测试市监投诉〔2025〕{n}号" for n in range(1, workers * each + 1))
