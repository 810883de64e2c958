"""Fixtures shared by every app's tests.

This module sits above the app layers (it is no app's): the demo (`jiandu.demo`), the top layer,
reaches the tests of the apps below it only through the fixtures and the marker here, so that no
app's tests import an app above their own.
"""

import os

import pytest
from django.test import Client

from jiandu.core.testing import CHROMIUM, CHROMIUM_ARGS
from jiandu.demo.loader import DEMO_PASSWORD, DEMO_USERNAMES, load_demo
from jiandu.ledger.testing import pytest_configure, pytest_unconfigure  # noqa: F401  (lets test flushes empty the ledger)
from jiandu.orgs.models import Person


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`@pytest.mark.demo_users("name")`: the test runs once for each demo sign-in, given as `name`."""
    marker = metafunc.definition.get_closest_marker("demo_users")
    if marker is not None:
        metafunc.parametrize(marker.args[0], DEMO_USERNAMES)


@pytest.fixture
def media(settings, tmp_path):
    """Stored files go under a temporary MEDIA_ROOT, which the fixture returns."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(db) -> dict[str, Person]:
    """The demo district, loaded through the services; people by user name."""
    load_demo()
    return {p.username: p for p in Person.objects.select_related("agency", "unit")}


@pytest.fixture
def demo_usernames() -> list[str]:
    """Every demo sign-in, in the demo's order."""
    return list(DEMO_USERNAMES)


@pytest.fixture
def demo_password() -> str:
    """The password of every demo sign-in."""
    return DEMO_PASSWORD


@pytest.fixture
def signed_in(demo):
    """A factory: a test client signed in as the named demo person."""

    def sign_in(username: str) -> Client:
        client = Client()
        client.force_login(demo[username])
        return client

    return sign_in


@pytest.fixture
def browser_page():
    """A Chromium page (Playwright driving Debian's chromium); mark the test `needs_chromium`."""
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
