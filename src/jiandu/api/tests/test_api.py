"""The API: OpenAPI served locally, scope applied to every list, one error format."""

import pytest
from django.test import Client

from jiandu.orgs.models import Agency

pytestmark = pytest.mark.django_db


def test_schema_and_docs_are_served_locally():
    client = Client()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "//unpkg" not in docs  # assets come from this server


def test_me_shows_agency_and_roles(signed_in):
    data = signed_in("supervisor").get("/api/people/me/").json()
    assert data["agency"]["code"] == "demo-sfj"
    assert data["roles"] == ["supervisor"]


def test_agency_list_is_scoped(signed_in):
    codes = {a["code"] for a in signed_in("legal").get("/api/agencies/").json()["results"]}
    assert codes == {"demo-amr"}
    codes = {a["code"] for a in signed_in("supervisor").get("/api/agencies/").json()["results"]}
    assert codes == {"demo-sfj", "demo-amr", "demo-ggzy", "demo-cgzf"}


def test_out_of_scope_object_is_not_found_in_the_error_format(signed_in):
    other = Agency.objects.get(code="demo-ggzy")
    response = signed_in("legal").get(f"/api/agencies/{other.pk}/")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_people_list_never_leaks_across_agencies(signed_in):
    usernames = {p["username"] for p in signed_in("ggzy-legal").get("/api/people/").json()["results"]}
    assert usernames == {"ggzy-legal", "ggzy-leader"}


def test_anonymous_is_refused_in_the_error_format(db):
    response = Client().get("/api/agencies/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
