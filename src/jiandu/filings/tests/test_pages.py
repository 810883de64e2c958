"""Filings through the pages the kernel draws from the declarations."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiandu.filings.models import Filing
from jiandu.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _new(client) -> Filing:
    url = reverse("procedures:create", args=["filings", "submit"])
    response = client.post(
        url,
        {
            "submit-kind": "normative_document",
            "submit-title": "公共资源交易投诉处理办法",
            "submit-document_number": "示范公管规〔2026〕2号",
            "submit-event_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "submit-files": SimpleUploadedFile(
                "办法.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Filing.objects.get()


def test_a_filing_goes_from_the_form_to_acceptance_in_pages(demo, media, signed_in):
    filer, reviewer = signed_in("ggzy-legal"), signed_in("supervisor")
    assert filer.get(reverse("procedures:create", args=["filings", "submit"])).status_code == 200
    filing = _new(filer)
    page = reviewer.get(reverse("procedures:detail", args=["filings", filing.pk])).content.decode()
    assert "予以备案" in page and "制发监督通知书" in page and "制发监督决定书" not in page
    assert (
        "《荆州市政务服务和大数据管理局行政执法监督制度》第七条" in page
    )  # the period's basis, cited as a person cites it
    response = reviewer.post(
        reverse("procedures:step", args=["filings", filing.pk, "notify"]),
        {"notify-problems": "第三条与上位法不一致", "notify-correction": "修改第三条"},
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == Filing.State.CORRECTING
    page = filer.get(reverse("procedures:detail", args=["filings", filing.pk])).content.decode()
    assert "行政执法监督通知书" in page and "签收文书" in page
    listing = reviewer.get(
        reverse("procedures:list", args=["filings"]) + "?state=correcting"
    ).content.decode()
    assert filing.number in listing


def test_a_refused_step_comes_back_on_the_page_naming_the_field(demo, media, signed_in):
    filer, reviewer = signed_in("ggzy-legal"), signed_in("supervisor")
    filing = _new(filer)
    before = LedgerEntry.objects.count()
    response = reviewer.post(
        reverse("procedures:step", args=["filings", filing.pk, "notify"]),
        {"notify-problems": "含控制字符\x07", "notify-correction": "修改"},
    )
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    assert LedgerEntry.objects.count() == before
    # A step the viewer may not take is refused, whatever the page offered.
    response = filer.post(reverse("procedures:step", args=["filings", filing.pk, "accept"]), {})
    assert response.status_code == 403
    filing.refresh_from_db()
    assert filing.state == Filing.State.SUBMITTED


EVERYONE = (
    "supervisor",
    "sfj-leader",
    "zfb",
    "inspector",
    "legal",
    "amr-fagui",
    "leader",
    "handler",
    "ggzy-legal",
    "ggzy-leader",
    "cgzf-legal",
    "cgzf-leader",
)
# Who must see a filing of the 公共资源交易监督管理局: its own staff, the 司法局's supervision staff
# above it (the discipline inspectors there too: they see what the bureau supervises), and the
# 区政府办公室's supervision staff (the government supervises its departments).
SEE_GGZY = {"supervisor", "sfj-leader", "inspector", "zfb", "ggzy-legal", "ggzy-leader"}


def test_who_sees_a_filing(demo, media, signed_in):
    filing = _new(signed_in("ggzy-legal"))
    for name in EVERYONE:
        client = signed_in(name)
        detail = client.get(reverse("procedures:detail", args=["filings", filing.pk]))
        listing = client.get(reverse("procedures:list", args=["filings"])).content.decode()
        if name in SEE_GGZY:
            assert detail.status_code == 200, name
            assert filing.number in listing, name
        else:
            assert detail.status_code == 404, name
            assert filing.number not in listing, name
