"""The complaints REST API: scope per role, every step end to end, errors, paging, schema, secrecy."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.models import Complaint, Material
from jiandu.complaints.tests.test_hotline import make_account, token_client
from jiandu.complaints.tests.test_pages import SEE_AMR, SEE_CGZF
from jiandu.deadlines.models import Deadline
from jiandu.deadlines.services import deadlines_of
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs import services as orgs
from jiandu.orgs.models import Agency, Role, Unit
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.models import Approval
from jiandu.rules.models import RuleProfile

pytestmark = pytest.mark.django_db

SECRET_NAME, SECRET_PHONE, SECRET_EMAIL = "保密测试人乙", "13900002222", "api-secret@example.com"
SECRETS = (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def category(code: str) -> str:
    # A profile that lists no categories (002) accepts any.
    return (services.categories_for(profile_for(Agency.objects.get(code=code))) or ["其他"])[0]


def body(code: str = "demo-amr", **overrides) -> dict:
    values = {
        "agency": code,
        "channel": "letter",
        "category": category(code),
        "content": "执法人员检查时未出示执法证件，并当场辱骂商户。",
        "target_description": "稽查大队某执法人员",
        "occurred_on": "2026-11-02",
        "complainant": {"name": SECRET_NAME, "phone": SECRET_PHONE, "email": SECRET_EMAIL},
    }
    values.update(overrides)
    return values


def post(client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def register(client, code: str = "demo-amr", **overrides) -> dict:
    response = post(client, "/api/complaints/", body(code, **overrides))
    assert response.status_code == 201, response.content.decode()
    return response.json()


def assert_no_secret(response) -> None:
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked by {response.request['PATH_INFO']}"


def error_fields(response) -> dict:
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error["fields"]


# ------------------------------------------------------------------------------------- intake


def test_registration_answers_with_number_tracking_code_and_secret_once(signed_in):
    legal = signed_in("legal")
    receipt = register(legal)
    assert set(receipt) == {"id", "number", "tracking_code", "secret"}
    assert receipt["number"].startswith("DEMO-AMR-TS-")
    complaint = Complaint.objects.get(pk=receipt["id"])
    assert services.find_by_tracking(receipt["tracking_code"], receipt["secret"]) == complaint
    detail = legal.get(f"/api/complaints/{receipt['id']}/")
    assert receipt["secret"] not in detail.content.decode()
    assert "complainant" not in detail.json() and "complainant_sealed" not in detail.content.decode()
    assert complaint.channel == Complaint.Channel.LETTER and complaint.state == Complaint.State.RECEIVED


def test_agency_may_be_given_by_id_and_entrusted_complaints_need_the_principal(signed_in, demo):
    legal = signed_in("legal")
    amr = Agency.objects.get(code="demo-amr")
    response = post(legal, "/api/complaints/", body(agency=amr.pk, entrusted=True))
    assert response.status_code == 400
    assert "complainant.entrusted_by" in error_fields(response)
    complainant = {"name": SECRET_NAME, "phone": SECRET_PHONE, "entrusted_by": "委托人某"}
    receipt = register(legal, agency=amr.pk, entrusted=True, complainant=complainant)
    assert Complaint.objects.get(pk=receipt["id"]).entrusted


def test_supervisor_hands_a_complaint_over(signed_in):
    receipt = register(signed_in("supervisor"), "demo-cgzf", channel="assigned")
    complaint = Complaint.objects.get(pk=receipt["id"])
    assert complaint.assigned_by.code == "demo-sfj"
    # 001 附件1 一: a handed-over complaint's handling period runs from receipt.
    assert (
        deadlines_of(complaint)
        .filter(rule_key="complaint.assigned.handling", closed_at__isnull=True)
        .exists()
    )


def test_anonymous_complaint_needs_no_name(signed_in):
    receipt = register(signed_in("legal"), anonymous=True, complainant={})
    complaint = Complaint.objects.get(pk=receipt["id"])
    assert complaint.anonymous and complaint.complainant_sealed == ""


def test_bad_registration_names_the_field_and_writes_nothing(signed_in):
    legal = signed_in("legal")
    before = (Complaint.objects.count(), LedgerEntry.objects.count())
    cases = [
        (body(category="不存在的类别"), "category"),
        (body(complainant={}), "complainant.name"),
        (body(complainant={"name": SECRET_NAME}), "complainant.phone"),
        (body(complainant={"name": SECRET_NAME, "email": "not-an-address"}), "complainant"),
        (body(occurred_on="2026-02-30"), "occurred_on"),
        (body(channel="pigeon"), "channel"),
        (body(agency="no-such-agency"), "agency"),
        (body(content=""), "content"),
    ]
    for data, field in cases:
        response = post(legal, "/api/complaints/", data)
        assert response.status_code == 400, (field, response.content)
        assert field in error_fields(response), (field, response.json())
        assert_no_secret(response)
    assert (Complaint.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "hotline", "hotline_ticket": "12345-2026-000777"}, "hotline_ticket"),
        ({"channel": "letter", "hotline_ticket": "12345-2026-000777"}, "hotline_ticket"),
        ({"channel": "hotline"}, "channel"),
        ({"channel": "online"}, "channel"),
        ({"channel": "assigned"}, "channel"),
    ],
)
def test_staff_register_only_the_channels_their_page_offers_and_never_a_ticket(signed_in, overrides, field):
    legal = signed_in("legal")
    before = (Complaint.objects.count(), LedgerEntry.objects.count())
    response = post(legal, "/api/complaints/", body(**overrides))
    assert response.status_code == 400, response.content.decode()
    assert field in error_fields(response)
    assert (Complaint.objects.count(), LedgerEntry.objects.count()) == before


def test_a_ticket_number_staff_tried_stays_the_hotlines(demo, signed_in):
    refused = post(signed_in("legal"), "/api/complaints/", body(channel="hotline", hotline_ticket="T-9"))
    assert refused.status_code == 400
    hotline = token_client(make_account())
    handed = post(hotline, "/api/complaints/", body(channel="hotline", hotline_ticket="T-9"))
    assert handed.status_code == 201, handed.content.decode()
    assert Complaint.objects.get(hotline_ticket="T-9").channel == Complaint.Channel.HOTLINE


def test_a_supervisor_hands_over_only_as_assigned(signed_in):
    response = post(signed_in("supervisor"), "/api/complaints/", body("demo-cgzf", channel="letter"))
    assert response.status_code == 400 and "channel" in error_fields(response)


def test_only_the_receiving_agencys_legal_staff_register(signed_in):
    response = post(signed_in("handler"), "/api/complaints/", body())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    response = post(signed_in("ggzy-legal"), "/api/complaints/", body())
    assert response.status_code == 403


# -------------------------------------------------------------------------------------- scope


@pytest.fixture
def two_agencies(signed_in) -> dict[str, int]:
    return {
        "amr": register(signed_in("legal"))["id"],
        "ggzy": register(signed_in("ggzy-legal"), "demo-ggzy")["id"],
        "cgzf": register(signed_in("supervisor"), "demo-cgzf", channel="assigned")["id"],
    }


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("legal", {"amr"}),
        ("leader", {"amr"}),
        ("deputy", {"amr"}),
        ("handler", set()),
        ("zhangwei", set()),
        ("ggzy-legal", {"ggzy"}),
        ("ggzy-leader", {"ggzy"}),
        ("cgzf-legal", {"cgzf"}),
        ("supervisor", {"amr", "ggzy", "cgzf"}),
        ("inspector", {"amr", "ggzy", "cgzf"}),
        ("admin", {"amr", "ggzy", "cgzf"}),
    ],
)
def test_each_role_sees_its_scope_and_nothing_else(signed_in, two_agencies, username, sees):
    client = signed_in(username)
    listed = {c["id"] for c in client.get("/api/complaints/").json()["results"]}
    assert listed == {two_agencies[k] for k in sees}
    for key, pk in two_agencies.items():
        expected = 200 if key in sees else 404
        assert client.get(f"/api/complaints/{pk}/").status_code == expected
        assert client.get(f"/api/complaints/{pk}/timeline/").status_code == expected


def test_out_of_scope_action_is_not_found(signed_in, two_agencies):
    response = post(signed_in("ggzy-legal"), f"/api/complaints/{two_agencies['amr']}/accept/")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert Complaint.objects.get(pk=two_agencies["amr"]).state == Complaint.State.RECEIVED


def test_anonymous_caller_is_refused(client, demo):
    response = client.get("/api/complaints/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


# ------------------------------------------------------------------------------ the procedure


def test_every_step_through_the_api(signed_in):
    legal, leader = signed_in("legal"), signed_in("leader")
    pk = register(legal)["id"]
    url = f"/api/complaints/{pk}"

    accepted = post(legal, f"{url}/accept/")
    assert accepted.status_code == 200, accepted.content
    data = accepted.json()
    assert data["state"] == "accepted" and data["state_label"] == "办理中"
    handling = next(d for d in data["open_deadlines"] if d["rule_key"] == "complaint.handling")
    assert "第6条" in handling["citation"] and handling["state_label"] == "进行中"

    asked = post(legal, f"{url}/request-explanation/", {"matters": "请说明执法检查时是否出示执法证件。"})
    assert asked.status_code == 200, asked.content
    [request] = asked.json()["explanation_requests"]
    pending = leader.get("/api/explanation-requests/").json()["results"]
    assert [r["id"] for r in pending] == [request["id"]]
    assert (
        "content" not in pending[0]
    )  # the complainant's own words are not sent to the body complained about
    answered = leader.post(
        f"{url}/submit-explanation/",
        {"explanation": "经核查，执法人员当时已出示证件。", "files": [SimpleUploadedFile("说明.pdf", PDF)]},
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["explanation_requests"][0]["answered_at"]

    note = post(legal, f"{url}/add-material/", {"kind": "note", "note": "询问笔录：现场两名商户到场。"})
    assert note.status_code == 200, note.content
    evidence = legal.post(
        f"{url}/add-material/",
        {"kind": "evidence", "note": "执法记录仪截图", "file": SimpleUploadedFile("现场.pdf", PDF)},
    )
    assert evidence.status_code == 200, evidence.content
    added = evidence.json()["materials"][-1]
    assert added["name"] == "现场.pdf" and len(added["sha256"]) == 64

    asked_more = post(
        legal, f"{url}/request-extension/", {"amount": 10, "reasons": "需调取执法记录仪原始数据。"}
    )
    assert asked_more.status_code == 200, asked_more.content
    [extension] = asked_more.json()["extension_requests"]
    assert extension["state"] == "pending"
    assert [e["id"] for e in leader.get("/api/extension-requests/").json()["results"]] == [extension["id"]]
    assert legal.get("/api/extension-requests/").json()["results"] == []  # the requester does not approve
    assert [s["name"] for s in leader.get(f"{url}/").json()["allowed_steps"]] == [
        "complaints.approve_extension",
        "complaints.refuse_extension",
    ]
    decided = post(leader, f"{url}/approve-extension/", {"note": "同意"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["extension_requests"][0]["state"] == "approved"
    assert leader.get("/api/extension-requests/").json()["results"] == []
    extended = legal.get(f"{url}/").json()
    handling_now = next(d for d in extended["open_deadlines"] if d["rule_key"] == "complaint.handling")
    assert handling_now["state"] == "extended" and handling_now["base_due_date"] == handling["due_date"]
    assert handling_now["due_date"] > handling["due_date"]

    concluded = post(
        legal,
        f"{url}/conclude/",
        {"finding": "partly", "measures": ["correct"], "result_text": "部分属实，已责令改正。"},
    )
    assert concluded.status_code == 200, concluded.content
    data = concluded.json()
    assert data["state"] == "concluded" and data["finding_label"] == "部分属实"
    assert data["measures"] == [{"code": "correct", "label": "责令改正"}]
    assert data["open_deadlines"] == []

    archived = post(legal, f"{url}/archive/")
    assert archived.status_code == 200, archived.content
    assert archived.json()["state"] == "archived" and len(archived.json()["archive_digest"]) == 64

    revealed = post(legal, f"{url}/reveal/", {"reason": "需电话告知处理结果"})
    assert revealed.status_code == 200
    assert revealed.json()["name"] == SECRET_NAME

    timeline = legal.get(f"{url}/timeline/").json()
    assert [e["action"] for e in timeline] == [
        "complaints.submit",
        "complaints.accept",
        "complaints.request_explanation",
        "complaints.submit_explanation",
        "complaints.add_material",
        "complaints.add_material",
        "complaints.request_extension",
        "complaints.approve_extension",
        "complaints.conclude",
        "complaints.archive",
        "complaints.reveal_complainant",
    ]
    assert [e["seq"] for e in timeline] == sorted(e["seq"] for e in timeline)
    assert {e["actor_label"] for e in timeline} == {"legal", "leader"}


def test_reject_and_refer(signed_in):
    legal = signed_in("ggzy-legal")
    first, second = register(legal, "demo-ggzy")["id"], register(legal, "demo-ggzy")["id"]
    rejected = post(
        legal,
        f"/api/complaints/{first}/reject/",
        {"reason": "不属于行政执法投诉举报范围", "legal_basis": "《行政执法投诉举报制度》第五条"},
    )
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["state"] == "rejected" and rejected.json()["open_deadlines"] == []
    referred = post(
        legal, f"/api/complaints/{second}/refer/", {"competent_body": "示范区纪委监委", "reason": "涉及违纪"}
    )
    assert referred.status_code == 200, referred.content
    assert referred.json()["referred_to"] == "示范区纪委监委"
    assert post(legal, f"/api/complaints/{second}/archive/").json()["state"] == "archived"


# ----------------------------------------------------------------------------------- errors


def test_errors_name_the_field(signed_in):
    legal = signed_in("legal")
    pk = register(legal)["id"]
    missing = post(legal, f"/api/complaints/{pk}/reject/", {"reason": "不属于受理范围"})
    assert missing.status_code == 400 and "legal_basis" in error_fields(missing)
    wrong_state = post(legal, f"/api/complaints/{pk}/conclude/", {"finding": "partly", "result_text": "x"})
    assert wrong_state.status_code == 400
    assert wrong_state.json()["error"]["code"] == "invalid_state" and "state" in error_fields(wrong_state)
    assert post(legal, f"/api/complaints/{pk}/accept/").status_code == 200
    no_measures = post(
        legal, f"/api/complaints/{pk}/conclude/", {"finding": "substantiated", "result_text": "属实"}
    )
    assert no_measures.status_code == 400 and "measures" in error_fields(no_measures)
    again = post(legal, f"/api/complaints/{pk}/accept/")
    assert again.status_code == 400 and "state" in error_fields(again)
    not_handler = post(signed_in("leader"), f"/api/complaints/{pk}/archive/")
    assert not_handler.status_code == 403 and not_handler.json()["error"]["code"] == "permission_denied"
    no_reason = post(legal, f"/api/complaints/{pk}/reveal/", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in error_fields(no_reason)
    assert Complaint.objects.get(pk=pk).state == Complaint.State.ACCEPTED


def test_extension_past_the_profiles_maximum_is_refused(signed_in):
    legal = signed_in("legal")
    pk = register(legal)["id"]
    post(legal, f"/api/complaints/{pk}/accept/")
    maximum = profile_for(Agency.objects.get(code="demo-amr")).period("complaint.extension.max")
    response = post(
        legal,
        f"/api/complaints/{pk}/request-extension/",
        {"amount": maximum.amount + 1, "reasons": "案情复杂"},
    )
    assert response.status_code == 400
    assert "amount" in error_fields(response)
    assert maximum.citation.article in response.json()["error"]["message"]
    assert not Approval.objects.filter(matter_id=pk, kind="complaints.extension").exists()
    ok = post(
        legal, f"/api/complaints/{pk}/request-extension/", {"amount": maximum.amount, "reasons": "案情复杂"}
    )
    assert ok.status_code == 200


def test_refused_extension_needs_a_note_and_only_the_approver_decides(signed_in):
    legal, leader = signed_in("legal"), signed_in("leader")
    pk = register(legal)["id"]
    post(legal, f"/api/complaints/{pk}/accept/")
    post(legal, f"/api/complaints/{pk}/request-extension/", {"amount": 5, "reasons": "需补充调查"})
    approve, refuse = f"/api/complaints/{pk}/approve-extension/", f"/api/complaints/{pk}/refuse-extension/"
    assert post(legal, approve, {}).status_code == 403
    assert post(signed_in("ggzy-leader"), approve, {}).status_code == 404
    no_note = post(leader, refuse, {})
    assert no_note.status_code == 400 and "note" in error_fields(no_note)
    refused = post(leader, refuse, {"note": "理由不充分"}).json()
    assert refused["extension_requests"][0]["state"] == "refused"
    assert post(leader, approve, {}).status_code == 400  # already decided


def test_disguised_upload_is_refused_and_nothing_is_stored(signed_in):
    legal = signed_in("legal")
    pk = register(legal)["id"]
    post(legal, f"/api/complaints/{pk}/accept/")
    disguised = SimpleUploadedFile("证据.pdf", b"MZ\x90\x00 this is an executable")
    response = legal.post(f"/api/complaints/{pk}/add-material/", {"kind": "evidence", "file": disguised})
    assert response.status_code == 400 and "file" in error_fields(response)
    assert not Material.objects.filter(complaint_id=pk).exists()
    assert not LedgerEntry.objects.filter(action="complaints.add_material").exists()


# ----------------------------------------------------------------------------- lists and pages


def test_filters_and_cursor_pages(signed_in):
    legal = signed_in("legal")
    ids = [register(legal)["id"] for _ in range(5)]
    post(legal, f"/api/complaints/{ids[0]}/accept/")
    seen, url = [], "/api/complaints/?page_size=2"
    while url:
        page = legal.get(url).json()
        assert len(page["results"]) <= 2
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == sorted(ids, reverse=True)  # newest first, each once
    states = legal.get("/api/complaints/?state=accepted").json()["results"]
    assert [c["id"] for c in states] == [ids[0]]
    both = legal.get("/api/complaints/?state=accepted&state=received").json()["results"]
    assert len(both) == 5
    assert legal.get("/api/complaints/?channel=hotline").json()["results"] == []
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert (
        len(legal.get(f"/api/complaints/?received_from={today}&received_to={today}").json()["results"]) == 5
    )
    assert legal.get(f"/api/complaints/?received_to={yesterday}").json()["results"] == []
    bad = legal.get("/api/complaints/?state=lost")
    assert bad.status_code == 400 and "state" in error_fields(bad)
    backwards = legal.get(f"/api/complaints/?received_from={today}&received_to={yesterday}")
    assert "received_to" in error_fields(backwards)
    assert "cursor" in error_fields(legal.get("/api/complaints/?cursor=garbage"))


def test_list_queries_do_not_grow_with_the_page(demo, signed_in):
    legal, amr = demo["legal"], Agency.objects.get(code="demo-amr")
    client = signed_in("legal")

    def make(n: int) -> None:
        for _ in range(n):
            receipt = services.submit_complaint(
                services.Intake(
                    agency=amr,
                    channel="letter",
                    category=category("demo-amr"),
                    content="内容",
                    complainant=services.Complainant(name=SECRET_NAME, phone=SECRET_PHONE),
                ),
                actor=legal,
            )
            services.accept_complaint(receipt.complaint, actor=legal)

    make(5)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/api/complaints/").json()["results"]) == 5
    make(20)
    with CaptureQueriesContext(connection) as twenty_five:
        page = client.get("/api/complaints/").json()["results"]
    assert len(page) == 25 and all(c["open_deadlines"] for c in page)
    assert len(twenty_five) == len(five)


def test_deadlines_overdue_and_due_soon(signed_in):
    legal = signed_in("ggzy-legal")
    ids = [register(legal, "demo-ggzy")["id"] for _ in range(3)]
    today = timezone.localdate()
    late = Deadline.objects.filter(subject_id__in=ids[:2], rule_key="complaint.acceptance")
    late.update(due_date=today - datetime.timedelta(days=3))
    Deadline.objects.filter(subject_id=ids[2], rule_key="complaint.acceptance").update(due_date=today)

    overdue = legal.get("/api/deadlines/?due=overdue").json()
    assert sorted(d["subject_id"] for d in overdue["results"]) == sorted(ids[:2])
    assert all(d["overdue"] and d["subject_type"] == "complaints.complaint" for d in overdue["results"])
    soon = legal.get("/api/deadlines/?due=soon").json()["results"]
    assert [d["subject_id"] for d in soon] == [ids[2]]
    assert "第五条" in soon[0]["citation"]

    first = legal.get("/api/deadlines/?due=overdue&page_size=1").json()
    second = legal.get(first["next"]).json()
    assert {first["results"][0]["id"], second["results"][0]["id"]} == {d["id"] for d in overdue["results"]}
    assert second["next"] is None

    assert signed_in("supervisor").get("/api/deadlines/?due=overdue").json()["results"] == overdue["results"]
    # Within the agency only those who may see its complaints see their deadlines.
    assert signed_in("ggzy-leader").get("/api/deadlines/").json()["results"]
    assert signed_in("legal").get("/api/deadlines/").json()["results"] == []
    assert signed_in("handler").get("/api/deadlines/").json()["results"] == []
    assert "due" in error_fields(legal.get("/api/deadlines/?due=later"))


def test_the_body_complained_about_sees_what_it_must_explain_and_nothing_more(signed_in):
    # 002 第九条 (profile jingzhou-zwsj): a supervisory body asks the agency complained about to
    # explain within 15 days; that deadline runs against the agency complained about.
    bureau = orgs.create_agency(
        actor=None,
        code="test-zwsj",
        name="测试区司法局",
        kind=Agency.Kind.SUPERVISORY,
        profile=RuleProfile.objects.get(code="jingzhou-zwsj"),
    )
    bureau_legal = orgs.create_person(
        actor=None,
        username="zwsj-legal",
        full_name="测试法制",
        password="Jiandu-test-2026!",
        agency=bureau,
        # 002 第五条（六）: the unit in charge of legal work takes complaints.
        unit=orgs.create_unit(actor=None, agency=bureau, name="法制科", kind=Unit.Kind.LEGAL_AFFAIRS),
        roles=(Role.LEGAL_AFFAIRS,),
    )
    staff = Client()
    staff.force_login(bureau_legal)
    pk = register(staff, "test-zwsj", target_agency="demo-ggzy")["id"]
    assert post(staff, f"/api/complaints/{pk}/accept/").status_code == 200
    assert (
        post(
            staff,
            f"/api/complaints/{pk}/request-explanation/",
            {"matters": "请说明执法检查时是否出示执法证件。"},
        ).status_code
        == 200
    )

    respondent = signed_in("ggzy-legal")
    assert respondent.get(f"/api/complaints/{pk}/").status_code == 404
    requests = respondent.get("/api/explanation-requests/")
    [request] = requests.json()["results"]
    # The body's 15 days run from its receipt of the notice (签收), not from the request.
    assert request["complaint"] == pk and request["due"] is None
    signed = respondent.post(f"/api/complaints/{pk}/receive-explanation-request/")
    assert signed.status_code == 200, signed.content
    # Taken without sight of the complaint: the answer tells nothing of it beyond its number.
    assert signed.json() == {
        "number": request["complaint_number"],
        "step": "complaints.receive_explanation_request",
    }
    requests = respondent.get("/api/explanation-requests/")
    [request] = requests.json()["results"]
    assert request["due"]["rule_key"] == "complaint.respondent_explanation"
    assert "第九条" in request["due"]["citation"]
    again = respondent.post(f"/api/complaints/{pk}/receive-explanation-request/")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_state"
    assert_no_secret(requests)
    deadlines = respondent.get("/api/deadlines/").json()["results"]
    assert [d["rule_key"] for d in deadlines] == ["complaint.respondent_explanation"]
    assert signed_in("legal").get("/api/explanation-requests/").json()["results"] == []
    assert signed_in("legal").get("/api/deadlines/").json()["results"] == []
    handling = {d["rule_key"] for d in staff.get("/api/deadlines/").json()["results"]}
    assert "complaint.respondent_explanation" not in handling  # it is the respondent's to meet

    answered = post(respondent, f"/api/complaints/{pk}/submit-explanation/", {"explanation": "已核查。"})
    assert answered.status_code == 200
    assert respondent.get("/api/explanation-requests/").json()["results"][0]["due"] is None
    assert respondent.get("/api/deadlines/").json()["results"] == []
    again = post(respondent, f"/api/complaints/{pk}/submit-explanation/", {"explanation": "再次说明"})
    assert again.status_code == 400 and "state" in error_fields(again)


@pytest.mark.demo_users("username")
def test_deadline_list_follows_the_complaint_scope_for_every_role(demo, signed_in, sealed_world, username):
    # A complaint about ggzy-legal himself: his leader sees it and its deadline, he sees neither.
    ggzy = Agency.objects.get(code="demo-ggzy")
    services.submit_complaint(
        services.Intake(
            agency=ggzy,
            channel="online",
            category=category("demo-ggzy"),
            content="法治科工作人员推诿投诉。",
            target_officer=demo["ggzy-legal"],
            complainant=services.Complainant(name=SECRET_NAME, phone=SECRET_PHONE),
        )
    )
    visible = Complaint.objects.restrict(demo[username]).values("pk")
    expected = set(
        Deadline.objects.filter(subject_id__in=visible, closed_at__isnull=True).values_list("id", flat=True)
    )
    listed = signed_in(username).get("/api/deadlines/?page_size=200")
    assert {d["id"] for d in listed.json()["results"]} == expected
    assert listed.json()["next"] is None


# ------------------------------------------------------------------------------------ schema


def test_openapi_schema_validates_without_warnings(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    for path in [
        "/api/complaints/",
        "/api/complaints/{id}/reveal/",
        "/api/complaints/{id}/timeline/",
        "/api/complaints/{id}/request-explanation/",
        "/api/complaints/{id}/approve-extension/",
        "/api/complaints/{id}/submit-explanation/",
        "/api/extension-requests/",
        "/api/explanation-requests/",
        "/api/deadlines/",
        "/api/hotline/tickets/{ticket_no}/rating/",
    ]:
        assert f"{path}:" in text, path
    assert "complainant_sealed" not in text


# ---------------------------------------------------------------------------- confidentiality


@pytest.fixture
def sealed_world(signed_in) -> dict[str, int]:
    """A complaint at every stage, each with the distinctive complainant, and open requests on them."""
    legal = signed_in("legal")
    ids = {"received": register(legal)["id"], "accepted": register(legal, target_agency="demo-ggzy")["id"]}
    post(legal, f"/api/complaints/{ids['accepted']}/accept/")
    post(
        legal,
        f"/api/complaints/{ids['accepted']}/request-explanation/",
        {"matters": "请说明执法检查时是否出示执法证件。"},
    )
    post(legal, f"/api/complaints/{ids['accepted']}/request-extension/", {"amount": 3, "reasons": "补充调查"})
    ids["concluded"] = register(legal)["id"]
    post(legal, f"/api/complaints/{ids['concluded']}/accept/")
    post(
        legal,
        f"/api/complaints/{ids['concluded']}/conclude/",
        {"finding": "not_substantiated", "measures": [], "result_text": "查证不属实。"},
    )
    ids["assigned"] = register(signed_in("supervisor"), "demo-cgzf", channel="assigned")["id"]
    return ids


@pytest.mark.demo_users("username")
def test_no_endpoint_shows_the_complainant(demo, signed_in, sealed_world, username):
    client = signed_in(username)
    # Every staff member gets the lists (scoped to what they may see) ...
    responses = [
        client.get("/api/complaints/"),
        client.get("/api/complaints/?state=accepted"),
        client.get("/api/deadlines/"),
        client.get("/api/deadlines/?due=soon"),
        client.get("/api/extension-requests/"),
        client.get("/api/explanation-requests/"),
    ]
    for response in responses:
        assert response.status_code == 200, (username, response.content)
    # ... and each complaint opens for exactly those who must see it (the sets the page sweep states).
    for pk in sealed_world.values():
        must_see = SEE_CGZF if Complaint.objects.get(pk=pk).agency.code == "demo-cgzf" else SEE_AMR
        for response in (client.get(f"/api/complaints/{pk}/"), client.get(f"/api/complaints/{pk}/timeline/")):
            assert response.status_code == (200 if username in must_see else 404), (username, pk)
            responses.append(response)
        # The handling legal staff may reveal (tested below); everyone else is refused.
        if not services.may_reveal(demo[username], Complaint.objects.get(pk=pk)):
            refused = post(client, f"/api/complaints/{pk}/reveal/", {"reason": "想看看"})
            assert refused.status_code in (403, 404)
            responses.append(refused)
    for response in responses:
        assert_no_secret(response)
    assert not LedgerEntry.objects.filter(action="complaints.reveal_complainant").exists()


def test_reveal_shows_the_identity_to_the_handler_only_and_is_ledgered(signed_in, sealed_world):
    legal = signed_in("legal")
    for count, pk in enumerate([sealed_world["received"], sealed_world["accepted"]], start=1):
        response = post(legal, f"/api/complaints/{pk}/reveal/", {"reason": "核实投诉事实"})
        assert response.status_code == 200
        assert response.json()["name"] == SECRET_NAME and response.json()["phone"] == SECRET_PHONE
        assert response.json()["email"] == SECRET_EMAIL
        assert "no-store" in response["Cache-Control"]
        entries = LedgerEntry.objects.filter(action="complaints.reveal_complainant")
        assert entries.count() == count
        entry = entries.get(object_id=str(pk))
        assert entry.actor.username == "legal"
        assert all(secret not in json.dumps(entry.payload, ensure_ascii=False) for secret in SECRETS)
    # The reveal itself is on the timeline, without the identity.
    timeline = legal.get(f"/api/complaints/{sealed_world['received']}/timeline/")
    assert timeline.json()[-1]["action"] == "complaints.reveal_complainant"
    assert_no_secret(timeline)
    # Another agency's legal staff and the complaint's own supervisors cannot reveal it.
    refused = post(
        signed_in("supervisor"), f"/api/complaints/{sealed_world['received']}/reveal/", {"reason": "x"}
    )
    assert refused.status_code == 403


def test_a_dissatisfied_answer_is_handled_again_through_the_api(signed_in):
    legal = signed_in("legal")
    pk = register(legal)["id"]
    url = f"/api/complaints/{pk}"
    post(legal, f"{url}/accept/")
    post(
        legal,
        f"{url}/conclude/",
        {"finding": "not_substantiated", "measures": [], "result_text": "经查不属实。"},
    )
    refused = post(legal, f"{url}/rehandle/", {"reason": "复查"})
    assert refused.status_code == 400 and "state" in refused.json()["error"]["fields"]
    services.rate_complaint(Complaint.objects.get(pk=pk), value="dissatisfied")
    blank = post(legal, f"{url}/rehandle/", {"reason": ""})
    assert blank.status_code == 400 and "reason" in blank.json()["error"]["fields"]
    reopened = post(legal, f"{url}/rehandle/", {"reason": "补充调查现场视频。"})
    assert reopened.status_code == 200, reopened.content
    data = reopened.json()
    assert data["state"] == "accepted" and data["answer_round"] == 1 and data["finding"] == ""
    assert data["rehandling_reason"] == "补充调查现场视频。"
    assert [(r["answer_round"], r["value"]) for r in data["ratings"]] == [(1, "dissatisfied")]
    again = post(
        legal, f"{url}/conclude/", {"finding": "partly", "measures": ["correct"], "result_text": "部分属实。"}
    )
    assert again.json()["answer_round"] == 2 and again.json()["state"] == "concluded"
    other = post(signed_in("ggzy-legal"), f"{url}/rehandle/", {"reason": "x"})
    assert other.status_code == 404  # outside its scope, the complaint does not exist for it
