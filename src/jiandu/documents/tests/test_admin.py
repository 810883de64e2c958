"""The admin lists documents read-only, within the viewer's scope, and hands out their files."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from jiandu.documents import services
from jiandu.documents.models import Document
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Person

from .conftest import CITATION

pytestmark = [pytest.mark.django_db, pytest.mark.urls("jiandu.documents.tests.urls")]


@pytest.fixture
def document(media, agency, context) -> Document:
    return services.issue_document(
        kind="complaint_acceptance", subject=agency, agency=agency, context=context, citation=CITATION
    )


def _staff(agency, username: str) -> Client:
    """A client signed in as staff of `agency` who may view documents in the admin."""
    person = Person.objects.create_user(username, full_name=username, agency=agency, is_staff=True)
    person.user_permissions.add(
        Permission.objects.get(codename="view_document", content_type__app_label="documents")
    )
    client = Client()
    client.force_login(person)
    return client


def test_changelist_shows_documents_with_download_links(document, agency):
    client = _staff(agency, "clerk")
    response = client.get(reverse("admin:documents_document_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert document.number in page and "投诉举报受理通知书" in page
    assert reverse("admin:documents_document_download", args=[document.pk, "pdf"]) in page
    assert reverse("admin:documents_document_add") not in page


def test_download_streams_the_issued_file_and_is_ledgered(document, agency):
    client = _staff(agency, "clerk")
    response = client.get(reverse("admin:documents_document_download", args=[document.pk, "docx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert LedgerEntry.objects.filter(action="documents.download", object_id=str(document.pk)).count() == 1


def test_documents_are_read_only(document, agency):
    client = _staff(agency, "clerk")
    change = reverse("admin:documents_document_change", args=[document.pk])
    assert client.get(change).status_code == 200
    number = document.number
    assert client.post(change, {"number": "改过的文号"}).status_code == 403
    document.refresh_from_db()
    assert document.number == number
    assert client.post(reverse("admin:documents_document_delete", args=[document.pk])).status_code == 403


def test_out_of_scope_is_not_found(document, other_agency):
    client = _staff(other_agency, "outsider")
    assert document.number not in client.get(reverse("admin:documents_document_changelist")).content.decode()
    download = reverse("admin:documents_document_download", args=[document.pk, "pdf"])
    assert client.get(download).status_code == 404
    assert not LedgerEntry.objects.filter(action="documents.download").exists()


def test_a_tampered_file_is_refused(document, agency, media):
    (media / document.pdf.name).write_bytes(b"%PDF-1.4 forged")
    client = _staff(agency, "clerk")
    response = client.get(reverse("admin:documents_document_download", args=[document.pk, "pdf"]))
    assert response.status_code == 302
    assert not LedgerEntry.objects.filter(action="documents.download").exists()
