"""Ledger test fixtures; loads the plugin that lets Django's test flush empty the ledger tables.

The ledger names agencies and people only through its foreign keys (orgs.Agency and the user
model): it sits below orgs in the app layers, so its tests reach those models the same way.
"""

import pytest
from django.contrib.auth import get_user_model

from jiandu.ledger.services import agency_model
from jiandu.ledger.testing import pytest_configure, pytest_unconfigure  # noqa: F401  (plugin hooks)


@pytest.fixture
def agency(db):
    return agency_model().objects.create(code="test-amr", name="测试市场监督管理局", kind="enforcement")


@pytest.fixture
def person(db, agency):
    return get_user_model().objects.create(username="officer", full_name="测试人员", agency=agency)
