"""Browser test of the filing flow: filed, reviewed, corrected and accepted, in Debian's chromium."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jiandu.core.testing import needs_chromium
from jiandu.filings.models import Filing


def _sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/work/")


def _sign_out(page, url: str) -> None:
    page.click("text=退出")
    page.wait_for_url(f"{url}/login/")


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_a_filing_from_the_form_to_acceptance(live_server, demo, demo_password, browser_page, tmp_path):
    page, url = browser_page, live_server.url
    _sign_in(page, url, "ggzy-legal", demo_password)
    page.click("text=备案审查")
    page.click("text=报送备案")
    page.select_option("#id_submit-kind", "normative_document")
    page.fill("#id_submit-title", "示范区公共资源交易投诉处理暂行办法")
    page.fill("#id_submit-document_number", "示范公管规〔2026〕9号")
    page.fill("#id_submit-event_date", (timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    pdf = tmp_path / "办法.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("#id_submit-files", str(pdf))
    page.check("input[name=confirm]")
    page.click("button.primary")
    page.wait_for_selector("#facts")
    filing = Filing.objects.get()
    assert filing.number in page.inner_text("h1") and "待审查" in page.inner_text("h1")
    assert "第七条" in page.inner_text("#deadlines")  # the period's basis, as a person cites it
    _sign_out(page, url)

    _sign_in(page, url, "supervisor", demo_password)
    page.goto(f"{url}/m/filings/{filing.pk}/")
    page.click("#step-notify summary")
    page.fill("#id_notify-problems", "第三条与上位法不一致")
    page.fill("#id_notify-correction", "修改第三条")
    page.check("#step-notify input[name=confirm]")
    page.click("#step-notify button.primary")
    page.wait_for_selector("text=已制发监督通知书")
    assert "行政执法监督通知书" in page.inner_text("#documents")
    _sign_out(page, url)

    _sign_in(page, url, "ggzy-legal", demo_password)
    page.goto(f"{url}/m/filings/{filing.pk}/")
    page.click("#step-receive summary")
    page.click("#step-receive button.primary")
    page.wait_for_selector("text=已签收文书")
    assert "书面报告执行情况" in page.inner_text("#deadlines")
    page.click("#step-report summary")
    page.fill("#id_report-report", "已修改第三条并重新发布")
    page.click("#step-report button.primary")
    page.wait_for_selector("text=已报告执行情况")
    _sign_out(page, url)

    _sign_in(page, url, "supervisor", demo_password)
    page.goto(f"{url}/m/filings/{filing.pk}/")
    page.click("#step-accept summary")
    page.check("#step-accept input[name=confirm]")
    page.click("#step-accept button.primary")
    page.wait_for_selector("text=已予以备案")
    assert "已备案" in page.inner_text("h1")
    timeline = page.inner_text("#timeline")
    for words in ("报送备案", "制发监督通知书", "签收文书", "报告执行情况", "予以备案"):
        assert words in timeline
    page.screenshot(path=str(tmp_path / "filing.png"), full_page=True)
