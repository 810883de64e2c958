"""The admin shows the ledger and its checkpoints, and offers no way to add, change or delete."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jiandu.ledger.models import Checkpoint, LedgerEntry
from jiandu.ledger.services import create_checkpoint, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(person, agency):
    record("orgs.agency.create", actor=person, agency=agency, obj=agency, payload={"code": agency.code})
    record("auth.login_failed", actor_label="public")
    create_checkpoint()
    client = Client()
    client.force_login(get_user_model().objects.create(username="root", is_staff=True, is_superuser=True))
    return client


def test_entries_list_filter_and_search(admin_client, agency):
    page = admin_client.get("/admin/ledger/ledgerentry/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "orgs.agency.create" in text and f"orgs.agency:{agency.pk}" in text and "auth.login_failed" in text
    found = admin_client.get("/admin/ledger/ledgerentry/", {"q": "orgs.agency"}).content.decode()
    assert "orgs.agency.create" in found and "auth.login_failed" not in found
    filtered = admin_client.get(
        "/admin/ledger/ledgerentry/", {"agency__id__exact": agency.pk}
    ).content.decode()
    assert "orgs.agency.create" in filtered and "auth.login_failed" not in filtered


def test_entries_are_read_only(admin_client):
    assert admin_client.get("/admin/ledger/ledgerentry/add/").status_code == 403
    detail = admin_client.get("/admin/ledger/ledgerentry/1/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.post("/admin/ledger/ledgerentry/1/change/", {"action": "x.y"}).status_code == 403
    assert admin_client.get("/admin/ledger/ledgerentry/1/delete/").status_code == 403
    response = admin_client.post(
        "/admin/ledger/ledgerentry/", {"action": "delete_selected", "_selected_action": ["1"]}
    )
    assert response.status_code in (200, 302)
    assert LedgerEntry.objects.filter(seq=1, action="orgs.agency.create").exists()


def test_checkpoints_list_is_read_only(admin_client):
    checkpoint = Checkpoint.objects.get()
    page = admin_client.get("/admin/ledger/checkpoint/")
    assert page.status_code == 200 and checkpoint.root_hash in page.content.decode()
    assert admin_client.get("/admin/ledger/checkpoint/add/").status_code == 403
    assert admin_client.get(f"/admin/ledger/checkpoint/{checkpoint.pk}/delete/").status_code == 403
