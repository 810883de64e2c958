"""Browser test: the public form to the receipt and the status page, then the handler's acceptance
(Playwright driving Debian's chromium, as in web/tests/test_browser.py)."""

import pytest
from django.core.cache import cache

from jiandu.core.demo import DEMO_PASSWORD
from jiandu.web.tests.test_browser import browser_page, needs_chromium  # noqa: F401  (fixture)


# The test reads everything it needs from the pages: an ORM call made while Playwright's loop runs
# in this thread would open a second database connection that nothing closes.
@pytest.fixture(autouse=True)
def scratch_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_public_complaint_to_status_page_and_acceptance(live_server, demo, browser_page, tmp_path):  # noqa: F811
    page = browser_page
    page.goto(f"{live_server.url}/complaint/new/")
    page.select_option("#id_agency", label="示范区市场监督管理局")
    page.click("text=下一步")
    page.wait_for_selector("#complaint-form")
    page.screenshot(path=str(tmp_path / "form.png"), full_page=True)
    # A first try without content is refused next to the field, the rest kept.
    page.select_option("#id_category", index=1)
    page.fill("#id_target_description", "穿制服的男性执法人员")
    page.fill("#id_name", "保密测试人甲")
    page.fill("#id_phone", "13900001111")
    page.click("text=提交投诉举报")
    page.wait_for_selector("#id_content_error")
    assert "请填写投诉举报的具体内容" in page.inner_text("#id_content_error")
    assert page.input_value("#id_name") == "保密测试人甲"
    page.screenshot(path=str(tmp_path / "form-error.png"), full_page=True)
    page.fill("#id_content", "执法人员检查时态度恶劣，未出示执法证件。")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "photo.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )
    page.click("text=提交投诉举报")
    page.wait_for_selector("#tracking-code")
    number = page.inner_text("#number")
    code = page.inner_text("#tracking-code")
    secret = page.inner_text("#tracking-secret")
    assert "只显示这一次" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    page.reload()
    assert code not in page.inner_text("main") and "回执已显示过" in page.inner_text("main")

    page.goto(f"{live_server.url}/complaint/status/")
    page.fill("#id_tracking_code", code)
    page.fill("#id_secret", secret)
    page.click("button:has-text('查询')")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "待受理"
    page.screenshot(path=str(tmp_path / "status.png"), full_page=True)

    staff = page.context.browser.new_page(locale="zh-CN")
    staff.goto(f"{live_server.url}/login/?next=/complaints/")
    staff.fill("#id_username", "legal")
    staff.fill("#id_password", DEMO_PASSWORD)
    staff.click("button[type=submit]")
    staff.wait_for_selector("#queue")
    staff.click(f"text={number}")
    staff.wait_for_selector("#act-accept")
    assert "保密测试人甲" not in staff.content() and "13900001111" not in staff.content()
    staff.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    staff.click("#act-accept button[type=submit]")
    staff.wait_for_selector("text=已受理，办理期限开始计算")
    assert "办理中" in staff.inner_text("#facts")
    staff.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
    staff.goto(f"{live_server.url}/complaints/")
    staff.screenshot(path=str(tmp_path / "queue.png"), full_page=True)

    page.reload()
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "办理中"
    page.screenshot(path=str(tmp_path / "status-accepted.png"), full_page=True)
