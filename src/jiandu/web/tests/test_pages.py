"""Pages as a person uses them: sign in, the home page, lockout, the admin."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from jiandu.deadlines.services import open_deadline
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency
from jiandu.orgs.profiles import profile_for
from jiandu.rules.citations import cite

pytestmark = pytest.mark.django_db


def test_sign_in_shows_home_with_agency_role_and_empty_deadline_lists(demo, demo_password):
    client = Client()
    response = client.post("/login/", {"username": "legal", "password": demo_password})
    assert response.status_code == 302 and response["Location"] == "/work/"
    page = client.get("/work/").content.decode()
    assert "示范区市场监督管理局" in page
    assert "法制工作人员" in page
    assert "没有逾期事项" in page and "近期没有即将到期的事项" in page
    assert LedgerEntry.objects.filter(action="auth.login", actor=demo["legal"]).exists()


def test_work_home_requires_sign_in():
    response = Client().get("/work/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_public_starts_at_the_start_page(demo):
    page = Client().get("/").content.decode()
    assert "行政执法投诉举报" in page
    assert 'href="/complaint/new/"' in page  # complain
    assert 'action="/complaint/status/"' in page
    assert 'name="tracking_code"' in page and 'name="secret"' in page
    assert 'for="start_tracking_code"' in page  # the lookup's fields are labelled
    for code in ("demo-amr", "demo-ggzy", "demo-cgzf"):
        assert Agency.objects.get(code=code).name in page
    assert 'href="tel:12345"' in page  # the hotline-only agency: how to reach the hotline
    assert 'href="/login/"' in page  # staff sign in elsewhere
    assert ".txt" not in page


def test_a_lookup_from_the_start_page_opens_the_status_page(demo):
    from jiandu.complaints import services

    amr = Agency.objects.get(code="demo-amr")
    receipt = services.submit_complaint(
        services.Intake(
            agency=amr,
            channel="online",
            category=services.categories_for(profile_for(amr))[0],
            content="未出示执法证件。",
            anonymous=True,
        )
    )
    client = Client()
    client.get("/")
    response = client.post(
        "/complaint/status/", {"tracking_code": receipt.tracking_code, "secret": receipt.secret}, follow=True
    )
    assert receipt.complaint.number in response.content.decode()


def test_signed_in_staff_see_their_work_at_the_start(signed_in):
    page = signed_in("legal").get("/").content.decode()
    assert 'id="overdue"' in page and 'id="start-complain"' not in page


def test_failed_sign_ins_are_ledgered_without_the_typed_name_and_lock_out(demo, demo_password, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "legal", "password": "wrong-password"})
        assert response.status_code in (200, 429)
    failures = LedgerEntry.objects.filter(action="auth.login_failed")
    assert failures.count() >= settings.AXES_FAILURE_LIMIT - 1
    assert all("wrong-password" not in str(e.payload) and "legal" not in str(e.payload) for e in failures)
    # Locked out now, even with the right password.
    response = client.post("/login/", {"username": "legal", "password": demo_password})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert LedgerEntry.objects.filter(action="auth.locked_out").exists()


def test_home_lists_only_deadlines_in_scope(demo):
    today = timezone.localdate()
    amr = Agency.objects.get(code="demo-amr")
    ggzy = Agency.objects.get(code="demo-ggzy")
    # Periods come from each agency's own profile; the start dates put one overdue, one due soon.
    overdue = open_deadline(
        subject=amr,
        agency=amr,
        rule_key="complaint.handling",
        period=profile_for(amr).period("complaint.handling"),
        start=today - datetime.timedelta(days=90),
        title="甲事项",
    )
    soon = open_deadline(
        subject=ggzy,
        agency=ggzy,
        rule_key="complaint.acceptance",
        period=profile_for(ggzy).period("complaint.acceptance"),
        start=today,
        title="乙事项",
    )
    assert overdue.due_date < today <= soon.due_date
    legal = Client()
    legal.force_login(demo["legal"])
    page = legal.get("/work/").content.decode()
    assert "甲事项" in page and "乙事项" not in page
    citation = profile_for(amr).period("complaint.handling").citation
    assert cite(citation) in page and ".txt" not in page
    ggzy_legal = Client()
    ggzy_legal.force_login(demo["ggzy-legal"])
    page = ggzy_legal.get("/work/").content.decode()
    assert "乙事项" in page and "甲事项" not in page
    supervisor = Client()
    supervisor.force_login(demo["supervisor"])
    page = supervisor.get("/work/").content.decode()
    assert "甲事项" in page and "乙事项" in page


def test_admin_change_is_ledgered(signed_in, demo):
    admin = signed_in("admin")
    amr = Agency.objects.get(code="demo-amr")
    response = admin.get(f"/admin/orgs/agency/{amr.pk}/change/")
    assert response.status_code == 200
    form = {
        "code": amr.code,
        "name": amr.name,
        "short_name": "市场监管",
        "kind": amr.kind,
        "parent": amr.parent_id,
        "supervisor": amr.supervisor_id,
        "profile": amr.profile_id,
        "is_active": "on",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
        "profile_bindings-TOTAL_FORMS": "0",
        "profile_bindings-INITIAL_FORMS": "0",
        "profile_bindings-MIN_NUM_FORMS": "0",
        "profile_bindings-MAX_NUM_FORMS": "1000",
    }
    response = admin.post(f"/admin/orgs/agency/{amr.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LedgerEntry.objects.filter(action="admin.orgs.agency.change").latest("seq")
    assert entry.payload == {"fields": ["short_name"]}
    assert entry.actor == demo["admin"]
    # A further profile is bound in the same page; the agency's rules then include it.
    from jiandu.orgs.profiles import profile_for
    from jiandu.rules.models import RuleProfile

    form |= {
        "profile_bindings-TOTAL_FORMS": "1",
        "profile_bindings-0-profile": RuleProfile.objects.get(code="jingzhou-zwsj").pk,
        "profile_bindings-0-position": "1",
    }
    response = admin.post(f"/admin/orgs/agency/{amr.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert profile_for(Agency.objects.get(pk=amr.pk)).layers == ("zhongshan-amr", "jingzhou-zwsj", "national")
    entry = LedgerEntry.objects.filter(action="admin.orgs.agency.change_related").latest("seq")
    assert entry.payload == {"inlines": ["profilebinding"]}


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orgs/person/",
        "/admin/orgs/certificate/",
        "/admin/orgs/unit/",
        "/admin/rules/ruleprofile/",
        "/admin/deadlines/calendaryear/",
        "/admin/ledger/ledgerentry/",
    ],
)
def test_admin_lists_open_for_administrator(signed_in, path):
    assert signed_in("admin").get(path).status_code == 200


def test_admin_closed_to_staff(signed_in):
    response = signed_in("legal").get("/admin/orgs/person/")
    assert response.status_code == 302
