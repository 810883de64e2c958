"""Staff pages: the queue, registration, a complaint's page and its acts, explanations, approvals,
and confidentiality of the complainant on every page for every role."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiandu.complaints import services, tables
from jiandu.complaints.models import (
    Complaint,
    ExplanationRequest,
    Material,
    Rating,
    Reveal,
)
from jiandu.complaints.procedure import COMPLAINTS
from jiandu.complaints.tests.test_public_pages import (
    CONTENT,
    PDF,
    SECRET_ADDRESS,
    SECRET_EMAIL,
    SECRET_NAME,
    SECRET_PHONE,
    agency,
    first_category,
    fresh_cache_and_media,  # noqa: F401  (autouse fixture)
    look_up,
    submit,
)
from jiandu.deadlines.models import Deadline
from jiandu.deadlines.services import deadlines_of
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Person
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.models import Approval

pytestmark = pytest.mark.django_db

SECRETS = (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL, SECRET_ADDRESS)


def file_complaint(
    code: str = "demo-amr", target: Person | None = None, actor: Person | None = None, **overrides
) -> Complaint:
    """A complaint with the distinctive identity, filed through the service (as the public would,
    or as `actor`: a hand-over is registered by the supervisor who hands it over)."""
    receiving = agency(code)
    values = {
        "agency": receiving,
        "channel": Complaint.Channel.ONLINE,
        "category": first_category(receiving),
        "content": CONTENT,
        "target_officer": target,
        "target_agency": target.agency if target else None,
        "complainant": services.Complainant(
            name=SECRET_NAME, phone=SECRET_PHONE, email=SECRET_EMAIL, address=SECRET_ADDRESS
        ),
        "attachments": [SimpleUploadedFile(f"{SECRET_NAME}的照片.pdf", PDF)],
    }
    values.update(overrides)
    return services.submit_complaint(services.Intake(**values), actor=actor).complaint


def act(client: Client, complaint: Complaint, name: str, data: dict | None = None, follow: bool = False):
    return client.post(f"/complaints/{complaint.pk}/act/{name}/", data or {}, follow=follow)


def html(response) -> str:
    return response.content.decode()


def assert_no_identity(page: str, where: str) -> None:
    for value in SECRETS:
        assert value not in page, f"{value} shown on {where}"


# ---------------------------------------------------------------------------------- whole paths


def test_the_whole_procedure_through_the_pages(demo, signed_in):
    public = Client()
    amr, ggzy = agency("demo-amr"), agency("demo-ggzy")
    # 1. The public files a complaint with amr about an officer of ggzy.
    code, secret, complaint = submit(public, amr, target_agency=str(ggzy.pk))
    assert complaint.target_agency == ggzy
    legal = signed_in("legal")
    # 2. It is in legal's queue, and legal accepts it on its page.
    queue = html(legal.get("/complaints/"))
    assert complaint.number in queue and "待受理" in queue
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    assert 'id="step-accept"' in page and 'id="step-reject"' in page and 'id="step-refer"' in page
    response = act(legal, complaint, "accept", follow=True)
    assert "已受理，办理期限开始计算" in html(response)
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ACCEPTED and complaint.handler == demo["legal"]
    handling = deadlines_of(complaint).get(rule_key="complaint.handling", closed_at__isnull=True)
    assert handling.citation in html(response)
    # 3. Legal asks ggzy for a written explanation; ggzy's legal answers on its explanations page.
    act(legal, complaint, "request_explanation", {"matters": "请说明执法检查时是否出示执法证件。"})
    respondent = signed_in("ggzy-legal")
    assert respondent.get(f"/complaints/{complaint.pk}/").status_code == 404  # not its complaint
    page = html(respondent.get("/complaints/explanations/"))
    # The body sees the handler's statement of the matter, never the complainant's own words.
    assert complaint.number in page and "请说明执法检查时是否出示执法证件。" in page and CONTENT not in page
    assert_no_identity(page, "explanations")
    request = ExplanationRequest.objects.get(complaint=complaint)
    evidence = SimpleUploadedFile("检查记录.pdf", PDF)
    answer = {"explanation": "当日按规定出示了证件。", "files": evidence}
    response = respondent.post(f"/complaints/explanations/{request.pk}/", answer)
    assert response.status_code == 302
    assert "没有待提交的书面说明" in html(respondent.get("/complaints/explanations/"))
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    assert "当日按规定出示了证件。" in page and "检查记录.pdf" in page
    # 4. Legal asks for more time, within the profile's bound, shown with its citation.
    limit = profile_for(amr).period("complaint.extension.max")
    assert f"最长可延长 {limit}" in page and str(limit.citation) in page
    extension = {"amount": limit.amount, "reasons": "需要调取监控录像。"}
    response = act(legal, complaint, "request_extension", extension)
    assert response.status_code == 302
    # 5. The leader approves it on the approval list.
    leader = signed_in("leader")
    page = html(leader.get("/complaints/approvals/"))
    extension = services.extensions_of(complaint).get()
    assert complaint.number in page and "需要调取监控录像。" in page and "王法规" in page
    assert_no_identity(page, "approvals")
    old_due = handling.due_date
    response = leader.post(f"/complaints/approvals/{extension.pk}/", {"approve": "1", "note": "同意"})
    assert response.status_code == 302
    handling.refresh_from_db()
    assert handling.due_date > old_due and handling.base_due_date == old_due
    assert "没有待您审批的延期申请" in html(leader.get("/complaints/approvals/"))
    # 6. Legal concludes with a finding, measures and the result for the complainant.
    response = act(
        legal,
        complaint,
        "conclude",
        {"finding": "partly", "measures": ["correct"], "result_text": "部分属实，已责令改正。"},
    )
    assert response.status_code == 302
    # 7. The complainant sees the result on the status page, and rates it.
    page = look_up(public, code, secret)
    assert "已办结" in page and "部分属实，已责令改正。" in page and "需要调取监控录像。" in page
    assert "当日按规定出示了证件" not in page  # the respondent's answer is internal
    assert public.post("/complaint/status/rate/", {"value": "satisfied"}).status_code == 302
    assert Rating.objects.get(complaint=complaint).value == "satisfied"
    # 8. Legal archives the file; the archived page offers the BagIt export.
    response = act(legal, complaint, "archive", {"confirm": "1"}, follow=True)
    assert "已归档" in html(response) and "导出案卷" in html(response)
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ARCHIVED and complaint.archive_digest
    bag = legal.post(f"/complaints/{complaint.pk}/export/")
    assert bag.status_code == 200 and bag["Content-Type"] == "application/zip"
    # The timeline lists every ledger entry of the complaint, in Chinese.
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    timeline = page[page.index('id="timeline"') :]
    for words in ("登记投诉举报", "受理", "通知被投诉机关书面说明", "提交书面说明"):
        assert words in timeline
    for words in ("申请延期", "批准延期", "审查终结", "评价办理结果", "归档"):
        assert words in timeline
    assert (
        "受理，制发《投诉举报受理通知书》" in timeline
        and "审查终结，制发《投诉举报处理结果告知书》" in timeline
    )
    # One act, one entry: the letter a step issues is recorded in the step's own entry.
    assert not LedgerEntry.objects.filter(action="documents.issue").exists()
    letters = LedgerEntry.objects.filter(object_id=str(complaint.pk), payload__has_key="letter")
    assert {e.payload["letter"]["number"] for e in letters if e.payload["letter"]} == {
        d.number for d in services.documents_of(complaint)
    }
    # Every step's entry; not who exported or downloaded what (not the complaint's history).
    entries = LedgerEntry.objects.filter(
        object_type="complaints.complaint", object_id=str(complaint.pk), action__in=COMPLAINTS.by_name
    )
    assert timeline.count("<li>") == entries.count() and "导出" not in timeline
    assert "公众" in timeline and "刘局长" in timeline


def test_rejection_path(demo, signed_in):
    public = Client()
    code, secret, complaint = submit(public, agency("demo-ggzy"))
    legal = signed_in("ggzy-legal")
    response = act(legal, complaint, "reject", {"reason": "", "legal_basis": "制度第五条", "confirm": "1"})
    assert response.status_code == 400
    assert "请填写“不予受理的理由”" in html(response)
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.RECEIVED
    decision = {"reason": "不属于本机关职责范围。", "legal_basis": "制度第五条", "confirm": "1"}
    response = act(legal, complaint, "reject", decision)
    assert response.status_code == 302
    page = look_up(public, code, secret)
    assert "不予受理" in page and "不属于本机关职责范围。" in page and "制度第五条" in page
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    assert 'id="step-archive"' in page and 'id="step-accept"' not in page
    unconfirmed = act(legal, complaint, "archive")
    assert unconfirmed.status_code == 400 and "我已确认" in html(unconfirmed)
    assert act(legal, complaint, "archive", {"confirm": "1"}).status_code == 302


def test_referral_path(demo, signed_in):
    public = Client()
    code, secret, complaint = submit(public, agency("demo-amr"))
    legal = signed_in("legal")
    decision = {"competent_body": "示范区税务局", "reason": "属于税务机关职责。", "confirm": "1"}
    response = act(legal, complaint, "refer", decision)
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.REFERRED and complaint.referred_to == "示范区税务局"
    page = look_up(public, code, secret)
    assert "已移送" in page and "示范区税务局" in page and "属于税务机关职责。" in page


def test_a_refused_act_says_why_and_changes_nothing(demo, signed_in):
    complaint = file_complaint()
    leader = signed_in("leader")  # sees the complaint, may not handle it
    page = html(leader.get(f"/complaints/{complaint.pk}/"))
    assert 'id="step-accept"' not in page and 'id="step-reveal-complainant"' not in page
    response = act(leader, complaint, "accept")
    assert response.status_code == 403 and "受理机关负责投诉举报的工作人员" in html(response)
    legal = signed_in("legal")
    act(legal, complaint, "accept")
    response = act(legal, complaint, "accept")  # twice: wrong state
    assert response.status_code == 400 and "当前为“办理中”" in html(response)
    response = act(legal, complaint, "conclude", {"finding": "substantiated", "result_text": "属实。"})
    assert response.status_code == 400
    assert "应当责令改正或移交处理" in html(response)
    assert Complaint.objects.get(pk=complaint.pk).state == Complaint.State.ACCEPTED
    assert act(legal, complaint, "no_such_act").status_code == 404


def test_extension_beyond_the_profile_bound_is_refused_on_the_page(demo, signed_in):
    complaint = file_complaint()
    legal = signed_in("legal")
    act(legal, complaint, "accept")
    limit = profile_for(complaint.agency).period("complaint.extension.max")
    response = act(legal, complaint, "request_extension", {"amount": limit.amount + 1, "reasons": "复杂"})
    assert response.status_code == 400
    assert f"延长期间累计不得超过{limit}" in html(response)
    assert not Approval.objects.exists()


def test_material_added_and_downloaded_only_by_those_who_see_the_complaint(demo, signed_in):
    complaint = file_complaint()
    legal = signed_in("legal")
    act(legal, complaint, "accept")
    response = act(legal, complaint, "add_material", {"kind": "note", "note": "询问笔录：当事人称……"})
    assert response.status_code == 302
    upload = SimpleUploadedFile("现场照片.pdf", PDF)
    assert act(legal, complaint, "add_material", {"kind": "evidence", "file": upload}).status_code == 302
    attachment = Material.objects.get(complaint=complaint, kind=Material.Kind.ATTACHMENT)
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    assert "询问笔录：当事人称……" in page and "现场照片.pdf" in page
    assert f"投诉附件{attachment.pk}.pdf" in page  # the complainant's own file name is not shown
    download = legal.get(f"/complaints/materials/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert SECRET_NAME not in download["Content-Disposition"]
    for other in ("ggzy-legal", "handler", "cgzf-leader"):
        assert signed_in(other).get(f"/complaints/materials/{attachment.pk}/").status_code == 404
    assert signed_in("supervisor").get(f"/complaints/materials/{attachment.pk}/").status_code == 200
    assert Client().get(f"/complaints/materials/{attachment.pk}/").status_code == 302


def test_issued_letters_are_listed_and_downloaded_by_those_who_see_the_complaint(demo, signed_in):
    complaint = file_complaint(target=demo["handler"])
    legal = signed_in("legal")
    act(legal, complaint, "accept")
    letter = services.documents_of(complaint)[0]
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    assert "投诉举报受理通知书" in page and letter.number in page
    pdf = legal.get(f"/complaints/documents/{letter.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    docx = legal.get(f"/complaints/documents/{letter.pk}.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    downloads = LedgerEntry.objects.filter(action="documents.download", object_id=str(letter.pk))
    assert downloads.count() == 2 and downloads.first().actor == demo["legal"]
    # The officer complained about works in the same agency: the letter is still not his to read.
    # It is addressed to the complainant by name, so only the handler opens it, not the supervisor.
    for person in ("handler", "ggzy-legal", "supervisor", "leader"):
        assert signed_in(person).get(f"/complaints/documents/{letter.pk}.pdf").status_code == 404
    # An anonymous complaint's letters name no one: whoever sees the complaint reads them.
    anonymous = file_complaint(anonymous=True, complainant=services.Complainant())
    act(legal, anonymous, "accept")
    unnamed = services.documents_of(anonymous)[0]
    assert signed_in("supervisor").get(f"/complaints/documents/{unnamed.pk}.pdf").status_code == 200


# ------------------------------------------------------------------------------------- queue


def test_queue_orders_by_due_date_marks_overdue_and_provisional_and_pages_without_count(
    demo, signed_in, monkeypatch
):
    complaints = [file_complaint("demo-ggzy") for _ in range(5)]
    today = timezone.localdate()
    open_ = Deadline.objects.filter(subject_id__in=[c.pk for c in complaints], closed_at__isnull=True)
    for offset, complaint in zip([3, -2, 10, 1, 3], complaints, strict=True):
        open_.filter(subject_id=complaint.pk).update(due_date=today + datetime.timedelta(days=offset))
    open_.filter(subject_id=complaints[2].pk).update(provisional=True)
    legal = signed_in("ggzy-legal")
    page = html(legal.get("/complaints/"))
    numbers = re.findall(r">(DEMO-GGZY-TS-\d{4}-\d{6})<", page)
    expected = [complaints[i].number for i in (1, 3, 0, 4, 2)]
    assert numbers == expected
    overdue_due = (today - datetime.timedelta(days=2)).strftime("%Y-%m-%d")
    assert f'<span class="overdue">{overdue_due}</span>' in page
    assert page.count(">暂定<") == 1
    # Page by page (two rows a page): every complaint once, in order, and no COUNT(*) anywhere.
    monkeypatch.setattr(tables, "QUEUE_PAGE_SIZE", 2)
    seen, url = [], "/complaints/?state=open"
    with CaptureQueriesContext(connection) as queries:
        while url:
            page = html(legal.get(url))
            seen += re.findall(r">(DEMO-GGZY-TS-\d{4}-\d{6})<", page)
            found = re.search(r'href="(\?state=open&amp;after=[^"]+)">下一页<', page)
            url = "/complaints/" + found.group(1).replace("&amp;", "&") if found else None
    assert seen == expected
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_queue_reads_a_fixed_number_of_queries_whatever_its_length(demo, signed_in):
    legal = signed_in("ggzy-legal")
    file_complaint("demo-ggzy")
    legal.get("/complaints/")  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as one:
        legal.get("/complaints/")
    for _ in range(4):
        file_complaint("demo-ggzy")
    with CaptureQueriesContext(connection) as five:
        page = html(legal.get("/complaints/"))
    assert page.count("DEMO-GGZY-TS-") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_queue_filters_by_state_and_shows_only_the_viewers_scope(demo, signed_in):
    amr_case = file_complaint("demo-amr")
    ggzy_case = file_complaint("demo-ggzy")
    services.accept_complaint(amr_case, actor=demo["legal"])
    legal = signed_in("legal")
    assert amr_case.number not in html(legal.get("/complaints/?state=received"))
    assert amr_case.number in html(legal.get("/complaints/?state=accepted"))
    assert ggzy_case.number not in html(legal.get("/complaints/?state=all"))
    supervisor = html(signed_in("supervisor").get("/complaints/?state=all"))
    assert amr_case.number in supervisor and ggzy_case.number in supervisor
    for person in ("handler", "handler2", "cgzf-legal"):
        page = html(signed_in(person).get("/complaints/?state=all"))
        assert amr_case.number not in page and ggzy_case.number not in page
    assert Client().get("/complaints/").status_code == 302


# ---------------------------------------------------------------------------- staff registration


def test_legal_registers_a_letter_with_the_officer_and_hands_the_codes_over_once(demo, signed_in):
    legal = signed_in("legal")
    page = html(legal.get("/complaints/register/"))
    assert "来信" in page and "来电" in page and "来访" in page and "网上投诉" not in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {
        "form_token": token,
        "agency": agency("demo-amr").pk,
        "channel": "letter",
        "category": first_category(agency("demo-amr")),
        "target_officer": "SFQ-2024-0001",
        "content": CONTENT,
        "name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "entrusted": "on",
        "entrusted_by": "委托人丙",
    }
    response = legal.post("/complaints/register/", data)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "letter" and complaint.entrusted
    assert complaint.target_officer == demo["handler"]
    receipt = html(legal.get("/complaint/receipt/"))
    assert complaint.tracking_code in receipt and f"/complaints/{complaint.pk}/" in receipt
    assert complaint.tracking_code not in html(legal.get("/complaint/receipt/"))
    entry = LedgerEntry.objects.get(action="complaints.submit", object_id=str(complaint.pk))
    assert entry.actor == demo["legal"]
    # The same form again creates nothing.
    assert legal.post("/complaints/register/", data).status_code == 302
    assert Complaint.objects.count() == 1


def test_registration_names_an_unknown_certificate(demo, signed_in):
    legal = signed_in("legal")
    page = html(legal.get("/complaints/register/"))
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = legal.post(
        "/complaints/register/",
        {
            "form_token": token,
            "agency": agency("demo-amr").pk,
            "channel": "phone",
            "category": first_category(agency("demo-amr")),
            "target_officer": "NO-SUCH-CERT",
            "content": CONTENT,
            "anonymous": "on",
        },
    )
    assert response.status_code == 400
    assert "没有该编号的行政执法证件" in html(response) and Complaint.objects.count() == 0


def test_supervisor_hands_a_complaint_over_and_hotline_only_agency_registers_nothing_itself(demo, signed_in):
    supervisor = signed_in("supervisor")
    page = html(supervisor.get("/complaints/register/"))
    cgzf = agency("demo-cgzf")
    assert cgzf.name in page and "下一步" in page
    page = html(supervisor.get(f"/complaints/register/?agency={cgzf.pk}"))
    assert "交办投诉举报" in page and "上级交办" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = supervisor.post(
        "/complaints/register/",
        {
            "form_token": token,
            "agency": cgzf.pk,
            "channel": "assigned",
            "category": first_category(cgzf),
            "content": CONTENT,
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.assigned_by == agency("demo-sfj")
    assert deadlines_of(complaint).filter(rule_key="complaint.assigned.handling").exists()
    # The agency handles it; an extension of a handed-over matter is the justice bureau's to approve.
    cgzf_legal = signed_in("cgzf-legal")
    assert complaint.number in html(cgzf_legal.get("/complaints/"))
    assert act(cgzf_legal, complaint, "accept").status_code == 302
    limit = profile_for(cgzf).period("complaint.assigned.extension.max")
    assert f"最长可延长 {limit}" in html(cgzf_legal.get(f"/complaints/{complaint.pk}/"))
    extension = {"amount": limit.amount, "reasons": "需要现场复核。"}
    assert act(cgzf_legal, complaint, "request_extension", extension).status_code == 302
    assert complaint.number not in html(signed_in("cgzf-leader").get("/complaints/approvals/"))
    page = html(supervisor.get(f"/complaints/{complaint.pk}/"))
    assert 'id="step-approve-extension"' in page
    pending = services.extensions_of(complaint).get()
    detail_url = f"/complaints/{complaint.pk}/"
    response = supervisor.post(f"/complaints/approvals/{pending.pk}/", {"approve": "1", "next": detail_url})
    assert response.status_code == 302 and response["Location"] == detail_url
    pending.refresh_from_db()
    assert pending.outcome == Approval.Outcome.APPROVED and pending.decided_by == demo["supervisor"]
    # 梁平 rules: no channels of the agency's own; its legal staff have nothing to register here.
    page = html(cgzf_legal.get("/complaints/register/"))
    assert "不允许自设投诉举报途径" in page and 'name="content"' not in page


@pytest.mark.parametrize("person", ["handler", "leader", "inspector", "ggzy-leader"])
def test_registration_is_refused_to_others(demo, signed_in, person):
    assert signed_in(person).get("/complaints/register/").status_code == 403


# ------------------------------------------------------------------------- who sees what


def test_the_officer_complained_about_cannot_see_the_complaint(demo, signed_in):
    about_handler = file_complaint(target=demo["handler"])
    assert about_handler.target_officer == demo["handler"]
    handler = signed_in("handler")
    assert about_handler.number not in html(handler.get("/complaints/?state=all"))
    assert handler.get(f"/complaints/{about_handler.pk}/").status_code == 404
    attachment = about_handler.materials.get()
    assert handler.get(f"/complaints/materials/{attachment.pk}/").status_code == 404
    assert act(handler, about_handler, "accept").status_code == 404
    # An officer with a role that would see complaints does not see one about himself either.
    about_leader = file_complaint(target=demo["leader"])
    leader = signed_in("leader")
    assert about_leader.number not in html(leader.get("/complaints/?state=all"))
    assert leader.get(f"/complaints/{about_leader.pk}/").status_code == 404
    services.accept_complaint(about_leader, actor=demo["legal"])
    extension = services.request_extension(about_leader, actor=demo["legal"], amount=5, reasons="需要时间")
    assert about_leader.number not in html(leader.get("/complaints/approvals/"))
    assert leader.post(f"/complaints/approvals/{extension.pk}/", {"approve": "1"}).status_code == 404
    assert about_leader.number in html(signed_in("deputy").get("/complaints/approvals/"))
    # The officer's agency is asked to explain: the officer himself is not shown the request.
    services.request_explanation(
        about_leader, actor=demo["legal"], matters="请说明执法检查时是否出示执法证件。"
    )
    assert about_leader.number not in html(leader.get("/complaints/explanations/"))


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("legal", 200),
        ("leader", 200),
        ("deputy", 200),
        ("supervisor", 200),
        ("inspector", 200),
        ("admin", 200),
        ("handler", 404),
        ("ggzy-legal", 404),
        ("ggzy-leader", 404),
        ("cgzf-legal", 404),
    ],
)
def test_complaint_page_for_each_role(demo, signed_in, person, status):
    complaint = file_complaint()
    assert signed_in(person).get(f"/complaints/{complaint.pk}/").status_code == status


def test_staff_pages_need_sign_in(demo):
    complaint = file_complaint()
    for url in (
        "/complaints/",
        "/complaints/register/",
        f"/complaints/{complaint.pk}/",
        "/complaints/explanations/",
        "/complaints/approvals/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("person", ["handler", "supervisor", "inspector", "admin"])
def test_explanations_page_is_for_the_respondents_legal_staff_and_leaders(demo, signed_in, person):
    assert signed_in(person).get("/complaints/explanations/").status_code == 403


def test_an_explanation_is_answered_only_by_the_body_asked(demo, signed_in):
    complaint = file_complaint(target_agency=agency("demo-ggzy"))
    services.accept_complaint(complaint, actor=demo["legal"])
    request = services.request_explanation(
        complaint, actor=demo["legal"], matters="请说明执法检查时是否出示执法证件。"
    )
    response = signed_in("cgzf-legal").post(f"/complaints/explanations/{request.pk}/", {"explanation": "x"})
    assert response.status_code == 404
    response = signed_in("ggzy-leader").post(f"/complaints/explanations/{request.pk}/", {"explanation": ""})
    assert response.status_code == 400 and "请填写“书面说明”" in html(response)
    assert ExplanationRequest.objects.get(pk=request.pk).answered_at is None


# ------------------------------------------------------------------------------ confidentiality


def complaints_in_every_state(demo) -> list[Complaint]:
    legal = demo["legal"]
    received = file_complaint()
    accepted = file_complaint(target_agency=agency("demo-ggzy"))
    services.accept_complaint(accepted, actor=legal)
    services.request_explanation(accepted, actor=legal, matters="请说明执法检查时是否出示执法证件。")
    services.request_extension(accepted, actor=legal, amount=5, reasons="需要调查")
    concluded = file_complaint()
    services.accept_complaint(concluded, actor=legal)
    services.conclude_complaint(
        concluded, actor=legal, finding="substantiated", measures=["correct"], result_text="已责令改正。"
    )
    services.rate_complaint(concluded, value="dissatisfied")
    rejected = file_complaint()
    services.reject_complaint(rejected, actor=legal, reason="不属于受理范围", legal_basis="第五条")
    services.archive_complaint(rejected, actor=legal)
    assigned = file_complaint(
        "demo-cgzf",
        actor=Person.objects.get(username="supervisor"),
        assigned_by=agency("demo-sfj"),
        channel=Complaint.Channel.ASSIGNED,
    )
    return [received, accepted, concluded, rejected, assigned]


# Who must see what, written out from the seeds and the org model rather than computed by the code
# under test: a sweep that only checks who must NOT see would pass a page that 404s for everyone.
EVERYONE = {
    "admin",
    "supervisor",
    "sfj-leader",
    "zfb",
    "inspector",
    "legal",
    "amr-fagui",
    "leader",
    "deputy",
    "handler",
}
EVERYONE |= {"handler2", "zhangwei", "lina", "ggzy-legal", "ggzy-leader", "cgzf-legal", "cgzf-leader"}
# The 市场监管局's complaints (004): its 人事股 (王法规) handles them; its leaders, its legal staff
# (through whom it answers explanations), the 司法局's supervisors and inspectors, the 区政府办公室
# (its departments) and the administrator see them; its case handlers and other agencies do not.
# The 司法局's head (sfj-leader) holds its supervision role too: he sees what its supervisors see.
SEE_AMR = {"legal", "amr-fagui", "leader", "deputy", "supervisor", "sfj-leader", "inspector", "admin", "zfb"}
SEE_CGZF = {"cgzf-legal", "cgzf-leader", "supervisor", "sfj-leader", "inspector", "admin", "zfb"}
# 城管 (001) registers nothing itself (only through 12345); its page says so. The 区政府办公室
# supervises, but hands nothing over: it is told there is no agency to register for.
REGISTER = {"legal", "ggzy-legal", "supervisor", "sfj-leader", "cgzf-legal", "zfb"}
ANSWER_EXPLANATIONS = {"legal", "amr-fagui", "leader", "deputy", "ggzy-legal", "ggzy-leader"}
ANSWER_EXPLANATIONS |= {"cgzf-legal", "cgzf-leader", "sfj-leader"}  # the 司法局 may be complained about too


def staff_pages(complaints: list[Complaint]) -> dict[str, set[str]]:
    """Each staff page with the people who must get it (200); everyone else gets 403 or 404."""
    pages = {
        "/": EVERYONE,
        "/work/": EVERYONE,
        "/complaints/register/": REGISTER,
        "/complaints/explanations/": ANSWER_EXPLANATIONS,
        "/complaints/approvals/": EVERYONE,
    }
    pages |= {f"/complaints/?state={key}": EVERYONE for key in tables.QUEUE_FILTERS}
    for complaint in complaints:
        pages[f"/complaints/{complaint.pk}/"] = SEE_CGZF if complaint.agency.code == "demo-cgzf" else SEE_AMR
    return pages


def test_the_sweep_knows_every_demo_sign_in(demo_usernames):
    assert set(demo_usernames) == EVERYONE and SEE_AMR <= EVERYONE and SEE_CGZF <= EVERYONE


@pytest.mark.demo_users("person")
def test_no_page_shows_the_complainant_to_any_role(demo, signed_in, person):
    complaints = complaints_in_every_state(demo)
    client = signed_in(person)
    for url, must_see in staff_pages(complaints).items():
        response = client.get(url)
        if person in must_see:
            assert response.status_code == 200, f"{url} must open for {person}"
        else:
            assert response.status_code in (403, 404), f"{url} must not open for {person}"
        assert_no_identity(html(response), f"{url} as {person}")
    # Acts that fail re-render the complaint's page: still no identity.
    for complaint in complaints:
        response = act(client, complaint, "reject", {"reason": "", "legal_basis": "", "confirm": "1"})
        assert_no_identity(html(response), f"failed act on {complaint.number} as {person}")
        response = client.post(f"/complaints/{complaint.pk}/reveal/", {"reason": ""})
        assert_no_identity(html(response), f"reveal without reason as {person}")
    attachment_names = [m.original_name for m in Material.objects.all()]
    assert all(SECRET_NAME in name for name in attachment_names)  # the file names would give it away
    assert not LedgerEntry.objects.filter(action="complaints.reveal_complainant").exists()


def test_public_status_page_never_shows_the_complainant(demo):
    public = Client()
    code, secret, complaint = submit(public, agency("demo-amr"))
    services.accept_complaint(complaint, actor=demo["legal"])
    services.conclude_complaint(
        complaint, actor=demo["legal"], finding="not_substantiated", measures=[], result_text="不属实。"
    )
    page = look_up(Client(), code, secret)
    assert_no_identity(page, "status page")
    assert "王法规" not in page


def test_reveal_shows_identity_only_to_the_handling_legal_staff_with_a_reason(demo, signed_in):
    complaint = file_complaint()
    legal = signed_in("legal")
    page = html(legal.get(f"/complaints/{complaint.pk}/"))
    assert 'id="step-reveal-complainant"' in page
    assert_no_identity(page, "detail page before reveal")
    response = legal.post(f"/complaints/{complaint.pk}/reveal/", {"reason": ""})
    assert response.status_code == 400 and "请填写“查看投诉举报人信息的事由”" in html(response)
    assert_no_identity(html(response), "reveal without reason")
    response = legal.post(f"/complaints/{complaint.pk}/reveal/", {"reason": "电话核实投诉情况"})
    assert response.status_code == 200
    page = html(response)
    for value in SECRETS:
        assert value in page
    assert "no-store" in response["Cache-Control"]
    entries = LedgerEntry.objects.filter(action="complaints.reveal_complainant", object_id=str(complaint.pk))
    assert entries.count() == 1 and entries.get().actor == demo["legal"]
    # The reason is kept with the reveal; the ledger holds its digest (free text may name people).
    reveal = Reveal.objects.get(complaint=complaint)
    assert reveal.person == demo["legal"] and reveal.reason == "电话核实投诉情况"
    assert "电话核实投诉情况" not in str(entries.get().payload)
    legal.post(f"/complaints/{complaint.pk}/reveal/", {"reason": "再次核实"})
    assert entries.count() == 2
    # Revealing is not remembered: the complaint's page still does not show the identity.
    assert_no_identity(html(legal.get(f"/complaints/{complaint.pk}/")), "detail page after reveal")
    assert "查看投诉举报人信息" in html(legal.get(f"/complaints/{complaint.pk}/"))
    # Others who see the complaint may not reveal; those who do not see it get "not found".
    for person in ("leader", "deputy", "supervisor", "inspector", "admin"):
        response = signed_in(person).post(f"/complaints/{complaint.pk}/reveal/", {"reason": "想看看"})
        assert response.status_code == 404
        assert_no_identity(html(response), f"reveal as {person}")
    outsider = signed_in("ggzy-legal")
    assert outsider.post(f"/complaints/{complaint.pk}/reveal/", {"reason": "x"}).status_code == 404
    assert entries.count() == 2
    assert legal.get(f"/complaints/{complaint.pk}/reveal/").status_code == 405
