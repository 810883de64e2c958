"""Ledger test fixtures; loads the plugin that lets Django's test flush empty the ledger tables."""

import pytest

from jiandu.ledger.testing import pytest_configure, pytest_unconfigure  # noqa: F401  (plugin hooks)
from jiandu.orgs.models import Agency, Person


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(code="test-amr", name="测试市场监督管理局", kind=Agency.Kind.ENFORCEMENT)


@pytest.fixture
def person(db, agency) -> Person:
    return Person.objects.create(username="officer", full_name="测试人员", agency=agency)
