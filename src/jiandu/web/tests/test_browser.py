"""Browser test: a person signs in and sees their home page (Playwright driving Debian's chromium)."""

import pytest

from jiandu.core.testing import needs_chromium


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_sign_in_to_home_page(live_server, demo, demo_password, browser_page, tmp_path):
    page = browser_page
    page.goto(f"{live_server.url}/work/")
    assert "/login/" in page.url
    page.fill("#id_username", "legal")
    page.fill("#id_password", demo_password)
    page.click("button[type=submit]")
    page.wait_for_selector("#overdue")
    body = page.inner_text("main")
    assert "示范区市场监督管理局" in body
    assert "法制工作人员" in body
    assert "没有逾期事项" in body
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/login/")


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_a_chinese_error(live_server, demo, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "legal")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.inner_text("main") or "正确" in page.inner_text("main")
