"""The filing procedure through the kernel's runner: 002 第七条、第八条、第十一条、第十二条."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiandu.core.errors import InvalidState, NotAllowed, ServiceError
from jiandu.deadlines.models import Deadline, Notification
from jiandu.deadlines.services import deadlines_of, tick
from jiandu.documents.models import Document
from jiandu.filings.models import Filing
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency
from jiandu.procedures.models import Approval
from jiandu.procedures.runner import allowed_steps, run_step
from jiandu.procedures.timeline import timeline

pytestmark = pytest.mark.django_db

TITLE = "关于公共资源交易投诉处理的若干规定"


def pdf(name: str = "规定.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test\n%%EOF", content_type="application/pdf")


def submit(person, *, days_ago: int = 3, kind: str = Filing.Kind.NORMATIVE_DOCUMENT, **extra) -> Filing:
    inputs = {
        "kind": kind,
        "title": TITLE,
        "document_number": "示范公管规〔2026〕1号",
        "event_date": timezone.localdate() - datetime.timedelta(days=days_ago),
        "summary": "",
        "files": [pdf()],
        **extra,
    }
    return run_step("filings.submit", actor=person, agency=person.agency, inputs=inputs).matter


def at(moment: datetime.datetime):
    """Run what follows as if it were `moment` (the clock every service reads)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_filing_on_time_is_numbered_registered_and_ledgered_once(demo, media):
    before = LedgerEntry.objects.count()
    filing = submit(demo["ggzy-legal"])
    assert filing.state == Filing.State.SUBMITTED
    assert filing.number == f"{filing.agency.code.upper()}-BA-{timezone.localdate().year}-000001"
    assert filing.supervisor == Agency.objects.get(code="demo-sfj")
    assert filing.late is False
    (deadline,) = deadlines_of(filing)
    assert deadline.rule_key == "filing.normative_document" and deadline.state == Deadline.State.MET
    assert "第七条" in deadline.citation
    entries = list(LedgerEntry.objects.filter(seq__gt=before) if before else LedgerEntry.objects.all())
    assert [e.action for e in entries] == ["filings.submit"]
    payload = entries[0].payload
    assert payload["late"] is False and payload["to"] == "submitted"
    # Typed text is kept as a digest: the ledger proves what was written without repeating it.
    assert TITLE not in str(payload)
    assert payload["inputs"]["files"][0]["sha256"]


def test_a_late_filing_is_flagged(demo, media):
    filing = submit(demo["ggzy-legal"], days_ago=45)
    assert filing.late is True
    assert deadlines_of(filing).get().state == Deadline.State.MISSED


def test_a_major_penalty_decision_runs_on_its_own_period(demo, media):
    filing = submit(demo["ggzy-legal"], kind=Filing.Kind.MAJOR_PENALTY, days_ago=20)
    deadline = deadlines_of(filing).get()
    assert deadline.rule_key == "filing.major_penalty_decision" and "第八条" in deadline.citation
    assert filing.late is True  # 15 days (002 第八条)


def test_numbers_are_gapless_when_a_filing_fails(demo, media):
    person = demo["ggzy-legal"]
    first = submit(person)
    with pytest.raises(ServiceError) as refused:
        submit(person, days_ago=-5)  # a publication date in the future
    assert refused.value.field == "event_date"
    second = submit(person)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_refusals_name_the_field_and_leave_nothing(demo, media):
    person = demo["ggzy-legal"]
    before = (LedgerEntry.objects.count(), Filing.objects.count(), Deadline.objects.count())
    for bad, field in [
        ({"title": "a\x00b"}, "title"),
        ({"kind": "other"}, "kind"),
        ({"event_date": "2026-02-30"}, "event_date"),
        ({"event_date": "0001-01-01"}, "event_date"),
        ({"files": []}, "files"),
        ({"files": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00")]}, "files"),
        ({"surprise": 1}, "surprise"),
    ]:
        with pytest.raises(ServiceError) as refused:
            submit(person, **bad)
        assert refused.value.field == field, bad
    assert (LedgerEntry.objects.count(), Filing.objects.count(), Deadline.objects.count()) == before


def test_only_the_filing_agencys_legal_staff_file_and_only_where_the_rules_say(demo, media):
    with pytest.raises(NotAllowed):
        run_step("filings.submit", actor=demo["handler"], agency=demo["ggzy-legal"].agency, inputs={})
    # 中山 (004) states no filing rules: its agency does not run the procedure here.
    with pytest.raises(ServiceError) as off:
        submit(demo["legal"])
    assert off.value.code == "procedure_off"


def test_review_with_a_notice_a_report_and_acceptance(demo, media):
    filer, reviewer = demo["ggzy-legal"], demo["supervisor"]
    filing = submit(filer)
    assert [s.name for s in allowed_steps(reviewer, filing)] == ["filings.accept", "filings.notify"]
    assert allowed_steps(filer, filing) == []

    result = run_step(
        "filings.notify",
        filing,
        actor=reviewer,
        inputs={"problems": "第三条超出上位法规定的处罚幅度", "correction": "删除第三条"},
    )
    filing = result.matter
    assert filing.state == Filing.State.CORRECTING
    letter = Document.objects.get(pk=result.letter["document"])
    assert letter.kind == "filing_supervision_notice" and letter.agency == reviewer.agency
    assert [s.name for s in allowed_steps(filer, filing)] == ["filings.receive"]

    received = timezone.now()
    filing = run_step("filings.receive", filing, actor=filer).matter
    reply = deadlines_of(filing).get(rule_key="supervision_notice.notice.reply")
    assert reply.start_date == timezone.localtime(received).date()
    assert reply.amount == 15 and reply.unit == "day" and "第十二条" in reply.citation
    with pytest.raises(InvalidState):
        run_step("filings.receive", filing, actor=filer)

    filing = run_step(
        "filings.report", filing, actor=filer, inputs={"report": "已删除第三条并重新发布"}
    ).matter
    assert filing.state == Filing.State.REPORTED
    assert deadlines_of(filing).get(pk=reply.pk).state == Deadline.State.MET
    filing = run_step("filings.accept", filing, actor=reviewer, inputs={}).matter
    assert filing.state == Filing.State.FILED and filing.is_closed
    rows = timeline(filing, list(Document.objects.filter(pk=letter.pk)))
    assert [r.action for r in rows] == [
        "报送备案",
        "制发监督通知书，制发《行政执法监督通知书》",
        "签收文书",
        "报告执行情况",
        "予以备案",
    ]


def test_an_overdue_correction_lets_the_bureau_order_a_revocation_once_approved(demo, media):
    filer, reviewer, head = demo["ggzy-legal"], demo["supervisor"], demo["sfj-leader"]
    filing = submit(filer)
    correct_by = timezone.localdate() + datetime.timedelta(days=10)
    filing = run_step(
        "filings.notify",
        filing,
        actor=reviewer,
        inputs={"problems": "超越职权", "correction": "纠正", "correct_by": correct_by},
    ).matter
    filing = run_step("filings.receive", filing, actor=filer).matter
    report = deadlines_of(filing).get(rule_key="supervision_notice.correction_report")
    assert report.start_date == correct_by  # 限期纠正满15日内
    # Not overdue yet: the order is not offered and is refused.
    assert "filings.propose_order" not in [s.name for s in allowed_steps(reviewer, filing)]
    with pytest.raises(InvalidState):
        run_step(
            "filings.propose_order", filing, actor=reviewer, inputs={"order": "revoke", "reasons": "逾期"}
        )
    later = timezone.now() + datetime.timedelta(days=12)
    with at(later):
        # 经批准 (第十一条): the officer proposes, the head the profile names approves.
        assert "filings.propose_order" in [s.name for s in allowed_steps(reviewer, filing)]
        run_step(
            "filings.propose_order",
            filing,
            actor=reviewer,
            inputs={"order": "revoke", "reasons": "逾期不纠正"},
        )
        assert [s.name for s in allowed_steps(head, filing)] == [
            "filings.approve_order",
            "filings.refuse_order",
        ]
        assert allowed_steps(reviewer, filing) == []  # nothing twice: the proposal waits
        assert list(Filing.objects.restrict(head, "filings.approve_order")) == [filing]
        assert list(Filing.objects.restrict(reviewer, "filings.approve_order")) == []
        approval = Approval.objects.get()
        assert "第十一条" in approval.citation and approval.approver_agency == head.agency
        result = run_step("filings.approve_order", filing, actor=head, inputs={"opinion": "同意"})
    assert result.matter.state == Filing.State.ORDERED and result.matter.order == "revoke"
    assert Document.objects.get(pk=result.letter["document"]).kind == "filing_supervision_decision"
    # The notice's report period is superseded by the decision: cancelled, neither met nor missed.
    assert deadlines_of(filing).get(pk=report.pk).state == Deadline.State.CANCELLED
    assert [s.name for s in allowed_steps(filer, result.matter)] == ["filings.receive"]


def test_a_refused_proposal_leaves_the_filing_as_it_was(demo, media):
    filer, reviewer, head = demo["ggzy-legal"], demo["supervisor"], demo["sfj-leader"]
    filing = submit(filer)
    filing = run_step(
        "filings.notify", filing, actor=reviewer, inputs={"problems": "问题", "correction": "纠正"}
    ).matter
    filing = run_step("filings.receive", filing, actor=filer).matter
    filing = run_step("filings.report", filing, actor=filer, inputs={"report": "已纠正"}).matter
    run_step(
        "filings.propose_order", filing, actor=reviewer, inputs={"order": "change", "reasons": "纠正不到位"}
    )
    filing = run_step(
        "filings.refuse_order", filing, actor=head, inputs={"opinion": "已纠正，不必责令"}
    ).matter
    assert filing.state == Filing.State.REPORTED
    assert Approval.objects.get().outcome == Approval.Outcome.REFUSED
    assert [s.name for s in allowed_steps(reviewer, filing)] == [
        "filings.accept",
        "filings.notify",
        "filings.propose_order",
    ]


def test_wrong_state_and_wrong_actor_write_nothing(demo, media):
    filer = demo["ggzy-legal"]
    filing = submit(filer)
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidState):
        run_step("filings.report", filing, actor=filer, inputs={"report": "x"})
    with pytest.raises(NotAllowed):
        run_step("filings.accept", filing, actor=filer, inputs={})
    with pytest.raises(NotAllowed) as hidden:
        run_step("filings.accept", filing, actor=demo["cgzf-legal"], inputs={})
    assert hidden.value.code == "not_found"
    assert LedgerEntry.objects.count() == before
    filing.refresh_from_db()
    assert filing.state == Filing.State.SUBMITTED


def test_restrict_honours_the_action(demo, media):
    filer, reviewer = demo["ggzy-legal"], demo["supervisor"]
    waiting = submit(filer)
    done = run_step("filings.accept", submit(filer), actor=reviewer, inputs={}).matter
    assert set(Filing.objects.restrict(reviewer, "view")) == {waiting, done}
    assert list(Filing.objects.restrict(reviewer, "filings.accept")) == [waiting]
    assert list(Filing.objects.restrict(filer, "filings.accept")) == []
    assert set(Filing.objects.restrict(filer, "view")) == {waiting, done}
    assert list(Filing.objects.restrict(demo["cgzf-legal"], "view")) == []


def test_an_overdue_report_is_escalated_to_the_supervising_body(demo, media):
    filer, reviewer = demo["ggzy-legal"], demo["supervisor"]
    filing = submit(filer)
    filing = run_step(
        "filings.notify", filing, actor=reviewer, inputs={"problems": "问题", "correction": "纠正"}
    ).matter
    run_step("filings.receive", filing, actor=filer)
    reply = deadlines_of(filing).get(rule_key="supervision_notice.notice.reply")
    report = tick(now=timezone.now() + datetime.timedelta(days=30))
    assert report.escalated >= 1
    told = set(
        Notification.objects.filter(deadline=reply, kind="escalation").values_list(
            "person__username", flat=True
        )
    )
    # The agency's head and the bureau's supervision staff; nobody the filing is hidden from.
    assert {"ggzy-leader", "supervisor", "sfj-leader"} <= told
    assert not told & {"cgzf-legal", "cgzf-leader", "legal", "leader"}


# ------------------------------------------------------------------ regressions from the review


def _noticed(demo, **extra):
    filer, reviewer = demo["ggzy-legal"], demo["supervisor"]
    filing = submit(filer)
    inputs = {"problems": "问题", "correction": "纠正", **extra}
    return run_step("filings.notify", filing, actor=reviewer, inputs=inputs)


def test_the_agency_addressed_reads_the_letter_and_never_who_looked_at_what(demo, media, signed_in):
    result = _noticed(demo)
    letter = result.letter["document"]
    assert signed_in("ggzy-legal").get(f"/matters/documents/{letter}.pdf").status_code == 200
    assert signed_in("cgzf-legal").get(f"/matters/documents/{letter}.pdf").status_code == 404
    inspector = signed_in("inspector")
    assert inspector.get(f"/matters/documents/{letter}.docx").status_code == 200
    page = signed_in("ggzy-legal").get(f"/m/filings/{result.matter.pk}/").content.decode()
    timeline = page[page.index('id="timeline"') :]
    assert "周纪检" not in timeline and "download" not in timeline


def test_whoever_proposes_an_order_does_not_approve_it(demo, media):
    head = demo["sfj-leader"]  # a supervision officer and the bureau's head at once
    filing = _noticed(demo).matter
    filing = run_step("filings.receive", filing, actor=demo["ggzy-legal"]).matter
    filing = run_step("filings.report", filing, actor=demo["ggzy-legal"], inputs={"report": "已纠正"}).matter
    run_step("filings.propose_order", filing, actor=head, inputs={"order": "change", "reasons": "未纠正"})
    assert "filings.approve_order" not in [s.name for s in allowed_steps(head, filing)]
    with pytest.raises(NotAllowed):
        run_step("filings.approve_order", filing, actor=head, inputs={})
    # Nor does the officer file it away or send a new notice while the head has it.
    assert allowed_steps(demo["supervisor"], filing) == []
    with pytest.raises(InvalidState):
        run_step("filings.accept", filing, actor=demo["supervisor"], inputs={})


def test_an_order_whose_correction_date_has_passed_is_not_issued(demo, media):
    filer, reviewer, head = demo["ggzy-legal"], demo["supervisor"], demo["sfj-leader"]
    filing = _noticed(demo).matter
    filing = run_step("filings.receive", filing, actor=filer).matter
    filing = run_step("filings.report", filing, actor=filer, inputs={"report": "部分纠正"}).matter
    soon = timezone.localdate() + datetime.timedelta(days=3)
    inputs = {"order": "change", "reasons": "未纠正", "correct_by": soon}
    run_step("filings.propose_order", filing, actor=reviewer, inputs=inputs)
    with at(timezone.now() + datetime.timedelta(days=20)), pytest.raises(InvalidState):
        run_step("filings.approve_order", filing, actor=head, inputs={})


def test_dates_the_calendar_cannot_count_from_are_refused_naming_the_field(demo, media):
    with pytest.raises(ServiceError) as old:
        submit(demo["ggzy-legal"], days_ago=(timezone.localdate() - datetime.date(1950, 1, 1)).days)
    assert old.value.field == "event_date"
    with pytest.raises(ServiceError) as far:
        _noticed(demo, correct_by=datetime.date(2999, 12, 31))
    assert far.value.field == "correct_by"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("document_number", "文" * 101),  # the column holds 100
        ("title", "申\u202e明"),  # a bidirectional override
        ("title", "abc\ud800"),  # a lone surrogate
        ("event_date", "20261130"),  # only YYYY-MM-DD
        ("event_date", 20261130),
    ],
)
def test_text_and_dates_are_bounded_at_the_edge(demo, media, field, value):
    with pytest.raises(ServiceError) as refused:
        submit(demo["ggzy-legal"], **{field: value})
    assert refused.value.field == field


def test_a_notice_never_signed_for_is_recorded_as_delivered_and_its_period_runs(demo, media):
    reviewer = demo["supervisor"]
    sent = _noticed(demo).matter
    later = timezone.now() + datetime.timedelta(days=40)
    with at(later):
        # Never signed: nothing is overdue, so 第十一条 cannot be reached…
        assert "filings.propose_order" not in [s.name for s in allowed_steps(reviewer, sent)]
        delivered = timezone.localdate() - datetime.timedelta(days=35)
        with pytest.raises(ServiceError) as early:
            run_step(
                "filings.record_delivery",
                sent,
                actor=reviewer,
                inputs={"delivered_on": delivered - datetime.timedelta(days=30)},
            )
        assert early.value.field == "delivered_on"  # before the notice went out
        # …until the bureau records the delivery its 送达回证 proves.
        filing = run_step(
            "filings.record_delivery", sent, actor=reviewer, inputs={"delivered_on": delivered}
        ).matter
        reply = deadlines_of(filing).get(rule_key="supervision_notice.notice.reply")
        assert reply.start_date == delivered
        assert "filings.propose_order" in [s.name for s in allowed_steps(reviewer, filing)]
        assert "filings.receive" not in [s.name for s in allowed_steps(demo["ggzy-legal"], filing)]
