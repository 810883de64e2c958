"""The demo district is a scenario file (`demo.yaml`) played by the scenario machinery: its world
as the demo always had it, its matters at their steps, nothing of it when one act is refused."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jiandu.complaints.models import Complaint
from jiandu.deadlines.models import Deadline
from jiandu.demo.loader import (
    DEMO_FILE,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DemoNotLoaded,
    demo_logins,
    demo_scenario,
    load_demo,
)
from jiandu.filings.models import Filing
from jiandu.orgs.models import Agency, Certificate, Person, ProfileBinding
from jiandu.procedures.scenarios.spec import load

pytestmark = pytest.mark.django_db


def test_the_demo_file_reads_and_names_every_sign_in_once():
    scenario = demo_scenario()
    assert scenario.relative  # dated from the day it is loaded: the demo stays current
    assert [p.code for p in scenario.people] == DEMO_USERNAMES
    assert len(set(DEMO_USERNAMES)) == len(DEMO_USERNAMES)
    logins = {login.username: login for login in demo_logins(scenario)}
    assert logins["legal"].agency == "示范区市场监督管理局" and logins["legal"].unit == "人事股"
    assert logins["sfj-leader"].roles == ("主要领导", "执法监督人员")


def test_the_world_everyone_signs_in_to(demo):
    today = timezone.localdate()
    assert all(person.check_password(DEMO_PASSWORD) for person in demo.values())
    assert set(demo) == set(DEMO_USERNAMES)
    admin = demo["admin"]
    assert admin.is_staff and admin.is_superuser and not demo["supervisor"].is_superuser
    ggzy = Agency.objects.get(code="demo-ggzy")
    assert ggzy.profile.code == "jingzhou-ggzy" and ggzy.supervisor.code == "demo-sfj"
    assert list(ProfileBinding.objects.filter(agency=ggzy).values_list("profile__code", flat=True)) == [
        "jingzhou-zwsj"
    ]
    certificates = {c.person.username: c for c in Certificate.objects.select_related("person")}
    assert certificates["zhangwei"].valid_to < today  # expired
    assert certificates["lina"].status == Certificate.Status.SUSPENDED
    assert certificates["handler"].valid_from < today < certificates["handler"].valid_to
    assert {c.issuer for c in certificates.values()} == {"示范区人民政府"}
    assert not Complaint.objects.exists() and not Filing.objects.exists()


def test_the_matters_at_their_steps(media):
    assert load_demo(matters=True)
    waiting = Complaint.objects.get(target_officer__username="handler2")
    assert waiting.state == "accepted" and waiting.agency.code == "demo-amr"
    handed_over = Complaint.objects.get(channel="assigned")
    assert handed_over.assigned_by.code == "demo-sfj" and handed_over.anonymous
    filings = dict(Filing.objects.values_list("document_number", "state"))
    assert filings == {
        "示范公管规〔2026〕1号": "submitted",
        "示范公管规〔2026〕2号": "filed",
        "示范公管罚〔2026〕3号": "correcting",
        "示范公管规〔2026〕4号": "reported",
    }
    late = Filing.objects.get(document_number="示范公管规〔2026〕2号")
    assert late.event_date == timezone.localdate() - datetime.timedelta(days=45)
    assert Deadline.objects.filter(rule_key="filing.normative_document", state="missed").count() == 1


def test_a_refused_act_loads_nothing(tmp_path, media):
    broken = tmp_path / "demo.yaml"
    text = DEMO_FILE.read_text(encoding="utf-8")
    # The 区司法局's supervisor may not accept a complaint of the 城管执法局 in its stead.
    broken.write_text(
        text.replace(
            "by: cgzf-legal\n    step: complaints.accept", "by: supervisor\n    step: complaints.accept"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DemoNotLoaded) as failed:
        load_demo(matters=True, scenario=load(broken))
    assert "complaints.accept" in str(failed.value) and "permission_denied" in str(failed.value)
    assert not Agency.objects.exists() and not Person.objects.exists()
