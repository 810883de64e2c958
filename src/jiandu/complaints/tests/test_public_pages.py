"""The public complaint pages: the form, the one-time receipt, the status page, rate limits."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.models import Complaint, Material, Rating
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency
from jiandu.orgs.profiles import profile_for

pytestmark = pytest.mark.django_db

# Distinctive identity values: the confidentiality tests look for them in every page.
SECRET_NAME, SECRET_PHONE, SECRET_EMAIL = "保密测试人甲", "13900001111", "secret-person@example.com"
SECRET_ADDRESS = "保密路一号"
CONTENT = "执法人员检查时态度恶劣，未出示执法证件。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def fresh_cache_and_media(settings, tmp_path):
    """Rate-limit counters and form tokens live in the cache; files go to a scratch folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def first_category(target: Agency) -> str:
    return services.categories_for(profile_for(target))[0]


def open_form(client: Client, receiving: Agency) -> str:
    """Open the form for an agency; returns its one-time token."""
    page = client.get(f"/complaint/new/?agency={receiving.pk}")
    assert page.status_code == 200
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def form_data(client: Client, receiving: Agency, **overrides) -> dict:
    data = {
        "form_token": open_form(client, receiving),
        "agency": receiving.pk,
        "category": first_category(receiving),
        "target_agency": "",
        "target_description": "穿制服的男性执法人员",
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "content": CONTENT,
        "name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "email": SECRET_EMAIL,
        "address": SECRET_ADDRESS,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: Client, receiving: Agency, **overrides) -> tuple[str, str, Complaint]:
    """File a complaint through the public form; returns (tracking code, secret, complaint)."""
    response = client.post("/complaint/new/", form_data(client, receiving, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/complaint/receipt/"
    page = client.get("/complaint/receipt/").content.decode()
    code = re.search(r'id="tracking-code">([A-Z0-9]+)<', page).group(1)
    secret = re.search(r'id="tracking-secret">([A-Z0-9]+)<', page).group(1)
    return code, secret, Complaint.objects.get(tracking_code=code)


def look_up(client: Client, code: str, secret: str) -> str:
    response = client.post("/complaint/status/", {"tracking_code": code, "secret": secret})
    if response.status_code == 302:
        return client.get("/complaint/status/").content.decode()
    return response.content.decode()


def field_group(page: str, field: str) -> str:
    """The HTML from a field's error list to its widget: where its message must appear."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


# ------------------------------------------------------------------------------------- the form


def test_form_first_asks_for_the_receiving_agency_then_offers_its_categories(demo):
    client = Client()
    page = client.get("/complaint/new/").content.decode()
    assert "请选择受理您投诉举报的机关" in page
    for code in ("demo-amr", "demo-ggzy", "demo-cgzf"):
        assert agency(code).name in page
    amr = agency("demo-amr")
    page = client.get(f"/complaint/new/?agency={amr.pk}").content.decode()
    for category in services.categories_for(profile_for(amr)):
        assert category in page
    assert "示范区城市管理综合行政执法局" in page  # a possible target agency
    assert 'name="attachments"' in page and "multiple" in page


def test_submit_shows_code_and_secret_once_and_seals_the_identity(demo):
    client = Client()
    amr = agency("demo-amr")
    attachment = SimpleUploadedFile(f"{SECRET_NAME}的证据.pdf", PDF, content_type="application/pdf")
    data = form_data(client, amr, entrusted="on", entrusted_by="委托人乙", attachments=attachment)
    response = client.post("/complaint/new/", data)
    assert response.status_code == 302
    first = client.get("/complaint/receipt/")
    page = first.content.decode()
    assert "只显示这一次" in page
    code = re.search(r'id="tracking-code">([A-Z0-9]+)<', page).group(1)
    secret = re.search(r'id="tracking-secret">([A-Z0-9]+)<', page).group(1)
    assert "no-store" in first["Cache-Control"]
    complaint = Complaint.objects.get()
    assert complaint.tracking_code == code and services.find_by_tracking(code, secret) == complaint
    assert complaint.channel == Complaint.Channel.ONLINE and complaint.entrusted
    assert complaint.number in page
    # Refreshing the receipt does not show them again.
    again = client.get("/complaint/receipt/").content.decode()
    assert code not in again and secret not in again
    assert "回执已显示过" in again and complaint.number in again
    # Identity is sealed; the attachment is kept with its digest.
    assert SECRET_NAME not in complaint.complainant_sealed
    assert SECRET_PHONE not in complaint.complainant_sealed
    material = Material.objects.get(complaint=complaint)
    assert material.kind == Material.Kind.ATTACHMENT and material.size == len(PDF)
    entry = LedgerEntry.objects.get(action="complaints.submit", object_id=str(complaint.pk))
    assert entry.actor_label == "public"
    assert SECRET_NAME not in str(entry.payload) and SECRET_PHONE not in str(entry.payload)


def test_anonymous_complaint_needs_no_identity(demo):
    client = Client()
    code, secret, complaint = submit(
        client, agency("demo-ggzy"), anonymous="on", name="", phone="", email="", address=""
    )
    assert complaint.anonymous and complaint.complainant_sealed == ""
    assert services.find_by_tracking(code, secret) == complaint


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"content": ""}, "content", "请填写投诉举报的具体内容"),
        ({"name": ""}, "name", "请填写投诉举报人姓名，或选择匿名投诉"),
        ({"phone": "", "email": "", "address": ""}, "phone", "请至少填写一种联系方式"),
        ({"entrusted": "on", "entrusted_by": ""}, "entrusted_by", "委托投诉须填写委托人"),
        ({"category": "不在列表中的类别"}, "category", "选择一个有效的选项"),
        ({"occurred_on": "2026-02-30"}, "occurred_on", "日期格式不正确"),
        ({"email": "not-an-email"}, "email", "电子邮箱格式不正确"),
    ],
)
def test_bad_input_names_the_field_refills_the_form_and_creates_nothing(demo, overrides, field, message):
    client = Client()
    response = client.post("/complaint/new/", form_data(client, agency("demo-amr"), **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in field_group(page, field), page
    assert Complaint.objects.count() == 0
    assert not LedgerEntry.objects.filter(action="complaints.submit").exists()
    if field != "content":
        assert CONTENT in page  # what was typed is kept


def test_future_date_is_refused_by_the_service_next_to_the_field(demo):
    client = Client()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post("/complaint/new/", form_data(client, agency("demo-amr"), occurred_on=tomorrow))
    assert "发生日期不能晚于今天" in field_group(response.content.decode(), "occurred_on")
    assert Complaint.objects.count() == 0


def test_disguised_upload_is_refused_and_nothing_is_half_written(demo):
    client = Client()
    good = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    disguised = SimpleUploadedFile("b.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    response = client.post(
        "/complaint/new/", form_data(client, agency("demo-amr"), attachments=[good, disguised])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "b.pdf" in field_group(page, "attachments") and "内容与类型不符" in page
    assert "已上传：a.pdf" in page and "已上传：b.pdf" not in page  # the good file is kept
    assert Complaint.objects.count() == 0 and Material.objects.count() == 0


def test_a_second_submit_of_the_same_form_creates_one_complaint(demo):
    client = Client()
    data = form_data(client, agency("demo-amr"))
    first = client.post("/complaint/new/", data)
    second = client.post("/complaint/new/", data)  # double click: the browser shows this response
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/complaint/receipt/"
    assert Complaint.objects.count() == 1
    page = client.get("/complaint/receipt/").content.decode()
    assert Complaint.objects.get().tracking_code in page  # the first receipt, shown once
    # Back and resubmit after the receipt was shown: still one complaint, no code shown again.
    third = client.post("/complaint/new/", data)
    assert third.status_code == 302 and Complaint.objects.count() == 1
    page = client.get("/complaint/receipt/").content.decode()
    assert Complaint.objects.get().tracking_code not in page and "没有重复登记" in page


def test_a_submit_racing_the_first_waits_for_it_and_creates_nothing(demo):
    # Both posts of a double click carry a token still listed in the session they read; the second
    # finds the token claimed (here: already done) and goes to the first one's receipt.
    from jiandu.complaints.views import DONE, _token_key

    client = Client()
    data = form_data(client, agency("demo-amr"))
    cache.set(_token_key(data["form_token"]), DONE)
    response = client.post("/complaint/new/", data)
    assert response.status_code == 302 and response["Location"] == "/complaint/receipt/"
    assert Complaint.objects.count() == 0


def test_a_failed_submit_can_be_corrected_with_the_same_form(demo):
    client = Client()
    data = form_data(client, agency("demo-amr"), content="")
    assert client.post("/complaint/new/", data).status_code == 400
    data["content"] = CONTENT
    assert client.post("/complaint/new/", data).status_code == 302
    assert Complaint.objects.count() == 1


def test_a_form_token_not_issued_to_this_session_is_refused(demo):
    client = Client()
    data = form_data(client, agency("demo-amr"), form_token="made-up-token")
    response = client.post("/complaint/new/", data)
    assert response.status_code == 400 and "本页面已过期" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_agency_whose_rules_allow_only_the_hotline_shows_the_hotline(demo):
    client = Client()
    cgzf = agency("demo-cgzf")
    page = client.get(f"/complaint/new/?agency={cgzf.pk}").content.decode()
    assert "12345政务服务热线" in page and "不另设投诉举报途径" in page
    assert 'name="content"' not in page


# ---------------------------------------------------------------------------------- status page


def test_status_shows_state_dates_and_the_cited_period_but_no_identity(demo, signed_in):
    client = Client()
    ggzy = agency("demo-ggzy")
    code, secret, complaint = submit(client, ggzy)
    page = look_up(Client(), code, secret)
    assert "待受理" in page and complaint.number in page
    deadline = complaint_deadline(complaint, "complaint.acceptance")
    assert f"{deadline.due_date:%Y年%-m月%-d日}" in page and deadline.citation in page
    for secret_value in (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL, SECRET_ADDRESS):
        assert secret_value not in page
    signed_in("ggzy-legal").post(f"/complaints/{complaint.pk}/act/accept/")
    page = look_up(Client(), code, secret)
    assert "办理中" in page and "吴法治" not in page  # the handler's name is internal


def complaint_deadline(complaint: Complaint, key: str):
    from jiandu.deadlines.services import deadlines_of

    return deadlines_of(complaint).get(rule_key=key)


def test_provisional_due_date_is_marked_on_the_status_page(demo):
    client = Client()
    code, secret, complaint = submit(client, agency("demo-ggzy"))
    complaint_deadline(complaint, "complaint.acceptance").__class__.objects.filter(
        subject_id=complaint.pk
    ).update(provisional=True)
    assert "暂定" in look_up(Client(), code, secret)


def test_wrong_code_or_secret_gives_one_generic_message(demo):
    client = Client()
    code, secret, _complaint = submit(client, agency("demo-amr"))
    wrong_secret = look_up(Client(), code, "WRONGSEC")
    wrong_code = look_up(Client(), "NOSUCHCODE23", secret)
    for page in (wrong_secret, wrong_code):
        assert "查询码或查询密码不正确" in page
        assert "待受理" not in page
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"')
    assert strip.sub("", wrong_secret) == strip.sub("", wrong_code)


def test_rating_is_offered_once_concluded_and_recorded(demo):
    client = Client()
    code, secret, complaint = submit(client, agency("demo-amr"))
    legal = demo["legal"]
    services.accept_complaint(complaint, actor=legal)
    page = look_up(client, code, secret)
    assert 'name="value"' not in page  # not concluded yet
    assert client.post("/complaint/status/rate/", {"value": "satisfied"}).status_code == 400
    result = "经调查，投诉反映的问题不属实。"
    services.conclude_complaint(
        complaint, actor=legal, finding="not_substantiated", measures=[], result_text=result
    )
    page = client.get("/complaint/status/").content.decode()
    assert "已办结" in page and result in page and "查证不属实" in page
    assert 'name="value"' in page and "不合格" not in page
    response = client.post("/complaint/status/rate/", {"value": "basically"})
    assert response.status_code == 302
    assert Rating.objects.get(complaint=complaint).value == "basically"
    assert LedgerEntry.objects.filter(action="complaints.rate", object_id=str(complaint.pk)).exists()
    page = client.get("/complaint/status/").content.decode()
    assert "感谢您的评价" in page and 'name="value"' not in page
    # One rating: a second post (a double click) is not a second "不满意".
    assert client.post("/complaint/status/rate/", {"value": "dissatisfied"}).status_code == 302
    assert Rating.objects.filter(complaint=complaint).count() == 1
    assert "您已经评价过了" in client.get("/complaint/status/").content.decode()
    client.post("/complaint/status/end/")
    assert 'id="lookup"' in client.get("/complaint/status/").content.decode()


def test_a_dissatisfied_complainant_gets_a_second_answer_to_rate(demo, signed_in):
    client = Client()
    code, secret, complaint = submit(client, agency("demo-amr"))
    legal = demo["legal"]
    services.accept_complaint(complaint, actor=legal)
    services.conclude_complaint(
        complaint, actor=legal, finding="not_substantiated", measures=[], result_text="第一次答复。"
    )
    look_up(client, code, secret)
    # "不满意" asks why: without a reason nothing is recorded.
    refused = client.post("/complaint/status/rate/", {"value": "dissatisfied"})
    assert refused.status_code == 400 and "请写明不满意的原因" in refused.content.decode()
    assert not complaint.ratings.exists()
    rated = client.post(
        "/complaint/status/rate/", {"value": "dissatisfied", "reason": "没有核实现场照片。"}, follow=True
    )
    assert "示范区司法局已收到通知" in rated.content.decode()
    assert complaint.ratings.get().reason == "没有核实现场照片。"
    # The handler's page now offers handling the matter again.
    handler = signed_in("legal")
    page = handler.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "/act/rehandle/" in page
    reopened = handler.post(
        f"/complaints/{complaint.pk}/act/rehandle/", {"reason": "补充调查。"}, follow=True
    )
    assert "已重新办理" in reopened.content.decode()
    page = client.get("/complaint/status/").content.decode()
    assert 'id="rehandling"' in page and 'name="value"' not in page and "第一次答复" not in page
    services.conclude_complaint(
        Complaint.objects.get(pk=complaint.pk),
        actor=legal,
        finding="partly",
        measures=["correct"],
        result_text="第二次答复。",
    )
    page = client.get("/complaint/status/").content.decode()
    assert "第 2 次答复" in page and "第二次答复" in page and 'name="value"' in page
    assert client.post("/complaint/status/rate/", {"value": "satisfied"}).status_code == 302
    assert [(r.answer_round, r.value) for r in complaint.ratings.order_by("id")] == [
        (1, "dissatisfied"),
        (2, "satisfied"),
    ]
    assert "/act/rehandle/" not in handler.get(f"/complaints/{complaint.pk}/").content.decode()


def test_rating_without_a_looked_up_complaint_goes_to_the_lookup(demo):
    response = Client().post("/complaint/status/rate/", {"value": "satisfied"})
    assert response.status_code == 302 and Rating.objects.count() == 0


# --------------------------------------------------------------------------------- rate limits


def test_form_posts_are_rate_limited_per_client(demo, settings):
    settings.JIANDU_PUBLIC_RATE_LIMIT = {"complaint_submit": (2, 60)}
    client = Client(REMOTE_ADDR="203.0.113.7")
    amr = agency("demo-amr")
    for _ in range(2):
        assert client.post("/complaint/new/", form_data(client, amr, content="")).status_code == 400
    response = client.post("/complaint/new/", form_data(client, amr))
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode() and int(response["Retry-After"]) <= 60
    assert Complaint.objects.count() == 0
    # Another client is not affected; reading the form is not limited.
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post("/complaint/new/", form_data(other, amr)).status_code == 302
    assert client.get(f"/complaint/new/?agency={amr.pk}").status_code == 200


def test_status_lookups_are_rate_limited_per_client(demo, settings):
    settings.JIANDU_PUBLIC_RATE_LIMIT = {"complaint_status": (3, 60)}
    client = Client(REMOTE_ADDR="198.51.100.1")
    code, secret, _complaint = submit(Client(), agency("demo-amr"))
    for _ in range(3):
        look_up(client, code, "WRONGSEC")
    response = client.post("/complaint/status/", {"tracking_code": code, "secret": secret})
    assert response.status_code == 429 and "请稍后再试" in response.content.decode()
