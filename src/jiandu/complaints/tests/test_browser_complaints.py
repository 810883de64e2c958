"""Browser tests: the public form to the receipt and the status page, then the handler's acceptance;
and the public's whole walk from the start page to a 不满意 rating with its reason (Playwright
driving Debian's chromium, as in web/tests/test_browser.py)."""

import threading
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connections

from jiandu.core.testing import needs_chromium


# The tests read what they need from the pages: an ORM call made while Playwright's loop runs in
# this thread would open a second database connection that nothing closes. What staff do through
# the services runs in a thread of its own, which closes its connection (`as_staff`).
@pytest.fixture(autouse=True)
def scratch_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_public_complaint_to_status_page_and_acceptance(
    live_server, demo, demo_password, browser_page, tmp_path
):
    page = browser_page
    page.goto(f"{live_server.url}/complaint/new/")
    page.click("a.agency-link:has-text('示范区市场监督管理局')")
    page.wait_for_selector("#complaint-form")
    page.screenshot(path=str(tmp_path / "form.png"), full_page=True)
    # A first try without content is refused next to the field, the rest kept.
    page.select_option("#id_category", index=1)
    page.fill("#id_target_description", "穿制服的男性执法人员")
    page.fill("#id_name", "保密测试人甲")
    page.fill("#id_phone", "13900001111")
    page.click("text=提交投诉举报")
    page.wait_for_selector("#id_content_error")
    assert "请填写投诉举报的具体内容" in page.inner_text("#id_content_error")
    assert page.input_value("#id_name") == "保密测试人甲"
    page.screenshot(path=str(tmp_path / "form-error.png"), full_page=True)
    page.fill("#id_content", "执法人员检查时态度恶劣，未出示执法证件。")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "photo.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )
    page.click("text=提交投诉举报")
    page.wait_for_selector("#tracking-code")
    number = page.inner_text("#number")
    code = page.inner_text("#tracking-code")
    secret = page.inner_text("#tracking-secret")
    assert "只显示这一次" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    page.reload()
    assert code not in page.inner_text("main") and "回执已显示过" in page.inner_text("main")

    page.goto(f"{live_server.url}/complaint/status/")
    page.fill("#id_tracking_code", code)
    page.fill("#id_secret", secret)
    page.click("button:has-text('查询')")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "待受理"
    page.screenshot(path=str(tmp_path / "status.png"), full_page=True)

    staff = page.context.browser.new_page(locale="zh-CN")
    staff.goto(f"{live_server.url}/login/?next=/complaints/")
    staff.fill("#id_username", "legal")
    staff.fill("#id_password", demo_password)
    staff.click("button[type=submit]")
    staff.wait_for_selector("#queue")
    staff.click(f"text={number}")
    staff.wait_for_selector("#step-accept")
    assert "保密测试人甲" not in staff.content() and "13900001111" not in staff.content()
    staff.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    staff.click("#step-accept button[type=submit]")
    staff.wait_for_selector("text=已受理，办理期限开始计算")
    assert "办理中" in staff.inner_text("#facts")
    staff.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
    staff.goto(f"{live_server.url}/complaints/")
    staff.screenshot(path=str(tmp_path / "queue.png"), full_page=True)

    page.reload()
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "办理中"
    page.screenshot(path=str(tmp_path / "status-accepted.png"), full_page=True)


def as_staff(work: Callable[[], None]) -> None:
    """Run service calls outside Playwright's thread, closing their database connection after."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_the_public_from_the_start_page_to_a_reasoned_rating(live_server, demo, browser_page, tmp_path):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/")
    assert "查询办理进度" in page.inner_text("#start-status")
    page.screenshot(path=str(tmp_path / "start.png"), full_page=True)
    page.click("#start-new")

    # The agency list: the hotline-only agency says how to reach the hotline, not a dead end.
    page.wait_for_selector("#agencies")
    page.click("a.agency-link:has-text('示范区城市管理综合行政执法局')")
    page.wait_for_selector("#hotline")
    assert page.get_attribute("#call", "href") == "tel:12345"
    hotline = page.inner_text("#hotline")
    assert "打电话时请说明" in hotline and "工单编号" in hotline and ".txt" not in hotline
    page.screenshot(path=str(tmp_path / "hotline.png"), full_page=True)
    page.click("text=选择其他受理机关")
    page.click("a.agency-link:has-text('示范区市场监督管理局')")
    page.wait_for_selector("#complaint-form")

    # A first submit with two errors and a file: both errors at once, the file kept.
    page.select_option("#id_category", index=1)
    page.fill("#id_name", "保密测试人乙")
    page.fill("#id_phone", "12345")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "现场照片.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )
    page.click("text=提交投诉举报")
    page.wait_for_selector("#error-summary")
    summary = page.inner_text("#error-summary")
    assert "投诉举报内容" in summary and "联系电话格式不正确" in summary
    assert "已上传：现场照片.pdf" in page.inner_text("#kept-files")
    page.screenshot(path=str(tmp_path / "form-errors.png"), full_page=True)
    page.click("#error-summary a[href='#id_content']")  # the summary leads to the field
    page.fill("#id_content", "执法人员检查时未出示执法证件，并扣押了货物。")
    page.fill("#id_phone", "0858-8322945")
    page.click("text=提交投诉举报")

    page.wait_for_selector("#tracking-code")
    number = page.inner_text("#number")
    code = page.inner_text("#tracking-code")
    secret = page.inner_text("#tracking-secret")
    assert "接下来会怎样" in page.inner_text("#next-steps")
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)

    # Back to the start page: the lookup there opens the status page.
    page.goto(f"{live_server.url}/")
    page.fill("#start_tracking_code", code)
    page.fill("#start_secret", secret)
    page.click("#start-status button[type=submit]")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "待受理"

    def accept_and_conclude() -> None:
        from jiandu.complaints import services
        from jiandu.complaints.models import Complaint, Material
        from jiandu.orgs.models import Person

        complaint = Complaint.objects.get(number=number)
        assert Material.objects.filter(complaint=complaint).count() == 1  # the kept file was sent
        legal = Person.objects.get(username="legal")
        services.accept_complaint(complaint, actor=legal)
        services.conclude_complaint(
            complaint,
            actor=legal,
            finding="not_substantiated",
            measures=[],
            result_text="经调查，反映的问题不属实。",
        )

    as_staff(accept_and_conclude)

    page.reload()
    page.wait_for_selector("#letters")
    letters = page.inner_text("#letters")
    assert "受理通知书" in letters and "处理结果告知书" in letters
    with page.expect_download() as download:
        page.click("#letters li:has-text('处理结果告知书') >> text=下载 PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    page.screenshot(path=str(tmp_path / "status-letters.png"), full_page=True)

    # 不满意 asks why and says what follows.
    page.get_by_label("不满意", exact=True).check()
    page.click("#rating button[type=submit]")
    page.wait_for_selector("#id_reason_error")
    assert "请写明不满意的原因" in page.inner_text("#id_reason_error")
    page.get_by_label("不满意", exact=True).check()
    page.fill("#id_reason", "没有核实我提供的现场照片。")
    page.click("#rating button[type=submit]")
    page.wait_for_selector("#ratings")
    body = page.inner_text("main")
    assert "示范区司法局已收到通知" in body and "没有核实我提供的现场照片" in body
    page.screenshot(path=str(tmp_path / "rated.png"), full_page=True)


def sign_in(page, live_server, username: str, password: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_handling_through_the_forms_the_steps_draw(live_server, demo, demo_password, browser_page, tmp_path):
    """The handler, the body complained about and the head act through the forms each step's
    inputs draw, each seeing only the steps open to them now: explanation asked, signed for and
    given; an extension asked and approved; the finding with its measure; the file archived only
    once the box saying it cannot be undone is ticked."""
    from jiandu.complaints import services
    from jiandu.orgs.models import Agency, Person
    from jiandu.orgs.profiles import profile_for

    created: dict[str, int] = {}

    def register() -> None:
        agency = Agency.objects.get(code="demo-amr")
        categories = services.categories_for(profile_for(agency)) or ["不履行或者拖延履行法定职责"]
        intake = services.Intake(
            agency=agency,
            channel="letter",
            category=categories[0],
            content="执法人员检查时未出示执法证件。",
            complainant=services.Complainant(name="保密测试人丙", phone="13900002222"),
        )
        created["pk"] = services.submit_complaint(
            intake, actor=Person.objects.get(username="legal")
        ).complaint.pk

    as_staff(register)
    url = f"/complaints/{created['pk']}/"
    legal = browser_page
    sign_in(legal, live_server, "legal", demo_password, url)
    legal.wait_for_selector("#step-accept")
    legal.click("#step-accept button[type=submit]")
    legal.wait_for_selector("text=已受理，办理期限开始计算")
    # Accepted: the handler may ask for an explanation, add material, ask for more time, conclude.
    for slug in ("request-explanation", "add-material", "request-extension", "conclude"):
        assert legal.is_visible(f"#step-{slug}"), slug
    assert not legal.is_visible("#step-accept") and not legal.is_visible("#step-approve-extension")
    legal.fill("#id_request-explanation_matters", "请说明检查时是否出示执法证件。")
    legal.click("#step-request-explanation button[type=submit]")
    legal.wait_for_selector("text=已通知被投诉机关书面说明情况")
    # While the body has not answered, the finding waits (002 第九条): the page does not offer it.
    assert not legal.is_visible("#step-conclude") and not legal.is_visible("#step-request-explanation")

    head = legal.context.browser.new_page(locale="zh-CN")
    sign_in(head, live_server, "leader", demo_password, url)
    head.wait_for_selector("#step-receive-explanation-request")
    head.click("#step-receive-explanation-request button[type=submit]")
    head.wait_for_selector("#step-submit-explanation")
    head.fill("#id_submit-explanation_explanation", "经核查，执法人员当时已出示证件。")
    head.click("#step-submit-explanation button[type=submit]")
    head.wait_for_selector("text=已提交书面说明")

    legal.goto(f"{live_server.url}{url}")
    legal.fill("#id_request-extension_amount", "5")
    legal.fill("#id_request-extension_reasons", "需调取执法记录仪原始数据。")
    legal.click("#step-request-extension button[type=submit]")
    legal.wait_for_selector("text=延期申请已提交，等待批准")
    assert not legal.is_visible("#step-approve-extension")  # whoever asks does not approve

    head.goto(f"{live_server.url}{url}")
    head.wait_for_selector("#step-approve-extension")
    head.click("#step-approve-extension button[type=submit]")
    head.wait_for_selector("text=已批准延期")
    head.screenshot(path=str(tmp_path / "approved.png"), full_page=True)

    legal.goto(f"{live_server.url}{url}")
    legal.select_option("#id_conclude_finding", "partly")
    legal.check("#step-conclude input[value=correct]")
    legal.fill("#id_conclude_result_text", "部分属实，已责令改正。")
    legal.click("#step-conclude button[type=submit]")
    legal.wait_for_selector("text=已办结，处理结果将告知投诉举报人")
    legal.click("#step-archive button[type=submit]")  # the box not ticked: refused, nothing done
    legal.wait_for_selector("text=请勾选“我已确认”")
    legal.check("#step-archive input[name=confirm]")
    legal.click("#step-archive button[type=submit]")
    legal.wait_for_selector("text=已归档，案卷已封存")
    assert "保密测试人丙" not in legal.content() and "13900002222" not in legal.content()
    legal.screenshot(path=str(tmp_path / "archived.png"), full_page=True)
