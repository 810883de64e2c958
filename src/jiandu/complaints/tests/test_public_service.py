"""The public side as a citizen meets it: the agency list and the hotline route, every error of a
submit at once, files kept between posts, one complaint per content, the receipt's next steps,
letters on the status page, a disputed rating with its reason, and ledgered downloads."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.forms import phone_ok
from jiandu.complaints.models import Complaint, Material
from jiandu.complaints.views import FORM_TOKEN_TTL, KeptUploads, _content_key, sweep_kept_uploads
from jiandu.deadlines.services import deadlines_of
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency
from jiandu.orgs.profiles import profile_for
from jiandu.rules.citations import cite
from jiandu.rules.models import RuleProfile

from .test_public_pages import CONTENT, PDF, SECRET_NAME, agency, form_data, look_up, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def pdf(name: str = "现场照片.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def hotline_complaint(code: str = "demo-cgzf") -> services.Receipt:
    """A complaint the 12345 hotline handed over (the only way into a hotline-only agency)."""
    target = agency(code)
    return services.submit_complaint(
        services.Intake(
            agency=target,
            channel=Complaint.Channel.HOTLINE,
            category=(services.categories_for(profile_for(target)) or ["其他"])[0],
            content=CONTENT,
            anonymous=True,
            hotline_ticket="12345-2026-000123",
        )
    )


# -------------------------------------------------------------------------- the agency list


def test_every_receiving_body_is_listed_with_its_way_in(demo):
    page = Client().get("/complaint/new/").content.decode()
    for code in ("demo-amr", "demo-ggzy", "demo-cgzf"):
        assert f'?agency={agency(code).pk}"' in page and agency(code).name in page
    assert "请拨打 12345 热线投诉举报" in page and "网上投诉举报" in page
    # No supervisory body takes complaints in the demo, so none is promised.
    assert "司法局" not in page and ".txt" not in page


def test_hotline_only_agency_says_how_to_reach_the_hotline_and_what_follows(demo):
    cgzf = agency("demo-cgzf")
    page = Client().get(f"/complaint/new/?agency={cgzf.pk}").content.decode()
    assert 'href="tel:12345"' in page and "12345政务服务热线" in page
    assert "打电话时请说明" in page and "工单编号" in page and "转交（转办）" in page
    assert "凭工单编号查询办理进度" in page
    rule = profile_for(cgzf).rule("complaint.own_channels_prohibited")
    assert cite(rule.citation) in page and rule.citation.file not in page and ".txt" not in page
    assert 'name="content"' not in page


def test_the_justice_bureau_takes_complaints_through_the_form_once_it_has_rules(demo):
    sfj = Agency.objects.get(code="demo-sfj")
    sfj.profile = RuleProfile.objects.get(code="jingzhou-ggzy")
    sfj.save(update_fields=["profile"])
    page = Client().get("/complaint/new/").content.decode()
    assert "也可以选择示范区司法局" in page and f'?agency={sfj.pk}"' in page
    client = Client()
    _code, _secret, complaint = submit(client, sfj)
    assert complaint.agency == sfj


def test_no_public_page_names_a_seed_file(demo):
    client = Client()
    code, secret, _complaint = submit(client, agency("demo-ggzy"))
    pages = [client.get(path).content.decode() for path in ("/", "/complaint/new/")]
    pages += [client.get(f"/complaint/new/?agency={a.pk}").content.decode() for a in Agency.objects.all()]
    pages.append(look_up(Client(), code, secret))
    for page in pages:
        assert not re.search(r"\d{3}_[0-9a-f]{16}\.txt", page), page


# ---------------------------------------------------------------------------------- the form


def field_errors(page: str, field: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def test_every_error_of_a_submit_is_shown_at_once_and_linked_from_the_summary(demo):
    client = Client()
    data = form_data(
        client,
        agency("demo-amr"),
        content="",
        name="",
        phone="12345",
        target_description="控制\x01字符",
        address="地" * 300,
        entrusted="on",
        entrusted_by="",
    )
    response = client.post("/complaint/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写投诉举报的具体内容" in field_errors(page, "content")
    assert "请填写投诉举报人姓名" in field_errors(page, "name")
    assert "联系电话格式不正确" in field_errors(page, "phone")
    assert "U+0001" in field_errors(page, "target_description")
    assert "“通信地址”不能超过 200 字" in field_errors(page, "address")
    assert "委托投诉须填写委托人" in field_errors(page, "entrusted_by")
    summary = re.search(
        r'<div class="error-box" role="alert" id="error-summary".*?</div>', page, re.S
    ).group()
    for field in ("content", "name", "phone", "target_description", "address", "entrusted_by"):
        assert f'href="#id_{field}"' in summary
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("13800138000", True),
        ("+86 138 0013 8000", True),
        ("0858-8322945", True),
        ("08588322945", True),
        ("(0858)8322945", True),
        ("010-12345678-123", True),
        ("0858-8322945转123", True),
        ("12345", False),
        ("1380013800", False),
        ("12800138000", False),
        ("2858-8322945", False),
        ("0858-83229", False),
        ("电话", False),
    ],
)
def test_phone_numbers_are_chinese_mobiles_or_landlines_with_area_code(number, ok):
    assert phone_ok(number) is ok


def test_a_checked_file_survives_an_error_and_is_sent_with_the_corrected_form(demo):
    client = Client()
    data = form_data(client, agency("demo-amr"), content="", attachments=pdf(f"{SECRET_NAME}的照片.pdf"))
    page = client.post("/complaint/new/", data).content.decode()
    assert f"已上传：{SECRET_NAME}的照片.pdf" in page and 'name="drop_upload"' in page
    data.pop("attachments")
    data["content"] = CONTENT
    assert client.post("/complaint/new/", data).status_code == 302
    material = Material.objects.get()
    assert material.size == len(PDF) and material.complaint.content == CONTENT
    # Nothing is left behind once the complaint is registered.
    assert KeptUploads(data["form_token"]).items() == []


def test_a_kept_file_can_be_removed(demo):
    client = Client()
    data = form_data(client, agency("demo-amr"), content="", attachments=pdf())
    page = client.post("/complaint/new/", data).content.decode()
    kept_id = re.search(r'name="drop_upload" value="([0-9a-f]+)"', page).group(1)
    data.pop("attachments")
    data.update(content=CONTENT, drop_upload=kept_id)
    assert client.post("/complaint/new/", data).status_code == 302
    assert Material.objects.count() == 0


def test_kept_files_do_not_reach_another_visitor(demo):
    owner = Client()
    data = form_data(owner, agency("demo-amr"), content="", attachments=pdf("私人文件.pdf"))
    owner.post("/complaint/new/", data)
    other = Client()
    other.get(f"/complaint/new/?agency={agency('demo-amr').pk}")  # a session of their own
    data.pop("attachments")
    data["content"] = CONTENT
    page = other.post("/complaint/new/", data).content.decode()  # the owner's token, sent by another
    assert "本页面已过期" in page and "私人文件.pdf" not in page
    assert Complaint.objects.count() == 0


def test_kept_files_of_forms_never_sent_are_swept(demo):
    client = Client()
    data = form_data(client, agency("demo-amr"), content="", attachments=pdf())
    client.post("/complaint/new/", data)
    kept = KeptUploads(data["form_token"])
    assert len(kept.items()) == 1
    assert sweep_kept_uploads(timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(seconds=FORM_TOKEN_TTL + 60)
    assert sweep_kept_uploads(later) == 2  # the file and its index
    assert kept.items() == []


def test_back_and_resubmit_returns_the_first_receipt(demo):
    client = Client()
    amr = agency("demo-amr")
    code, _secret, first = submit(client, amr)
    # Back: the browser fetches a fresh form (a new token) and the same content is sent again.
    response = client.post("/complaint/new/", form_data(client, amr))
    assert response.status_code == 302 and response["Location"] == "/complaint/receipt/"
    page = client.get("/complaint/receipt/").content.decode()
    assert Complaint.objects.count() == 1
    assert first.number in page and "没有重复登记" in page and code not in page
    # Other content is another complaint.
    submit(client, amr, content="另一件事：执法车辆占用盲道。")
    assert Complaint.objects.count() == 2
    # The same content from another browser session is not taken for this one.
    submit(Client(), amr)
    assert Complaint.objects.count() == 3


def test_a_parallel_post_of_the_same_content_registers_once(demo):
    from jiandu.complaints.forms import PublicComplaintForm
    from jiandu.complaints.views import DONE

    client = Client()
    amr = agency("demo-amr")
    data = form_data(client, amr)
    form = PublicComplaintForm(data, agency=amr)
    assert form.is_valid()

    class Session:  # the key the view derives from this client's session
        session = client.session

    cache.set(_content_key(Session, form.resubmission_digest()), DONE)
    response = client.post("/complaint/new/", data)
    assert response.status_code == 302 and Complaint.objects.count() == 0


# -------------------------------------------------------------------------------- the receipt


def test_receipt_says_by_when_the_agency_decides_and_on_which_rule(demo):
    client = Client()
    ggzy = agency("demo-ggzy")
    response = client.post("/complaint/new/", form_data(client, ggzy))
    page = client.get(response["Location"]).content.decode()
    complaint = Complaint.objects.get()
    deadline = deadlines_of(complaint).get(rule_key="complaint.acceptance")
    profile = profile_for(ggzy)
    assert "接下来会怎样" in page
    assert f"{profile.period('complaint.acceptance')}内" in page
    assert f"{deadline.due_date.year}年{deadline.due_date.month}月{deadline.due_date.day}日前" in page
    assert cite(profile.rule("complaint.acceptance").citation) in page and ".txt" not in page


def test_receipt_without_an_acceptance_period_says_the_agency_decides(demo):
    client = Client()
    amr = agency("demo-amr")
    assert not profile_for(amr).has("complaint.acceptance")
    response = client.post("/complaint/new/", form_data(client, amr))
    page = client.get(response["Location"]).content.decode()
    assert "审查您的投诉举报，决定是否受理" in page and "查询办理进度" in page


# ----------------------------------------------------------------------------- the status page


def test_the_complainant_downloads_the_letters_of_the_complaint_looked_up(demo):
    client = Client()
    code, secret, complaint = submit(client, agency("demo-amr"))
    services.accept_complaint(complaint, actor=demo["legal"])
    letter = services.documents_of(complaint)[0]
    page = look_up(client, code, secret)
    url = f"/complaint/status/letters/{letter.pk}.pdf"
    assert letter.title in page and url in page
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert client.get(f"/complaint/status/letters/{letter.pk}.docx").status_code == 200
    entry = LedgerEntry.objects.filter(action="documents.download", object_id=str(letter.pk)).latest("seq")
    assert entry.actor_label == "complainant" and entry.payload["format"] == "docx"
    # The id alone opens nothing: another session, or a letter of another complaint.
    assert Client().get(url).status_code == 302
    _c2, _s2, other = submit(Client(), agency("demo-amr"), content="另一件事。")
    services.accept_complaint(other, actor=demo["legal"])
    other_letter = services.documents_of(other)[0]
    assert client.get(f"/complaint/status/letters/{other_letter.pk}.pdf").status_code == 404
    assert client.get(f"/complaint/status/letters/{letter.pk}.exe").status_code == 404


def test_a_dissatisfied_rating_says_what_the_profile_makes_of_it(demo):
    receipt = hotline_complaint()
    complaint, legal = receipt.complaint, demo["cgzf-legal"]
    profile = profile_for(complaint.agency)
    count = profile.value("complaint.supervised_handling.dissatisfied_count")
    body = profile.value("complaint.supervised_handling.body").name
    client = Client()
    for answer in range(1, count + 1):
        if answer == 1:
            services.accept_complaint(complaint, actor=legal)
        else:
            services.rehandle_complaint(complaint, actor=legal, reason="补充调查。")
        services.conclude_complaint(
            Complaint.objects.get(pk=complaint.pk),
            actor=legal,
            finding="not_substantiated",
            measures=[],
            result_text=f"第{answer}次答复。",
        )
        page = look_up(client, receipt.tracking_code, receipt.secret)
        assert f"诉求人 {count} 次反馈“不满意”的事项，由{body}督办" in page
        response = client.post(
            "/complaint/status/rate/",
            {"value": "dissatisfied", "reason": f"第{answer}次仍未解决。"},
            follow=True,
        )
        page = response.content.decode()
        assert "示范区司法局已收到通知" in page
        complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.supervised and "本事项已进入督办" in page and ".txt" not in page
    # Told again on a later visit, not only right after rating.
    later = client.get("/complaint/status/").content.decode()
    assert 'id="disputed"' in later and f"本事项已进入督办（{body}）" in later
    assert [r.reason for r in complaint.ratings.order_by("id")] == [
        f"第{n}次仍未解决。" for n in range(1, count + 1)
    ]


def test_a_reason_is_not_kept_with_a_satisfied_rating(demo):
    client = Client()
    code, secret, complaint = submit(client, agency("demo-amr"))
    services.accept_complaint(complaint, actor=demo["legal"])
    services.conclude_complaint(
        complaint, actor=demo["legal"], finding="not_substantiated", measures=[], result_text="答复。"
    )
    look_up(client, code, secret)
    assert (
        client.post("/complaint/status/rate/", {"value": "satisfied", "reason": "写了又改主意"}).status_code
        == 302
    )
    assert complaint.ratings.get().reason == ""


# --------------------------------------------------------------------------------- staff side


def test_a_download_of_the_complainants_attachment_is_ledgered_without_its_name(demo, signed_in):
    client = Client()
    _code, _secret, complaint = submit(client, agency("demo-amr"), attachments=pdf(f"{SECRET_NAME}.pdf"))
    material = Material.objects.get(complaint=complaint)
    assert material.added_by is None and material.added_by_label == "public"  # 投诉举报人 on the page
    response = signed_in("legal").get(f"/complaints/materials/{material.pk}/")
    assert response.status_code == 200
    entry = LedgerEntry.objects.get(action="complaints.download_material")
    assert entry.actor == demo["legal"]
    assert entry.payload == {"material": material.pk, "sha256": material.sha256}
    assert SECRET_NAME not in str(entry.payload)
    # Outside the viewer's scope: not found, nothing recorded.
    assert signed_in("ggzy-legal").get(f"/complaints/materials/{material.pk}/").status_code == 404
    assert LedgerEntry.objects.filter(action="complaints.download_material").count() == 1
