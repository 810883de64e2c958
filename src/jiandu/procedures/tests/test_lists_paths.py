"""The kernel's matter list on its fast paths: rows written without the template engine, API items
written without a serializer pass, next due dates in one grouped query, the viewer's roles and
agency from the directory. Each is held equal to what the slower path showed, on filings."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from jiandu.deadlines.models import Deadline
from jiandu.orgs import services
from jiandu.orgs.models import Agency, Person, Role
from jiandu.procedures.api.views import _items, _list_serializer
from jiandu.procedures.lists import MatterList, Page, Row, rows_html
from jiandu.procedures.registry import procedure
from jiandu.procedures.runner import run_step
from jiandu.procedures.testing import example_inputs

LIST = reverse("procedures:list", args=["filings"])
API_LIST = "/api/filings/"


def _file(person: Person, title: str) -> object:
    step = procedure("filings").step("filings.submit")
    inputs = {**example_inputs(step, timezone.localdate()), "title": title}
    return run_step(step.name, actor=person, agency=person.agency, inputs=inputs).matter


def _deadline(matter: object, due: datetime.date, *, closed: bool = False, model: type | None = None) -> None:
    Deadline.objects.create(
        agency=matter.agency,  # type: ignore[attr-defined]
        subject_type=ContentType.objects.get_for_model(model or type(matter)),
        subject_id=matter.pk,  # type: ignore[attr-defined]
        title="期限",
        rule_key="test.reply",
        citation="",
        start_date=timezone.localdate(),
        amount=15,
        unit="day",
        due_date=due,
        closed_at=timezone.now() if closed else None,
    )


def _reference_rows(page: Page, base: str) -> str:
    # The rows as the view wrote them with format_html_join before the fast path.
    return format_html_join(
        "\n",
        '<tr><td class="nowrap"><a href="{}">{}</a></td>{}<td>{}</td><td class="nowrap">{}</td>'
        '<td class="nowrap">{}</td></tr>',
        (
            (
                f"{base}{r.pk}/",
                r.number,
                format_html_join("", "<td>{}</td>", ((cell,) for cell in r.cells)),
                r.state_label,
                r.next_due.isoformat() if r.next_due else "—",
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            )
            for r in page.rows
        ),
    )


def test_rows_are_escaped_exactly_as_format_html_escaped_them():
    created = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)  # the next day in Beijing
    rows = [
        Row(
            pk=7,
            number="A&B<1>",
            agency_id=1,
            state="s",
            state_label='"待审查"',
            created_at=created,
            cells=["<script>alert('x')</script>", 12, "", datetime.date(2026, 1, 2)],
            next_due=datetime.date(2026, 3, 9),
        ),
        Row(
            pk=8,
            number="B-2",
            agency_id=1,
            state="s",
            state_label="已备案",
            created_at=created,
            cells=["x&y"],
        ),
    ]
    page = Page(rows, None)
    base = "/m/filings/"
    written = rows_html(page, base)
    assert str(written) == str(_reference_rows(page, base))
    assert "<script>" not in written and "2026-03-02 07:30" in written


@pytest.mark.django_db
def test_the_pages_rows_and_the_apis_items_are_what_the_slow_paths_showed(demo, media, signed_in):
    filer = demo["ggzy-legal"]
    first = _file(filer, '公共资源交易投诉处理办法 <第1号> & "附件"')
    second = _file(filer, "政府采购评审专家管理办法")
    listing = MatterList(procedure("filings"), demo["supervisor"], {})
    page = listing.page()
    assert {r.pk for r in page.rows} == {first.pk, second.pk}
    expected = _list_serializer(procedure("filings"))(page.rows, many=True).data
    assert _items(page.rows) == expected
    html = signed_in("supervisor").get(LIST).content.decode()
    assert str(rows_html(page, LIST)) in html
    assert str(_reference_rows(page, LIST)) in html


@pytest.mark.django_db
def test_next_due_is_the_earliest_open_period_of_the_matter_itself(demo, media):
    filer = demo["ggzy-legal"]
    plain, timed = _file(filer, "甲"), _file(filer, "乙")
    Deadline.objects.filter(subject_id__in=[plain.pk, timed.pk]).delete()
    today = timezone.localdate()
    _deadline(timed, today + datetime.timedelta(days=9))
    _deadline(timed, today + datetime.timedelta(days=4))
    _deadline(timed, today + datetime.timedelta(days=1), closed=True)  # done: no longer due
    _deadline(plain, today + datetime.timedelta(days=2), model=Agency)  # another kind of subject
    rows = {r.pk: r for r in MatterList(procedure("filings"), demo["supervisor"], {}).page().rows}
    assert rows[timed.pk].next_due == today + datetime.timedelta(days=4)
    assert rows[plain.pk].next_due is None
    body = signed_in_api(demo["supervisor"]).get(API_LIST).json()
    due = {item["id"]: item["next_due"] for item in body["results"]}
    assert due == {timed.pk: (today + datetime.timedelta(days=4)).isoformat(), plain.pk: None}


def signed_in_api(person: Person):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=person)[0].key}")
    return client


@pytest.mark.django_db
def test_counts_and_later_pages_use_the_same_filters_and_the_cursor_never_reaches_the_counts(demo, media):
    filer = demo["ggzy-legal"]
    made = [_file(filer, f"办法{i}") for i in range(5)]
    proc = procedure("filings")
    listing = MatterList(proc, demo["supervisor"], {"sort": "created"})
    first = listing.page(size=2)
    assert [r.pk for r in first.rows] == [m.pk for m in made[:2]] and first.next_cursor
    later = MatterList(proc, demo["supervisor"], {"sort": "created", "cursor": first.next_cursor})
    second = later.page(size=2)
    assert [r.pk for r in second.rows] == [m.pk for m in made[2:4]]
    # The counts after a later page are the whole list's, as on the first page.
    assert later.counts() == listing.counts()
    assert dict((state, n) for state, _label, n in later.counts())["submitted"] == 5
    searched = MatterList(proc, demo["supervisor"], {"q": "办法3"})
    assert [r.pk for r in searched.page().rows] == [made[3].pk]
    assert sum(n for _s, _l, n in searched.counts()) == 1
    # Nobody outside the scope sees or counts them.
    outsider = MatterList(proc, demo["cgzf-legal"], {})
    assert outsider.page().rows == [] and sum(n for _s, _l, n in outsider.counts()) == 0


@pytest.mark.django_db
def test_the_list_reads_the_viewers_roles_and_agency_from_the_directory(demo, media, signed_in):
    _file(demo["ggzy-legal"], "公共资源交易投诉处理办法")
    client = signed_in("supervisor")
    assert client.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    read = [q["sql"] for q in captured]
    assert not any("orgs_roleassignment" in sql or 'FROM "orgs_agency"' in sql for sql in read), read
    # session, person, directory stamp, page, next due dates, counts
    assert len(read) <= 6, read


@pytest.mark.django_db
def test_a_role_or_agency_changed_counts_at_the_next_page(demo, media, signed_in):
    filer = demo["ggzy-legal"]
    filing = _file(filer, "公共资源交易投诉处理办法")
    create = reverse("procedures:create", args=["filings", "submit"])
    client = signed_in("ggzy-legal")
    page = client.get(LIST).content.decode()
    assert create in page and filing.number in page
    services.revoke_role(actor=None, person=filer, role=Role.LEGAL_AFFAIRS)
    assert create not in client.get(LIST).content.decode()
    services.assign_role(actor=None, person=filer, role=Role.LEGAL_AFFAIRS)
    assert create in client.get(LIST).content.decode()
    # Moved to another agency (behind the services' back: the database's trigger renews the stamp).
    Person.objects.filter(pk=filer.pk).update(agency=demo["cgzf-legal"].agency)
    page = client.get(LIST).content.decode()
    assert filing.number not in page


@pytest.mark.django_db
def test_what_a_viewer_may_see_follows_the_superuser_flag_and_the_roles_at_once(demo, media, signed_in):
    filing = _file(demo["ggzy-legal"], "公共资源交易投诉处理办法")
    other = demo["cgzf-legal"]  # staff of another agency: not in the filing's scope
    client = signed_in("cgzf-legal")
    assert filing.number not in client.get(LIST).content.decode()
    Person.objects.filter(pk=other.pk).update(is_superuser=True)
    assert filing.number in client.get(LIST).content.decode()
    Person.objects.filter(pk=other.pk).update(is_superuser=False)
    assert filing.number not in client.get(LIST).content.decode()
    # The API's token path keeps the scope with the token's person: a role given or taken away
    # counts at the next request.
    api = signed_in_api(other)
    assert api.get(API_LIST).json()["results"] == []
    services.assign_role(actor=None, person=other, role=Role.ADMINISTRATOR)
    assert [item["id"] for item in api.get(API_LIST).json()["results"]] == [filing.pk]
    services.revoke_role(actor=None, person=other, role=Role.ADMINISTRATOR)
    assert api.get(API_LIST).json()["results"] == []


@pytest.mark.django_db
def test_the_api_list_asks_the_directory_once(demo, media):
    _file(demo["ggzy-legal"], "公共资源交易投诉处理办法")
    api = signed_in_api(demo["supervisor"])
    assert api.get(API_LIST).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert api.get(API_LIST).status_code == 200
    read = [q["sql"] for q in captured]
    # directory stamp, page, next due dates, counts
    assert sum("core_changestamp" in sql for sql in read) == 1 and len(read) <= 4, read
