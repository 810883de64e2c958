"""The complaint procedure through its services, on each seed profile the demo binds."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiandu.calendar import Unit
from jiandu.complaints import services
from jiandu.complaints.models import Complaint, Material, Rating
from jiandu.complaints.procedure import COMPLAINTS
from jiandu.core.errors import InvalidState, NotAllowed, ServiceError
from jiandu.deadlines.calendar_source import get_calendar
from jiandu.deadlines.models import Deadline, Notification
from jiandu.deadlines.services import deadlines_of, open_deadlines_of
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.models import Approval
from jiandu.procedures.runner import allowed_steps

pytestmark = pytest.mark.django_db

SECRET_NAME, SECRET_PHONE = "保密测试人丙", "13900003333"


def intake(agency: Agency, **overrides) -> services.Intake:
    profile = profile_for(agency)
    values = {
        "agency": agency,
        "channel": Complaint.Channel.ONLINE,
        # A profile that lists no categories accepts any (002 lists none).
        "category": (services.categories_for(profile) or ["其他"])[0],
        "content": "执法人员检查时态度恶劣，未出示执法证件。",
        "complainant": services.Complainant(name=SECRET_NAME, phone=SECRET_PHONE),
    }
    values.update(overrides)
    return services.Intake(**values)


@pytest.fixture
def amr(demo) -> Agency:
    return Agency.objects.get(code="demo-amr")


@pytest.fixture
def ggzy(demo) -> Agency:
    return Agency.objects.get(code="demo-ggzy")


def open_deadline(complaint: Complaint, key: str) -> Deadline:
    return deadlines_of(complaint).get(rule_key=key, closed_at__isnull=True)


def test_intake_seals_identity_and_opens_the_acceptance_period(ggzy):
    receipt = services.submit_complaint(intake(ggzy))
    complaint = receipt.complaint
    assert complaint.state == Complaint.State.RECEIVED
    assert (
        SECRET_NAME not in complaint.complainant_sealed and SECRET_PHONE not in complaint.complainant_sealed
    )
    period = profile_for(ggzy).period("complaint.acceptance")  # 000 附件1 第五条: 5个工作日
    deadline = open_deadline(complaint, "complaint.acceptance")
    today = timezone.localdate()
    assert (
        deadline.due_date
        == get_calendar().add(today, period.amount, Unit(period.unit), provisional_ok=True).due
    )
    assert "第五条" in deadline.citation
    entry = LedgerEntry.objects.get(action="complaints.submit", object_id=str(complaint.pk))
    assert SECRET_NAME not in str(entry.payload) and SECRET_PHONE not in str(entry.payload)
    assert services.find_by_tracking(receipt.tracking_code, receipt.secret) == complaint
    assert services.find_by_tracking(receipt.tracking_code, "WRONG") is None
    assert services.find_by_tracking("NOSUCHCODE00", receipt.secret) is None


def test_profile_silent_on_acceptance_opens_no_acceptance_deadline(amr):
    # 004 (zhongshan-amr) 第5条 names no acceptance period: none is invented.
    complaint = services.submit_complaint(intake(amr)).complaint
    assert not deadlines_of(complaint).filter(rule_key="complaint.acceptance").exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("content", {"content": "  "}),
        ("category", {"category": "不存在的类别"}),
        ("name", {"complainant": services.Complainant(phone="1")}),
        ("phone", {"complainant": services.Complainant(name="某人")}),
        ("occurred_on", {"occurred_on": datetime.date(2999, 1, 1)}),
        ("entrusted_by", {"entrusted": True}),
    ],
)
def test_bad_intake_names_the_field_and_writes_nothing(ggzy, field, overrides):
    before = (Complaint.objects.count(), LedgerEntry.objects.count(), Deadline.objects.count())
    with pytest.raises(ServiceError) as exc:
        services.submit_complaint(intake(ggzy, **overrides))
    assert exc.value.field == field
    assert (Complaint.objects.count(), LedgerEntry.objects.count(), Deadline.objects.count()) == before


def test_anonymous_complaint_needs_no_identity(ggzy):
    complaint = services.submit_complaint(
        intake(ggzy, anonymous=True, complainant=services.Complainant())
    ).complaint
    assert complaint.anonymous and complaint.complainant_sealed == ""


def test_disguised_upload_is_refused(ggzy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile(
        "evidence.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf"
    )
    with pytest.raises(ServiceError) as exc:
        services.submit_complaint(intake(ggzy, attachments=[fake]))
    assert exc.value.field == "attachments" and "内容与类型不符" in exc.value.message
    assert not Complaint.objects.exists()
    real = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    complaint = services.submit_complaint(intake(ggzy, attachments=[real])).complaint
    material = complaint.materials.get()
    assert material.content_type == "image/png" and material.original_name == "现场照片.png"
    assert "现场照片" not in material.file.name  # stored under a random name


def test_oversize_upload_is_refused(ggzy, settings):
    settings.JIANDU_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("a.txt", b"x" * 101)
    with pytest.raises(ServiceError, match="上限"):
        services.submit_complaint(intake(ggzy, attachments=[big]))


def test_full_path_accept_extend_conclude_rate_archive(ggzy, demo):
    legal, leader = demo["ggzy-legal"], demo["ggzy-leader"]
    complaint = services.submit_complaint(intake(ggzy)).complaint
    with pytest.raises(NotAllowed):
        services.accept_complaint(complaint, actor=demo["legal"])  # another agency's legal staff
    services.accept_complaint(complaint, actor=legal)
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ACCEPTED
    assert deadlines_of(complaint).get(rule_key="complaint.acceptance").state == Deadline.State.MET
    handling = open_deadline(complaint, "complaint.handling")  # 000 第六条: 30日
    period = profile_for(ggzy).period("complaint.handling")
    assert (
        handling.due_date
        == get_calendar().add(timezone.localdate(), period.amount, Unit(period.unit), provisional_ok=True).due
    )
    maximum = profile_for(ggzy).period("complaint.extension.max")
    with pytest.raises(ServiceError) as exc:
        services.request_extension(complaint, actor=legal, amount=maximum.amount + 1, reasons="情况复杂")
    assert exc.value.field == "amount" and "不得超过" in exc.value.message
    request = services.request_extension(
        complaint, actor=legal, amount=maximum.amount, reasons="情况复杂，需补充调查"
    )
    with pytest.raises(NotAllowed):
        services.decide_extension(request, actor=legal, approve=True)  # 000 第六条: 局主要领导批准
    services.decide_extension(request, actor=leader, approve=True, note="同意")
    handling.refresh_from_db()
    assert handling.state == Deadline.State.EXTENDED
    assert (
        handling.due_date
        == get_calendar()
        .add(handling.base_due_date, maximum.amount, Unit(maximum.unit), provisional_ok=True)
        .due
    )
    with pytest.raises(InvalidState):
        services.request_extension(complaint, actor=legal, amount=1, reasons="再延")
    services.add_material(complaint, actor=legal, kind=Material.Kind.NOTE, note="询问笔录：当事人陈述……")
    with pytest.raises(ServiceError) as exc:
        services.conclude_complaint(
            complaint, actor=legal, finding="substantiated", measures=[], result_text="x"
        )
    assert exc.value.field == "measures"
    services.conclude_complaint(
        complaint,
        actor=legal,
        finding="substantiated",
        measures=["correct"],
        result_text="经查属实，已责令改正。",
    )
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.CONCLUDED
    assert deadlines_of(complaint).get(rule_key="complaint.handling").state == Deadline.State.MET
    services.rate_complaint(complaint, value=Rating.Value.SATISFIED)
    services.archive_complaint(complaint, actor=legal)
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ARCHIVED and len(complaint.archive_digest) == 64
    entry = LedgerEntry.objects.get(action="complaints.archive", object_id=str(complaint.pk))
    assert entry.payload["digest"] == complaint.archive_digest
    with pytest.raises(InvalidState):
        services.add_material(complaint, actor=legal, kind=Material.Kind.NOTE, note="归档后补充")
    actions = list(
        LedgerEntry.objects.filter(object_id=str(complaint.pk), object_type="complaints.complaint")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "complaints.submit",
        "complaints.accept",
        "complaints.request_extension",
        "complaints.approve_extension",
        "complaints.add_material",
        "complaints.conclude",
        "complaints.rate",
        "complaints.archive",
    ]


def test_extension_must_be_requested_before_the_period_ends(ggzy, demo):
    complaint = services.submit_complaint(intake(ggzy)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    handling = open_deadline(complaint, "complaint.handling")
    Deadline.objects.filter(pk=handling.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ServiceError, match="届满前申请"):
        services.request_extension(complaint, actor=demo["ggzy-legal"], amount=5, reasons="复杂")


def test_reject_needs_reason_and_basis(ggzy, demo):
    complaint = services.submit_complaint(intake(ggzy)).complaint
    with pytest.raises(ServiceError) as exc:
        services.reject_complaint(
            complaint, actor=demo["ggzy-legal"], reason="不属于受理范围", legal_basis=""
        )
    assert exc.value.field == "legal_basis"
    services.reject_complaint(
        complaint,
        actor=demo["ggzy-legal"],
        reason="不属于受理范围",
        legal_basis="《行政执法投诉举报制度》第五条",
    )
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.REJECTED
    with pytest.raises(InvalidState):
        services.accept_complaint(complaint, actor=demo["ggzy-legal"])


def test_refer_closes_acceptance(ggzy, demo):
    complaint = services.submit_complaint(intake(ggzy)).complaint
    services.refer_complaint(
        complaint, actor=demo["ggzy-legal"], competent_body="荆州市市场监督管理局", reason="不属本机关管辖"
    )
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.REFERRED and complaint.referred_to == "荆州市市场监督管理局"
    assert not deadlines_of(complaint).filter(closed_at__isnull=True).exists()


def test_handed_over_complaint_follows_the_assigned_rules(demo):
    # 001 附件1 一: 区司法局交办 → 15个工作日办结; extension approved by 区司法局, at most 15个工作日.
    cgzf = Agency.objects.get(code="demo-cgzf")
    sfj = Agency.objects.get(code="demo-sfj")
    profile = profile_for(cgzf)
    receipt = services.submit_complaint(
        intake(
            cgzf,
            channel=Complaint.Channel.ASSIGNED,
            assigned_by=sfj,
            category=services.categories_for(profile)[0],
        ),
        actor=demo["supervisor"],
    )
    complaint = receipt.complaint
    handling = open_deadline(complaint, "complaint.assigned.handling")
    period = profile.period("complaint.assigned.handling")
    assert (period.amount, period.unit) == (15, "workday")
    assert (
        handling.due_date
        == get_calendar().add(timezone.localdate(), 15, Unit.WORKDAY, provisional_ok=True).due
    )
    services.accept_complaint(complaint, actor=demo["cgzf-legal"])
    request = services.request_extension(complaint, actor=demo["cgzf-legal"], amount=10, reasons="工作量大")
    with pytest.raises(NotAllowed):
        services.decide_extension(request, actor=demo["cgzf-leader"], approve=True)
    services.decide_extension(request, actor=demo["supervisor"], approve=True, note="同意延期")
    assert Approval.objects.get(pk=request.pk).outcome == Approval.Outcome.APPROVED


def concluded_hotline_complaint(demo, ticket: str) -> Complaint:
    """A 12345 ticket to 梁平's 城管执法局 (profile 001), accepted and concluded 查证不属实."""
    cgzf = Agency.objects.get(code="demo-cgzf")
    complaint = services.submit_complaint(
        intake(cgzf, channel=Complaint.Channel.HOTLINE, hotline_ticket=ticket)
    ).complaint
    legal = demo["cgzf-legal"]
    services.accept_complaint(complaint, actor=legal)
    services.conclude_complaint(
        complaint, actor=legal, finding="not_substantiated", measures=[], result_text="经查不属实。"
    )
    complaint.refresh_from_db()
    return complaint


def test_two_dissatisfied_ratings_put_the_matter_under_supervised_handling(demo):
    cgzf = Agency.objects.get(code="demo-cgzf")
    # 001 附件1 一: complaints reach 梁平's agencies through the 12345 hotline only.
    with pytest.raises(ServiceError) as exc:
        services.submit_complaint(intake(cgzf))
    assert exc.value.field == "channel" and "12345" in exc.value.message
    complaint = concluded_hotline_complaint(demo, "LP-0001")
    services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED)
    with pytest.raises(InvalidState):
        services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED)  # a double click counts once
    complaint.refresh_from_db()
    assert not complaint.supervised
    # The hotline's return visit is a second feedback; the same visit reported again is not a third.
    first = services.rate_complaint(
        complaint, value=Rating.Value.DISSATISFIED, source="hotline", visit_id="HF-1"
    )
    again = services.rate_complaint(
        complaint, value=Rating.Value.DISSATISFIED, source="hotline", visit_id="HF-1"
    )
    assert first.created and not again.created and again.rating == first.rating
    complaint.refresh_from_db()
    assert complaint.supervised  # 001 附件1 二: 两次反馈“不满意”… 按规定督办
    assert complaint.ratings.count() == 2
    assert LedgerEntry.objects.filter(action="complaints.rate", object_id=str(complaint.pk)).count() == 2
    # The first disputed answer is told to the supervising body (区司法局); 督办 is the
    # 区政府办公室's, which is told when it starts (001 附件1 二), and the 区司法局 is not.
    (first,) = Notification.objects.filter(person=demo["supervisor"])
    assert "请研究是否重新办理" in first.message
    (supervised,) = Notification.objects.filter(person=demo["zfb"])
    assert "督办" in supervised.message
    for note in (first, supervised):
        assert complaint.number in note.message and SECRET_NAME not in note.message
    # The 区政府办公室 sees the matter it follows.
    assert Complaint.objects.restrict(demo["zfb"]).filter(pk=complaint.pk).exists()


def test_supervised_handling_covers_only_matters_the_hotline_transferred(demo):
    # 区司法局交办 is not 转办: two 不满意 on a handed-over complaint do not start 督办.
    cgzf = Agency.objects.get(code="demo-cgzf")
    complaint = services.submit_complaint(
        intake(
            cgzf, channel=Complaint.Channel.ASSIGNED, category=services.categories_for(profile_for(cgzf))[0]
        ),
        actor=demo["supervisor"],
    ).complaint
    legal = demo["cgzf-legal"]
    services.accept_complaint(complaint, actor=legal)
    services.conclude_complaint(
        complaint, actor=legal, finding="not_substantiated", measures=[], result_text="经查不属实"
    )
    services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED)
    services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED, source="hotline", visit_id="HF-X")
    complaint.refresh_from_db()
    assert not complaint.supervised
    assert not Notification.objects.filter(person=demo["zfb"]).exists()


def test_a_hotline_visit_needs_its_number_and_cannot_be_reported_otherwise(demo):
    complaint = concluded_hotline_complaint(demo, "LP-0002")
    with pytest.raises(ServiceError) as missing:
        services.rate_complaint(complaint, value=Rating.Value.SATISFIED, source="hotline")
    assert missing.value.field == "visit_id"
    services.rate_complaint(complaint, value=Rating.Value.SATISFIED, source="hotline", visit_id="HF-9")
    with pytest.raises(InvalidState) as changed:
        services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED, source="hotline", visit_id="HF-9")
    assert changed.value.field == "value" and "满意" in changed.value.message
    with pytest.raises(ServiceError) as foreign:
        services.rate_complaint(complaint, value=Rating.Value.SATISFIED, visit_id="HF-10")
    assert foreign.value.field == "visit_id"
    assert complaint.ratings.count() == 1


def test_dissatisfied_answer_is_handled_again_and_rated_again(demo):
    """不满意 → 重新办理 → a second answer → 不满意 again → 督办 (001 附件1 二)."""
    complaint = concluded_hotline_complaint(demo, "LP-0003")
    legal = demo["cgzf-legal"]
    with pytest.raises(InvalidState):
        services.rehandle_complaint(complaint, actor=legal, reason="复查")  # nobody is dissatisfied yet
    services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED)
    with pytest.raises(ServiceError) as no_reason:
        services.rehandle_complaint(complaint, actor=legal, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(NotAllowed):
        services.rehandle_complaint(complaint, actor=demo["legal"], reason="复查")
    complaint.refresh_from_db()
    rehandle = COMPLAINTS.step("complaints.rehandle")
    assert rehandle in allowed_steps(legal, complaint) and rehandle not in allowed_steps(
        demo["legal"], complaint
    )
    open_before = Deadline.objects.filter(closed_at__isnull=True).count()
    services.rehandle_complaint(complaint, actor=legal, reason="投诉人对调查范围有异议，补充调查现场视频。")
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ACCEPTED and complaint.answer_round == 1
    assert complaint.finding == "" and complaint.concluded_at is None
    # No seed sets a period for handling again: no deadline is invented for it.
    assert Deadline.objects.filter(closed_at__isnull=True).count() == open_before
    entry = LedgerEntry.objects.get(action="complaints.rehandle", object_id=str(complaint.pk))
    assert entry.payload["answer_round"] == 1 and entry.payload["previous"]["finding"] == "not_substantiated"
    with pytest.raises(InvalidState):
        services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED)  # nothing to rate while handling
    services.conclude_complaint(
        complaint, actor=legal, finding="partly", measures=["correct"], result_text="经补充调查，部分属实。"
    )
    complaint.refresh_from_db()
    assert complaint.answer_round == 2 and not complaint.supervised
    assert len([d for d in services.documents_of(complaint) if d.kind == "complaint_result"]) == 2
    services.rate_complaint(complaint, value=Rating.Value.DISSATISFIED)  # the second answer's rating
    complaint.refresh_from_db()
    assert complaint.supervised
    assert [(r.answer_round, r.value) for r in complaint.ratings.order_by("id")] == [
        (1, "dissatisfied"),
        (2, "dissatisfied"),
    ]


def test_explanation_from_the_body_complained_about(demo):
    # 002 第九条 has the respondent periods; the demo's 公共资源交易监管局 follows 000 and 002.
    ggzy = Agency.objects.get(code="demo-ggzy")
    amr = Agency.objects.get(code="demo-amr")
    complaint = services.submit_complaint(intake(ggzy, target_agency=amr)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    assert open_deadline(complaint, "complaint.respondent_notice")
    request = services.request_explanation(
        complaint, actor=demo["ggzy-legal"], matters="请说明执法检查时是否出示执法证件。"
    )
    assert deadlines_of(complaint).get(rule_key="complaint.respondent_notice").state == Deadline.State.MET
    # The body's 15 days run from its receipt of the notice (接到通知之日起), not from the request.
    assert not deadlines_of(complaint).filter(rule_key="complaint.respondent_explanation").exists()
    with pytest.raises(NotAllowed):
        services.receive_explanation_request(request, actor=demo["handler"])
    services.receive_explanation_request(request, actor=demo["legal"])
    with pytest.raises(InvalidState):
        services.receive_explanation_request(request, actor=demo["legal"])
    explanation = open_deadline(complaint, "complaint.respondent_explanation")
    assert explanation.agency == amr and explanation.start_date == timezone.localdate()
    assert LedgerEntry.objects.filter(action="complaints.receive_explanation_request").count() == 1
    with pytest.raises(NotAllowed):
        services.submit_explanation(request, actor=demo["handler"], explanation="说明")
    services.submit_explanation(
        request,
        actor=demo["legal"],
        explanation="经核实，执法人员已出示证件。",
        files=[SimpleUploadedFile("说明.txt", "书面说明".encode())],
    )
    assert (
        deadlines_of(complaint).get(rule_key="complaint.respondent_explanation").state == Deadline.State.MET
    )
    assert complaint.materials.filter(kind=Material.Kind.EXPLANATION).count() == 1


def test_reveal_is_for_the_handler_only_and_ledgered(ggzy, demo):
    complaint = services.submit_complaint(intake(ggzy)).complaint
    for person in ("ggzy-leader", "supervisor", "legal", "admin"):
        with pytest.raises(NotAllowed):
            services.reveal_complainant(complaint, actor=demo[person], reason="核实")
    with pytest.raises(ServiceError) as exc:
        services.reveal_complainant(complaint, actor=demo["ggzy-legal"], reason=" ")
    assert exc.value.field == "reason"
    identity = services.reveal_complainant(complaint, actor=demo["ggzy-legal"], reason="电话回访核实情况")
    assert identity["name"] == SECRET_NAME and identity["phone"] == SECRET_PHONE
    entry = LedgerEntry.objects.get(action="complaints.reveal_complainant")
    reveal = complaint.reveals.get()
    assert entry.actor == demo["ggzy-legal"] and reveal.reason == "电话回访核实情况"
    assert entry.payload["reveal"] == reveal.pk
    assert entry.payload["inputs"]["reason"]["sha256"] == hashlib.sha256(reveal.reason.encode()).hexdigest()
    assert "电话回访" not in str(entry.payload)
    # Once accepted, the handling officer alone: another legal officer of the agency may not.
    from jiandu.orgs import services as orgs
    from jiandu.orgs.models import Role, Unit

    colleague = orgs.create_person(
        actor=None,
        username="ggzy-legal-2",
        full_name="另一法治",
        agency=ggzy,
        unit=Unit.objects.get(agency=ggzy, name="法治科"),
        roles=[Role.LEGAL_AFFAIRS],
        password="a-long-test-password-2",
    )
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    complaint.refresh_from_db()
    assert services.may_handle(colleague, complaint) and not services.may_reveal(colleague, complaint)
    with pytest.raises(NotAllowed):
        services.reveal_complainant(complaint, actor=colleague, reason="好奇")
    assert services.may_reveal(demo["ggzy-legal"], complaint)


def test_scope_of_complaints_by_role(demo, amr, ggzy):
    mine = services.submit_complaint(intake(amr, target_officer=demo["handler"])).complaint
    other = services.submit_complaint(intake(ggzy)).complaint
    visible = {u: set(Complaint.objects.restrict(demo[u]).values_list("pk", flat=True)) for u in demo}
    assert visible["legal"] == {mine.pk} and visible["leader"] == {mine.pk}
    assert visible["ggzy-legal"] == {other.pk}
    assert visible["supervisor"] == {mine.pk, other.pk} and visible["inspector"] == {mine.pk, other.pk}
    assert visible["handler"] == set()  # the officer complained about
    assert visible["handler2"] == set() and visible["zhangwei"] == set()  # case handlers see no complaints
    assert visible["admin"] >= {mine.pk, other.pk}


def test_concurrent_numbers_are_distinct(ggzy):
    numbers = {services.submit_complaint(intake(ggzy)).complaint.number for _ in range(5)}
    assert len(numbers) == 5


def test_hotline_ticket_registers_once(ggzy):
    first = services.submit_complaint(
        intake(ggzy, channel=Complaint.Channel.HOTLINE, hotline_ticket="12345-0001")
    )
    again = services.submit_complaint(
        intake(ggzy, channel=Complaint.Channel.HOTLINE, hotline_ticket="12345-0001")
    )
    assert again.complaint.pk == first.complaint.pk and again.secret == ""
    assert Complaint.objects.count() == 1


def test_tracking_secrets_survive_a_secret_key_rotation(demo, settings):
    receipt = services.submit_complaint(intake(Agency.objects.get(code="demo-amr")))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "rotated-" + "k" * 50
    assert services.find_by_tracking(receipt.tracking_code, receipt.secret) is None
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert services.find_by_tracking(receipt.tracking_code, receipt.secret) == receipt.complaint
    assert services.find_by_tracking(receipt.tracking_code, "WRONGONE") is None


def test_a_complaint_outside_competence_can_be_referred_after_acceptance(ggzy, demo):
    # 002 第九条: 对不属于本机关管辖的，应当在10日内移送有管辖权的机关，并告知…
    complaint = services.submit_complaint(intake(ggzy)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    assert open_deadline(complaint, "complaint.handling")
    services.refer_complaint(
        complaint,
        actor=demo["ggzy-legal"],
        competent_body="某区生态环境局",
        reason="调查发现属于生态环境部门职责",
    )
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.REFERRED
    assert not open_deadlines_of(complaint).exists()
    referral = deadlines_of(complaint).get(rule_key="complaint.referral")
    assert referral.state == Deadline.State.MET


def test_letters_address_the_complainant_state_the_basis_of_the_measure_and_the_recourse(ggzy, demo):
    import io

    from pypdf import PdfReader

    from jiandu.documents.models import Document
    from jiandu.documents.services import read_document_file

    complaint = services.submit_complaint(intake(ggzy)).complaint
    legal = demo["ggzy-legal"]
    services.accept_complaint(complaint, actor=legal)
    services.conclude_complaint(
        complaint,
        actor=legal,
        finding="substantiated",
        measures=["correct"],
        result_text="执法人员未出示证件属实",
    )
    result = Document.objects.get(subject_id=complaint.pk, kind="complaint_result")
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(read_document_file(result, "pdf", actor=legal))).pages
    )
    flat = "".join(text.split())
    assert SECRET_NAME in flat  # addressed by name: the complainant is not anonymous
    assert "《荆州市公共资源交易监督管理局行政执法投诉举报制度》第八条" in flat  # 责令改正's own article
    assert "申诉或者检举" in flat and "示范区司法局" in flat and "第七十五条第二款" in flat
    assert ".txt" not in flat
    # Letters that name the complainant are for those who may reveal the identity.
    assert services.letters_name_the_complainant(complaint)
    assert services.may_read_letters(legal, complaint)
    assert not services.may_read_letters(demo["ggzy-leader"], complaint)
    anonymous = services.submit_complaint(
        intake(ggzy, anonymous=True, complainant=services.Complainant())
    ).complaint
    assert not services.letters_name_the_complainant(anonymous)
    assert services.may_read_letters(demo["ggzy-leader"], anonymous)


def test_text_a_letter_could_not_print_is_refused_where_it_is_typed(ggzy, demo):
    # 𠮷 is printed (a fallback font has it); 𪚥 no embedded font has: refused at intake, by field,
    # not later when the handler's acceptance letter would fail.
    named = services.submit_complaint(
        intake(ggzy, complainant=services.Complainant(name="𠮷野", phone="13900001111"))
    )
    services.accept_complaint(named.complaint, actor=demo["ggzy-legal"])
    with pytest.raises(ServiceError) as refused:
        services.submit_complaint(
            intake(ggzy, complainant=services.Complainant(name="王𪚥", phone="13900001111"))
        )
    assert refused.value.field == "name" and "U+2A6A5" in refused.value.message
    complaint = services.submit_complaint(intake(ggzy)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    with pytest.raises(ServiceError) as result:
        services.conclude_complaint(
            complaint,
            actor=demo["ggzy-legal"],
            finding="not_substantiated",
            measures=[],
            result_text="经查𪚥",
        )
    assert result.value.field == "result_text"
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ACCEPTED


def test_the_step_itself_holds_staff_to_the_channels_their_page_offers(demo):
    """001 附件1 一: where every route is the 12345 hotline, the agency's staff register nothing
    themselves; elsewhere staff register letters, calls and visits, never a hotline ticket."""
    cgzf, amr = Agency.objects.get(code="demo-cgzf"), Agency.objects.get(code="demo-amr")
    with pytest.raises(ServiceError, match="只能通过12345热线提出") as refused:
        services.submit_complaint(intake(cgzf, channel=Complaint.Channel.LETTER), actor=demo["cgzf-legal"])
    assert refused.value.field == "channel"
    with pytest.raises(ServiceError, match="工作人员登记的渠道只能是") as refused:
        services.submit_complaint(intake(amr, channel=Complaint.Channel.ONLINE), actor=demo["legal"])
    assert refused.value.field == "channel"
    with pytest.raises(ServiceError) as refused:
        services.submit_complaint(
            intake(amr, channel=Complaint.Channel.LETTER, hotline_ticket="12345-001"), actor=demo["legal"]
        )
    assert refused.value.field == "hotline_ticket"
    assert (
        not Complaint.objects.exists() and not LedgerEntry.objects.filter(action="complaints.submit").exists()
    )
    # Without an account: the public form and the hotline only, never a hand-over.
    for channel, extra in ((Complaint.Channel.LETTER, {}), (Complaint.Channel.ONLINE, {"assigned_by": amr})):
        with pytest.raises(ServiceError) as refused:
            services.submit_complaint(intake(amr, channel=channel, **extra), actor=None)
        assert refused.value.field == "channel"
    assert (
        not Complaint.objects.exists() and not LedgerEntry.objects.filter(action="complaints.submit").exists()
    )
    letter = services.submit_complaint(intake(amr, channel=Complaint.Channel.LETTER), actor=demo["legal"])
    assert letter.complaint.channel == Complaint.Channel.LETTER
