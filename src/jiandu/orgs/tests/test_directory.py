"""The directory cache answers API tokens from memory, and forgets at once when who-is-who changes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from jiandu.core import stamps
from jiandu.orgs import directory, services
from jiandu.orgs.models import Agency, Person, Role


@pytest.fixture
def token(demo) -> str:
    return Token.objects.create(user=demo["legal"]).key


def api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def refused(response) -> bool:
    return response.status_code in (401, 403) and response.json()["error"]["code"] == "authentication_failed"


def test_a_known_token_is_served_from_memory(token):
    client = api(token)
    assert client.get("/api/complaints/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/complaints/").status_code == 200
    read = " ".join(q["sql"] for q in captured)
    assert "core_changestamp" in read
    assert "authtoken_token" not in read and "orgs_roleassignment" not in read


def test_unknown_token_is_refused(db):
    assert refused(api("0" * 40).get("/api/complaints/"))


def test_a_role_taken_away_counts_at_the_next_request(demo, token):
    legal = demo["legal"]
    client = api(token)
    assert client.get("/api/complaints/").status_code == 200
    services.assign_role(actor=None, person=legal, role=Role.HOTLINE)
    # A hotline service account is refused the staff endpoints: the new role is seen at once.
    assert client.get("/api/complaints/").status_code == 403
    services.revoke_role(actor=None, person=legal, role=Role.HOTLINE)
    assert client.get("/api/complaints/").status_code == 200


def test_changes_made_behind_the_services_back_count_too(demo, token):
    client = api(token)
    assert client.get("/api/complaints/").status_code == 200
    # A bulk UPDATE sends no signal; the database's trigger renews the stamp all the same.
    Person.objects.filter(pk=demo["legal"].pk).update(is_active=False)
    assert refused(client.get("/api/complaints/"))
    Person.objects.filter(pk=demo["legal"].pk).update(is_active=True)
    assert client.get("/api/complaints/").status_code == 200
    Token.objects.filter(key=token).delete()
    assert refused(client.get("/api/complaints/"))


def test_stamp_is_renewed_by_every_change_and_only_by_changes(demo):
    stamp = directory.current_stamp()
    assert stamp
    list(Agency.objects.all())
    assert directory.current_stamp() == stamp
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orgs_agency SET short_name = short_name")
    renewed = directory.current_stamp()
    assert renewed not in (None, stamp)


def test_a_deactivated_agency_is_unknown(demo):
    found = directory.active_agency("demo-amr")
    assert found is not None and found.profile.code and found.code == "demo-amr"
    assert directory.active_agency(str(found.pk)).code == "demo-amr"
    Agency.objects.filter(code="demo-amr").update(is_active=False)
    assert directory.active_agency("demo-amr") is None


def test_every_call_gets_its_own_instances(demo, token):
    first, _ = directory.principal(token)
    first.full_name = "被改动"
    first.agency.name = "被改动"
    second, second_token = directory.principal(token)
    assert second is not first and second.full_name == demo["legal"].full_name
    assert second.agency.name == demo["legal"].agency.name
    assert second_token.user is second and second.has_role(Role.LEGAL_AFFAIRS)


def test_every_watched_table_has_its_trigger(db):
    """A later migration that rebuilds a table on SQLite drops its triggers: this catches it."""
    assert stamps.missing_triggers() == []
