"""Property-based run of the API against its own OpenAPI schema (schemathesis, through WSGI).

Every operation is called with generated requests, authenticated as the demo district's
legal-affairs officer: no answer may be a server error, and every answer must match the schema
(the error format included). Examples are few per operation so that the run stays short.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def connection_kept():
    """The test's database connection stays open across the WSGI requests, as with Django's Client.

    The WSGI handler closes connections it deems old at the end of each request; inside a test's
    transaction that would close the test's own connection.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_schema(demo, connection_kept):
    # The operations are run one by one here rather than through schemathesis's pytest plugin,
    # whose lazy fixture loader does not work with this pytest; every failure is collected.
    token = Token.objects.get_or_create(user=demo["legal"])[0].key
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    failures = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,  # the same requests every run: a failure here is reproducible
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except Exception as exc:  # each operation's failure is reported, then all fail together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
