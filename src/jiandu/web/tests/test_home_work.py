"""The work home's pending work: every kernel procedure's matters awaiting the viewer's step."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiandu.deadlines.models import Deadline
from jiandu.filings.models import Filing
from jiandu.procedures.registry import procedure, procedures
from jiandu.procedures.runner import allowed_steps, run_step
from jiandu.procedures.testing import example_inputs
from jiandu.web.views import pending_work

pytestmark = pytest.mark.django_db

FILINGS_LIST = reverse("procedures:list", args=["filings"])


def _file(person) -> Filing:
    step = procedure("filings").step("filings.submit")
    inputs = example_inputs(step, timezone.localdate())
    return run_step(step.name, actor=person, agency=person.agency, inputs=inputs).matter


def _counts(person) -> dict[str, dict[str, int]]:
    """{procedure code: {state: count}} of the person's pending work."""
    work = pending_work(person, timezone.localdate())
    return {w.procedure.code: {row.state: row.count for row in w.rows} for w in work}


def _awaiting_by_rule(person) -> dict[str, dict[str, int]]:
    """The same counts read matter by matter from `allowed_steps` (the runner's side, guards included)."""
    found: dict[str, dict[str, int]] = {}
    for proc in procedures():
        for matter in proc.model.objects.all():
            if allowed_steps(person, matter):
                states = found.setdefault(proc.code, {})
                states[matter.state] = states.get(matter.state, 0) + 1
    return found


def _sweep(demo, must: dict[str, dict[str, dict[str, int]]]) -> None:
    """Every demo role's counts are what the step rules give, and those named are as stated."""
    for username, person in demo.items():
        counts = _counts(person)
        assert counts == _awaiting_by_rule(person), username
        if username in must:
            assert counts == must[username], username
    # Nobody outside the filing agency and its supervising bureau has anything to do on it.
    outside = [u for u, p in demo.items() if p.agency.code not in ("demo-ggzy", "demo-sfj")]
    assert outside and all(_counts(demo[u]) == {} for u in outside)


def test_each_demo_role_sees_the_filings_awaiting_its_step(demo, media, signed_in):
    filing = _file(demo["ggzy-legal"])
    # 待审查: the bureau's supervision staff review it; the filing agency waits.
    _sweep(demo, {"supervisor": {"filings": {"submitted": 1}}, "ggzy-legal": {}})
    page = signed_in("supervisor").get("/work/").content.decode()
    assert "备案审查" in page and f'href="{FILINGS_LIST}?state=submitted">1</a>' in page

    run_step(
        "filings.notify",
        filing,
        actor=demo["supervisor"],
        inputs={"problems": "第三条与上位法不一致", "correction": "修改第三条"},
    )
    # 限期纠正中: the filing agency signs for the notice.
    _sweep(demo, {"ggzy-legal": {"filings": {"correcting": 1}}})
    page = signed_in("ggzy-legal").get("/work/").content.decode()
    assert f'href="{FILINGS_LIST}?state=correcting">1</a>' in page
    assert 'id="complaints-links"' in page and 'id="overdue"' in page and 'id="due-soon"' in page


def test_due_soon_and_overdue_counts_link_to_the_same_matters_in_the_list(demo, media, signed_in):
    filing = _file(demo["ggzy-legal"])
    run_step(
        "filings.notify",
        filing,
        actor=demo["supervisor"],
        inputs={"problems": "第三条与上位法不一致", "correction": "修改第三条"},
    )
    run_step("filings.receive", filing, actor=demo["ggzy-legal"], inputs={})
    period = Deadline.objects.get(rule_key="supervision_notice.notice.reply", closed_at__isnull=True)
    today = timezone.localdate()
    client = signed_in("ggzy-legal")
    for due, soon, late in ((today, 1, 0), (today - datetime.timedelta(days=1), 0, 1)):
        Deadline.objects.filter(pk=period.pk).update(due_date=due)
        [work] = pending_work(demo["ggzy-legal"], today)
        [row] = work.rows
        assert (row.state, row.count, row.due_soon, row.overdue) == ("correcting", 1, soon, late)
        page = client.get("/work/").content.decode()
        link = "due=soon" if soon else "overdue=1"
        assert f'href="{FILINGS_LIST}?state=correcting&amp;{link}">1</a>' in page
        listing = client.get(f"{FILINGS_LIST}?state=correcting&{link}").content.decode()
        assert filing.number in listing


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/work/").status_code == 200
    return len(captured)


# Session, person, roles, unit, the deadline lists with their scope, the calendar's stamp; then per
# procedure one aggregate, after the step rules' own look-ups: the viewer's scope is read again for
# each step's restrict (orgs.scope.visible_agency_ids is not cached on the person) and an approver
# rule reads its pending approvals. NetBox's query-budget idea: fails on N+1, times nothing.
HOME_BASE_QUERIES = 12
PER_PROCEDURE_QUERIES = 20


def test_the_home_page_stays_within_its_query_budget_as_matters_grow(demo, media, signed_in):
    client = signed_in("supervisor")
    _file(demo["ggzy-legal"])
    client.get("/work/")  # content types and the calendar cached, as in a running server
    few = _home_queries(client)
    for _ in range(4):
        _file(demo["ggzy-legal"])
    assert _home_queries(client) == few
    assert few <= HOME_BASE_QUERIES + PER_PROCEDURE_QUERIES * len(procedures()), few
