"""Bad input to the API is answered in the error format, naming the parameter; the schema says so."""

import pytest
import yaml
from django.test import Client

from jiandu.complaints.models import Complaint
from jiandu.complaints.tests.test_api import body, error_fields, post
from jiandu.complaints.tests.test_hotline import make_account, ticket, token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("received_from=0001-01-01", "received_from"),
        ("received_to=9999-12-31", "received_to"),
        ("received_from=1899-12-31", "received_from"),
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=100000", "page_size"),
    ],
)
def test_bad_list_parameters_are_refused_naming_them(signed_in, query, parameter):
    response = signed_in("legal").get(f"/api/complaints/?{query}")
    assert response.status_code == 400, response.content[:300]
    assert parameter in error_fields(response)


@pytest.mark.parametrize("url", ["/api/agencies/?page_size=x", "/api/agencies/?page_size=-1"])
def test_page_size_is_checked_on_every_list(signed_in, url):
    response = signed_in("legal").get(url)
    assert response.status_code == 400 and "page_size" in error_fields(response)


@pytest.mark.parametrize("url", ["/api/complaints/1.5/", "/api/complaints/abc/timeline/", "/api/nothing/"])
def test_a_path_no_endpoint_matches_is_a_json_not_found(signed_in, url):
    response = signed_in("legal").get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target_agency": "demo-district"}, "target_agency"),
        ({"agency": "demo-district"}, "agency"),
        ({"occurred_on": "0001-01-01"}, "occurred_on"),
        ({"content": "内容\x00藏了空字符"}, "content"),
        ({"category": "类别\x1b"}, "category"),
        ({"target_description": "某人\u2028另一行"}, "target_description"),
        ({"target_description": "长" * 201}, "target_description"),
        ({"content": "长" * 5001}, "content"),
    ],
)
def test_bad_registration_is_refused_naming_the_field(signed_in, overrides, field):
    response = post(signed_in("legal"), "/api/complaints/", body(**overrides))
    assert response.status_code == 400, response.content.decode()
    assert field in error_fields(response), response.json()
    assert Complaint.objects.count() == 0


def test_control_characters_in_nested_and_action_fields_are_refused(signed_in):
    legal = signed_in("legal")
    response = post(legal, "/api/complaints/", body(complainant={"name": "张\x07三", "phone": "139"}))
    assert response.status_code == 400 and "complainant" in error_fields(response)
    created = post(legal, "/api/complaints/", body()).json()
    bad = {"reason": "理由\x0b", "legal_basis": "x"}
    response = post(legal, f"/api/complaints/{created['id']}/reject/", bad)
    assert response.status_code == 400 and "reason" in error_fields(response)


def test_the_hotline_endpoint_checks_its_text_too(demo):
    hotline = token_client(make_account())
    response = post(hotline, "/api/hotline/tickets/", ticket(caller_name="来电\x01人"))
    assert response.status_code == 400 and "caller_name" in error_fields(response)
    response = post(hotline, "/api/hotline/tickets/", ticket(occurred_on="0001-01-01"))
    assert response.status_code == 400 and "occurred_on" in error_fields(response)


# --------------------------------------------------------------------------------------- schema


@pytest.fixture
def schema(db) -> dict:
    return yaml.safe_load(Client().get("/api/schema/").content)


def test_the_timeline_is_declared_as_the_list_it_returns(schema):
    operation = schema["paths"]["/api/complaints/{id}/timeline/"]["get"]
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert content["type"] == "array"
    assert not any(p["name"] in {"cursor", "page_size"} for p in operation.get("parameters", []))


def test_every_operation_documents_its_errors_in_the_error_format(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for code in ("400", "403", "404"):
                response = operation["responses"].get(code)
                assert response, (method, path, code)
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference.rsplit("/", 1)[-1] in {"ApiError"}, (method, path, code, reference)


# -------------------------------------------------------------------------- content security


def test_every_response_carries_a_content_security_policy(signed_in):
    for response in (Client().get("/complaint/new/"), signed_in("legal").get("/api/complaints/")):
        policy = response["Content-Security-Policy"]
        script_src = policy.split("script-src")[1].split(";")[0]
        assert script_src.strip() == "'self'"


def test_the_api_docs_still_render_under_the_policy(db):
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html.replace(" ", "")  # no inline script: script-src 'self' suffices
    assert "cdn" not in html.lower()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    start = client.get("/api/docs/?script=")
    assert start.status_code == 200 and "SwaggerUIBundle" in start.content.decode()
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200 and "blob:" in redoc["Content-Security-Policy"]
