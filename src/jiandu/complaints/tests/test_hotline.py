"""The 12345 hotline: its account and token, hand-over through the API, status back, batch import."""

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook
from rest_framework.authtoken.models import Token

from jiandu.complaints import services
from jiandu.complaints.hotline import import_tickets, template_csv, template_xlsx
from jiandu.complaints.models import Complaint, Rating
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Person, Role

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
CALLER_NAME, CALLER_PHONE = "保密测试人乙", "13900002222"
SAMPLE_CALLERS = ("样例来电人甲", "样例来电人丙", "13800001111", "13800002222", "13800003333")
GGZY_CATEGORY = "刁难、谩骂、殴打行政相对人"
AMR_CATEGORY = "不履行或者拖延履行法定职责"


def make_account(username: str = "hotline", agency: str = "demo-district") -> str:
    out, err = StringIO(), StringIO()
    call_command("hotline_account", "create", username, "--agency", agency, stdout=out, stderr=err)
    return out.getvalue().strip()


def token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def ticket(ticket_no: str = "12345-2026-000001", agency: str = "demo-ggzy", **overrides) -> dict:
    values = {
        "ticket_no": ticket_no,
        "agency": agency,
        "category": GGZY_CATEGORY if agency == "demo-ggzy" else AMR_CATEGORY,
        "content": "来电反映监管人员在开标现场辱骂投标人。",
        "caller_name": CALLER_NAME,
        "caller_phone": CALLER_PHONE,
        "occurred_on": "2026-11-03",
        "target_description": "监督执法科工作人员",
    }
    values.update(overrides)
    return values


def post(client: Client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def assert_no_caller(text: str, callers=(CALLER_NAME, CALLER_PHONE)) -> None:
    for value in callers:
        assert value not in text


@pytest.fixture
def hotline(demo) -> Client:
    return token_client(make_account())


# --------------------------------------------------------------------------------- the account


def test_account_is_a_hotline_person_with_a_token_printed_once(demo):
    key = make_account()
    person = Person.objects.get(username="hotline")
    assert person.role_codes == {Role.HOTLINE} and person.agency.code == "demo-district"
    assert Token.objects.get(user=person).key == key
    issued = LedgerEntry.objects.get(action="complaints.hotline_token.issue")
    assert issued.object_id == str(person.pk)
    assert key not in json.dumps([e.payload for e in LedgerEntry.objects.all()])
    assert LedgerEntry.objects.filter(action="orgs.person.create", object_id=str(person.pk)).exists()
    with pytest.raises(CommandError):
        make_account()  # the user name is taken
    with pytest.raises(CommandError):
        make_account("hotline2", "no-such-agency")


def test_rotate_replaces_the_token(demo):
    old = make_account()
    out = StringIO()
    call_command("hotline_account", "rotate", "hotline", stdout=out, stderr=StringIO())
    new = out.getvalue().strip()
    assert new and new != old
    stale = token_client(old).get("/api/hotline/tickets/x/")
    assert stale.status_code in (401, 403) and stale.json()["error"]["code"] == "authentication_failed"
    assert token_client(new).get("/api/hotline/tickets/x/").status_code == 404
    rotated = LedgerEntry.objects.get(action="complaints.hotline_token.rotate")
    assert rotated.payload == {"person": Person.objects.get(username="hotline").pk, "replaced": True}
    with pytest.raises(CommandError):
        call_command("hotline_account", "rotate", "legal", stdout=StringIO(), stderr=StringIO())


# ----------------------------------------------------------------------------- hand-over by API


def test_a_ticket_registers_once(hotline):
    first = post(hotline, "/api/hotline/tickets/", ticket())
    assert first.status_code == 201, first.content
    receipt = first.json()
    assert receipt["created"] and receipt["secret"] and receipt["number"].startswith("DEMO-GGZY-TS-")
    again = post(hotline, "/api/hotline/tickets/", ticket())
    assert again.status_code == 200
    assert again.json()["number"] == receipt["number"] and again.json()["secret"] == ""
    assert not again.json()["created"]
    complaint = Complaint.objects.get()
    assert complaint.channel == Complaint.Channel.HOTLINE and complaint.hotline_ticket == "12345-2026-000001"
    entry = LedgerEntry.objects.get(action="complaints.submit")
    assert entry.actor is None and entry.actor_label == "hotline"
    for response in (first, again):
        assert_no_caller(response.content.decode())


def test_a_bad_ticket_names_the_field_and_registers_nothing(hotline):
    cases = [
        (ticket(category="不存在的类别"), "category"),
        (ticket(caller_name=""), "caller_name"),
        (ticket(caller_phone=""), "caller_phone"),
        (ticket(agency="no-such-agency"), "agency"),
        (ticket(occurred_on="2026-13-01"), "occurred_on"),
        (ticket(ticket_no=""), "ticket_no"),
        (ticket(content=""), "content"),
    ]
    for data, field in cases:
        response = post(hotline, "/api/hotline/tickets/", data)
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["error"]["fields"], (field, response.json())
        assert_no_caller(response.content.decode())
    assert not Complaint.objects.exists()
    anonymous = post(
        hotline, "/api/hotline/tickets/", ticket(caller_name="", caller_phone="", anonymous=True)
    )
    assert anonymous.status_code == 201


def test_the_hotline_reaches_only_the_agencies_below_its_own(demo):
    narrow = token_client(make_account("hotline-ggzy", "demo-ggzy"))
    refused = post(narrow, "/api/hotline/tickets/", ticket(agency="demo-amr"))
    assert refused.status_code == 400 and "agency" in refused.json()["error"]["fields"]
    assert post(narrow, "/api/hotline/tickets/", ticket()).status_code == 201
    wide = token_client(make_account())
    assert post(wide, "/api/hotline/tickets/", ticket("T-2", agency="demo-amr")).status_code == 201
    assert narrow.get("/api/hotline/tickets/T-2/").status_code == 404


def test_status_and_result_come_back_without_the_caller(hotline, signed_in):
    post(hotline, "/api/hotline/tickets/", ticket())
    url = "/api/hotline/tickets/12345-2026-000001/"
    received = hotline.get(url)
    assert received.status_code == 200
    data = received.json()
    assert data["state"] == "received" and data["state_label"] == "待受理"
    assert data["due_date"]  # 000 附件1 第五条: the acceptance period runs
    assert_no_caller(received.content.decode())

    legal = signed_in("ggzy-legal")
    pk = Complaint.objects.get().pk
    post(legal, f"/api/complaints/{pk}/accept/", {})
    post(
        legal,
        f"/api/complaints/{pk}/conclude/",
        {
            "finding": "substantiated",
            "measures": ["correct"],
            "result_text": "情况属实，已责令改正并向投标人道歉。",
        },
    )
    concluded = hotline.get(url).json()
    assert concluded["state"] == "concluded" and concluded["finding"] == "substantiated"
    assert concluded["result_text"].startswith("情况属实") and concluded["concluded_at"]
    assert concluded["due_date"] is None

    rated = post(hotline, f"{url}rating/", {"value": "dissatisfied", "visit_id": "HF-1"})
    assert rated.status_code == 201, rated.content
    assert rated.json()["value_label"] == "不满意" and rated.json()["answer_round"] == 1
    # The same visit sent again (a retry after a lost answer) is answered, not counted again.
    again = post(hotline, f"{url}rating/", {"value": "dissatisfied", "visit_id": "HF-1"})
    assert again.status_code == 200 and again.json() == rated.json()
    rating = Rating.objects.get()
    assert rating.source == "hotline" and rating.visit_id == "HF-1"
    assert LedgerEntry.objects.get(action="complaints.rate").actor_label == "hotline"
    changed = post(hotline, f"{url}rating/", {"value": "satisfied", "visit_id": "HF-1"})
    assert changed.status_code == 400 and "value" in changed.json()["error"]["fields"]
    bad = post(hotline, f"{url}rating/", {"value": "great", "visit_id": "HF-2"})
    assert bad.status_code == 400 and "value" in bad.json()["error"]["fields"]
    unnumbered = post(hotline, f"{url}rating/", {"value": "satisfied"})
    assert unnumbered.status_code == 400 and "visit_id" in unnumbered.json()["error"]["fields"]
    assert Rating.objects.count() == 1
    assert hotline.get(url).json()["ratings"][0]["value"] == "dissatisfied"
    assert_no_caller(hotline.get(url).content.decode())


def test_two_dissatisfied_ratings_put_the_ticket_under_supervision(hotline, signed_in):
    # 001 附件1 二 (profile liangping-district): two 不满意 → 督办.
    post(hotline, "/api/hotline/tickets/", ticket("LP-1", agency="demo-cgzf", category="行政处罚"))
    complaint = Complaint.objects.get()
    legal = signed_in("cgzf-legal")
    post(legal, f"/api/complaints/{complaint.pk}/accept/", {})
    post(
        legal,
        f"/api/complaints/{complaint.pk}/conclude/",
        {"finding": "not_substantiated", "measures": [], "result_text": "经查，执法程序合法。"},
    )
    rate = "/api/hotline/tickets/LP-1/rating/"
    assert not post(hotline, rate, {"value": "dissatisfied", "visit_id": "HF-1"}).json()["supervised"]
    assert not post(hotline, rate, {"value": "dissatisfied", "visit_id": "HF-1"}).json()["supervised"]
    assert post(hotline, rate, {"value": "dissatisfied", "visit_id": "HF-2"}).json()["supervised"]


def test_rejection_and_referral_are_reported_with_their_reasons(hotline, signed_in):
    post(hotline, "/api/hotline/tickets/", ticket("R-1"))
    post(hotline, "/api/hotline/tickets/", ticket("R-2"))
    legal = signed_in("ggzy-legal")
    first, second = (Complaint.objects.get(hotline_ticket=t).pk for t in ("R-1", "R-2"))
    post(legal, f"/api/complaints/{first}/reject/", {"reason": "已过投诉时效", "legal_basis": "制度第五条"})
    post(
        legal, f"/api/complaints/{second}/refer/", {"competent_body": "示范区纪委监委", "reason": "涉嫌违纪"}
    )
    rejected = hotline.get("/api/hotline/tickets/R-1/").json()
    assert rejected["state"] == "rejected" and rejected["rejection_reason"] == "已过投诉时效"
    assert rejected["legal_basis"] == "制度第五条" and rejected["referral_reason"] == ""
    referred = hotline.get("/api/hotline/tickets/R-2/").json()
    assert referred["referred_to"] == "示范区纪委监委" and referred["referral_reason"] == "涉嫌违纪"
    assert referred["rejection_reason"] == ""
    too_early = post(hotline, "/api/hotline/tickets/R-1/rating/", {"value": "satisfied", "visit_id": "HF-1"})
    assert too_early.status_code == 400 and "state" in too_early.json()["error"]["fields"]


def test_the_hotline_account_sees_nothing_else(hotline, signed_in):
    post(hotline, "/api/hotline/tickets/", ticket())
    pk = Complaint.objects.get().pk
    for url in [
        "/api/complaints/",
        f"/api/complaints/{pk}/",
        f"/api/complaints/{pk}/timeline/",
        "/api/deadlines/",
    ]:
        assert hotline.get(url).status_code == 403, url
    assert hotline.get("/api/extension-requests/").status_code == 403
    assert post(hotline, f"/api/complaints/{pk}/accept/", {}).status_code == 403
    # …and staff cannot use the hotline's endpoints.
    staff = signed_in("ggzy-legal")
    assert staff.get("/api/hotline/tickets/12345-2026-000001/").status_code == 403
    assert post(staff, "/api/hotline/tickets/", ticket("other")).status_code == 403
    assert Client().get("/api/hotline/tickets/12345-2026-000001/").status_code in (401, 403)


def test_the_hotline_may_also_post_to_the_complaints_endpoint(hotline):
    data = {
        "agency": "demo-ggzy",
        "channel": "online",
        "category": GGZY_CATEGORY,
        "content": "来电反映开标现场秩序混乱。",
        "complainant": {"name": CALLER_NAME, "phone": CALLER_PHONE},
        "hotline_ticket": "C-1",
    }
    created = post(hotline, "/api/complaints/", data)
    assert created.status_code == 201, created.content
    assert Complaint.objects.get().channel == Complaint.Channel.HOTLINE  # always a hand-over
    assert post(hotline, "/api/complaints/", data).status_code == 200
    missing = post(hotline, "/api/complaints/", {**data, "hotline_ticket": ""})
    assert missing.status_code == 400 and "hotline_ticket" in missing.json()["error"]["fields"]
    assert Complaint.objects.count() == 1


# ---------------------------------------------------------------------------------- batch files


def sample_text() -> str:
    return (FIXTURES / "hotline_sample.csv").read_text(encoding="utf-8")


def xlsx_from(text: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in text.splitlines():
        cells = row.split(",")
        # Phone numbers as numbers, as a spreadsheet keeps them.
        sheet.append([int(c) if c.isdigit() and len(c) == 11 else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "file_format"),
    [
        (sample_text().encode("utf-8"), "batch.csv", "CSV，UTF-8"),
        (sample_text().encode("utf-8-sig"), "batch.csv", "CSV，UTF-8"),
        (sample_text().encode("gbk"), "batch.csv", "CSV，GBK/GB18030"),
        (xlsx_from(sample_text()), "batch.xlsx", "Excel .xlsx"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "xlsx"],
)
def test_import_each_file_kind_and_again_idempotently(demo, data, filename, file_format):
    report = import_tickets(data, filename)
    assert report.error == "" and report.file_format == file_format
    assert [r.status for r in report.rows] == ["created"] * 3, report.lines()
    tickets = {c.hotline_ticket: c for c in Complaint.objects.select_related("agency")}
    assert {t: c.agency.code for t, c in tickets.items()} == {
        "12345-2026-000101": "demo-amr",
        "12345-2026-000102": "demo-cgzf",
        "12345-2026-000103": "demo-ggzy",
    }
    assert (
        tickets["12345-2026-000102"].anonymous
        and str(tickets["12345-2026-000103"].occurred_on) == "2026-11-10"
    )
    legal = Person.objects.get(username="legal")
    identity = services.reveal_complainant(tickets["12345-2026-000101"], actor=legal, reason="测试")
    assert identity["name"] == "样例来电人甲" and identity["phone"] == "13800001111"

    again = import_tickets(data, filename)
    assert [r.status for r in again.rows] == ["existing"] * 3
    assert [r.number for r in again.rows] == [r.number for r in report.rows]
    assert Complaint.objects.count() == 3
    assert_no_caller("\n".join(report.lines() + again.lines()), SAMPLE_CALLERS)


def test_broken_rows_are_reported_one_by_one_and_the_rest_go_in(demo):
    header = sample_text().splitlines()[0]
    rows = [
        f"OK-1,demo-amr,,{AMR_CATEGORY},反映问题一,{CALLER_NAME},{CALLER_PHONE},否,2026-11-01,",
        f"BAD-2,demo-amr,,{AMR_CATEGORY},,{CALLER_NAME},{CALLER_PHONE},否,2026-11-01,",
        f"BAD-3,demo-nowhere,,{AMR_CATEGORY},反映问题三,{CALLER_NAME},{CALLER_PHONE},否,,",
        f"BAD-4,demo-amr,,{AMR_CATEGORY},反映问题四,{CALLER_NAME},{CALLER_PHONE},否,2026-02-30,",
        f"BAD-5,demo-amr,,不存在的类别,反映问题五,{CALLER_NAME},{CALLER_PHONE},否,,",
        f"BAD-6,demo-amr,,{AMR_CATEGORY},反映问题六,,{CALLER_PHONE},否,,",
        f"BAD-7,demo-amr,,{AMR_CATEGORY},反映问题七,{CALLER_NAME},{CALLER_PHONE},也许,,",
        f"BAD-8,demo-amr,,{AMR_CATEGORY},反映问题八,{CALLER_NAME},{CALLER_PHONE},否,,,多出的,{CALLER_NAME}",
        f"BAD-9,demo-amr,示范区司法局,{AMR_CATEGORY},反映问题九,{CALLER_NAME},{CALLER_PHONE},否,,",
        "",
        f"OK-1,demo-amr,,{AMR_CATEGORY},反映问题一,{CALLER_NAME},{CALLER_PHONE},否,2026-11-01,",
    ]
    report = import_tickets("\n".join([header, *rows]).encode("gbk"), "broken.csv")
    outcome = [(r.row, r.ticket, r.status, r.column) for r in report.rows]
    assert outcome == [
        (2, "OK-1", "created", ""),
        (3, "BAD-2", "rejected", "诉求内容"),
        (4, "BAD-3", "rejected", "受理机关代码"),
        (5, "BAD-4", "rejected", "发生日期"),
        (6, "BAD-5", "rejected", "投诉类别"),
        (7, "BAD-6", "rejected", "来电人"),
        (8, "BAD-7", "rejected", "是否匿名"),
        (9, "BAD-8", "rejected", ""),
        (10, "BAD-9", "rejected", "受理机关"),
        (12, "OK-1", "existing", ""),
    ]
    assert all(r.reason for r in report.rejected)
    assert Complaint.objects.count() == 1 and not report.ok
    text = "\n".join(report.lines())
    assert "第6行（工单 BAD-5）：退回 【投诉类别】" in text
    assert "新登记 1 行，已存在 1 行，退回 8 行" in text
    assert_no_caller(text)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (sample_text().encode("utf-16"), "batch.csv", "编码"),
        (sample_text().encode("big5", errors="replace"), "batch.csv", "表头缺少"),
        (b"", "batch.csv", "空"),
        (b"just,some,columns\n1,2,3\n", "batch.csv", "表头缺少：工单编号"),
        (b"PK\x03\x04 not really a zip", "batch.xlsx", "Excel"),
        (sample_text().encode("utf-8"), "batch.xlsx", "不是 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "batch.xls", ".xls"),
    ],
    ids=["utf16", "unknown-bytes", "empty", "wrong-header", "broken-zip", "csv-named-xlsx", "xls"],
)
def test_an_unusable_file_is_rejected_as_a_whole(demo, data, filename, message):
    report = import_tickets(data, filename)
    assert message in report.error and report.rows == [] and not report.ok
    assert "整个文件未导入" in "\n".join(report.lines())
    assert not Complaint.objects.exists()


def test_the_command_prints_the_report_and_exits_by_outcome(demo, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes((FIXTURES / "hotline_sample.csv").read_bytes())
    out = StringIO()
    call_command("hotline_import", str(good), stdout=out)
    assert "新登记 3 行" in out.getvalue()
    assert_no_caller(out.getvalue(), SAMPLE_CALLERS)
    bad = tmp_path / "bad.csv"
    bad.write_text(sample_text().replace("2026-11-02", "2026-11-99"), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("hotline_import", str(bad), stdout=out)
    assert refused.value.returncode == 1
    assert "已存在 2 行，退回 1 行" in out.getvalue() and "【发生日期】" in out.getvalue()
    with pytest.raises(CommandError) as missing:
        call_command("hotline_import", str(tmp_path / "missing.csv"), stdout=StringIO())
    assert "无法读取" in str(missing.value)


def test_the_template_is_shipped_and_printed(demo, tmp_path):
    shipped = (FIXTURES / "hotline_template.csv").read_bytes()
    assert shipped == template_csv()
    out = StringIO()
    call_command("hotline_import", "--template", stdout=out)
    assert out.getvalue().strip() == shipped.decode("utf-8-sig").strip()
    target = tmp_path / "模板.xlsx"
    call_command("hotline_import", "--template", str(target), stdout=StringIO())
    assert target.read_bytes()[:4] == b"PK\x03\x04"
    # The templates are importable as they are: a header and no rows.
    for data, name in ((template_xlsx(), "t.xlsx"), (shipped, "t.csv")):
        report = import_tickets(data, name)
        assert report.ok and report.rows == []
