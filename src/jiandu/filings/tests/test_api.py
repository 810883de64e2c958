"""Filings through the API the kernel generates from the declarations."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from jiandu.filings.models import Filing
from jiandu.filings.procedure import FILINGS
from jiandu.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(demo):
    def as_person(name: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo[name])
        return client

    return as_person


def _submit(client: APIClient, **extra):
    body = {
        "kind": "major_penalty_decision",
        "title": "行政处罚决定书（责令停业）",
        "document_number": "示范公管罚〔2026〕9号",
        "event_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "files": [SimpleUploadedFile("决定书.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")],
        **extra,
    }
    return client.post("/api/filings/new/submit/", body, format="multipart")


def test_the_api_runs_the_same_steps_and_lists_what_is_allowed(api, media):
    filer, reviewer = api("ggzy-legal"), api("supervisor")
    created = _submit(filer)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "submitted" and body["allowed_steps"] == []
    assert body["deadlines"][0]["key"] == "filing.major_penalty_decision"
    assert "第八条" in body["deadlines"][0]["citation"]

    detail = reviewer.get(f"/api/filings/{body['id']}/").json()
    assert [s["name"] for s in detail["allowed_steps"]] == ["filings.accept", "filings.notify"]
    accepted = reviewer.post(detail["allowed_steps"][0]["path"], {"opinion": "同意备案"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "filed"

    listing = reviewer.get("/api/filings/?state=filed").json()
    assert [r["number"] for r in listing["results"]] == [body["number"]]
    assert listing["counts"]["filed"] == 1 and listing["counts"]["submitted"] == 0


def test_api_refusals_use_the_error_format_and_write_nothing(api, media):
    filer, reviewer = api("ggzy-legal"), api("supervisor")
    bad = _submit(filer, event_date="2026-13-01")
    assert bad.status_code == 400
    assert "event_date" in bad.json()["error"]["fields"]
    filing_id = _submit(filer).json()["id"]
    before = LedgerEntry.objects.count()
    assert filer.post(f"/api/filings/{filing_id}/report/", {"report": "x"}, format="json").status_code == 400
    assert filer.post(f"/api/filings/{filing_id}/accept/", {}, format="json").status_code == 403
    assert api("cgzf-legal").post(f"/api/filings/{filing_id}/accept/", {}, format="json").status_code == 404
    assert api("cgzf-legal").get(f"/api/filings/{filing_id}/").status_code == 404
    unknown = reviewer.post(f"/api/filings/{filing_id}/accept/", {"surprise": 1}, format="json")
    assert unknown.status_code == 400 and "surprise" in unknown.json()["error"]["fields"]
    assert LedgerEntry.objects.count() == before
    assert Filing.objects.get(pk=filing_id).state == "submitted"


def test_every_step_is_in_the_schema(api):
    schema = api("supervisor").get("/api/schema/?format=json").json()
    operations = {
        op["operationId"]: op
        for path in schema["paths"].values()
        for op in path.values()
        if "operationId" in op
    }
    for step in FILINGS.steps:
        operation = operations[step.name.replace(".", "_")]
        assert operation["summary"] == f"备案审查：{step.label}"
        assert set(operation["responses"]) >= {"400", "403", "404"}
