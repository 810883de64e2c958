"""Fixtures shared by every app's tests."""

import pytest
from django.test import Client

from jiandu.core.demo import load_demo
from jiandu.ledger.testing import pytest_configure, pytest_unconfigure  # noqa: F401  (lets test flushes empty the ledger)
from jiandu.orgs.models import Person


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
def signed_in(demo):
    """A factory: a test client signed in as the named demo person."""

    def sign_in(username: str) -> Client:
        client = Client()
        client.force_login(demo[username])
        return client

    return sign_in
