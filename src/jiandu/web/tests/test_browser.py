"""Browser test: a person signs in and sees their home page (Playwright driving Debian's chromium)."""

import os
import shutil

import pytest

from jiandu.core.demo import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background traffic is refused on a closed network; these flags keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself happen outside it, which Django cannot tell apart.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_sign_in_to_home_page(live_server, demo, browser_page, tmp_path):
    page = browser_page
    page.goto(f"{live_server.url}/work/")
    assert "/login/" in page.url
    page.fill("#id_username", "legal")
    page.fill("#id_password", DEMO_PASSWORD)
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
