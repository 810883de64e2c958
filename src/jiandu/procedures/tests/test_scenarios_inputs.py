"""Scenario files as a person writes them: rows named by code, numbers that are text, dates
relative to the day the file runs, acts of the public and the hotline, and the expectations of
none (`[]`) and of a matter's declared facts.

The steps are named through the kernel's registry only (no procedure app is imported): the
complaint procedure's `complaints.*` are the steps with record inputs and public acts today.
"""

from __future__ import annotations

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.profiles import sync_profiles
from jiandu.procedures.management.commands.scenario import Command
from jiandu.procedures.scenarios.play import play
from jiandu.procedures.scenarios.spec import LOCAL, RecordRef, ScenarioError, load
from jiandu.rules.loader import PROFILES_DIR

WORLD = """\
title: 测试场景
world:
  agencies:
    - {code: city, name: 某市司法局, kind: supervisory}
    - code: bureau
      name: 某区公共资源交易监督管理局
      kind: enforcement
      supervisor: city
      profile: jingzhou-ggzy
      units:
        - {name: 法规科, kind: legal_affairs}
        - {name: 监督执法科, kind: enforcement}
    - code: other
      name: 某区政务服务和大数据管理局
      kind: enforcement
      supervisor: city
      profile: jingzhou-zwsj
      units: [{name: 法治科, kind: legal_affairs}]
  people:
    - {code: fagui, name: 王法规, agency: bureau, unit: 法规科, roles: [legal_affairs]}
    - {code: officer, name: 赵执法, agency: bureau, unit: 监督执法科, roles: [case_handler]}
acts:
"""

SUBMIT = """\
  - at: 2025-09-01 10:00
    by: {by}
    step: complaints.submit
    agency: bureau
    as: c
    inputs:
      channel: {channel}
      category: 刁难、谩骂、殴打行政相对人
      content: 态度粗暴。
      name: 张三
      phone: 0123456
{extra}"""


def write(tmp_path: Path, acts: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(WORLD + acts, encoding="utf-8")
    return path


def submit(by: str = "public", channel: str = "online", extra: str = "") -> str:
    return SUBMIT.format(by=by, channel=channel, extra=extra)


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as failed:
        load(path)
    return failed.value.problems


def test_record_inputs_take_codes_and_ids_and_text_keeps_its_digits(tmp_path):
    scenario = load(
        write(tmp_path, submit(extra="      target_agency: bureau\n      target_officer: officer\n"))
    )
    inputs = scenario.acts[0].inputs
    assert inputs["target_agency"] == RecordRef("agency", "bureau")
    assert inputs["target_officer"] == RecordRef("person", "officer")
    # YAML reads 0123456 as the octal number 42798; the file meant the digits.
    assert inputs["phone"] == "0123456"
    by_id = load(write(tmp_path, submit(extra="      target_agency: 7\n      target_officer: '12'\n")))
    assert by_id.acts[0].inputs["target_agency"] == 7 and by_id.acts[0].inputs["target_officer"] == "12"


def test_a_code_naming_nothing_or_the_wrong_kind_of_row_is_a_fault_of_the_file(tmp_path):
    found = problems(
        write(tmp_path, submit(extra="      target_agency: officer\n      target_officer: nobody\n"))
    )
    assert any("acts[1].inputs.target_agency：没有代号为“officer”的机关" in p for p in found)
    assert any("acts[1].inputs.target_officer：没有代号为“nobody”的人员" in p for p in found)


def test_dates_relative_to_the_day_the_file_runs(tmp_path):
    acts = (
        submit(extra="      occurred_on: today-3\n").replace("at: 2025-09-01 10:00", "at: today-2 10:30")
        + """\
  - at: today
    by: fagui
    step: complaints.accept
    matter: c
  - at: now
    by: fagui
    step: complaints.reject
    matter: c
"""
    )
    now = datetime.datetime(2025, 9, 10, 15, 45, tzinfo=LOCAL)
    scenario = load(write(tmp_path, acts), now=now)
    first, second, third = scenario.acts
    assert scenario.relative
    assert first.at == datetime.datetime(2025, 9, 8, 10, 30, tzinfo=LOCAL) and not first.live
    assert first.inputs["occurred_on"] == datetime.date(2025, 9, 7)
    assert second.at == datetime.datetime(2025, 9, 10, 9, 0, tzinfo=LOCAL)  # a bare day: 09:00
    assert third.at == now and third.live
    fixed = load(write(tmp_path, submit().replace("10:00", "").rstrip() + "\n"))
    assert not fixed.relative and fixed.acts[0].at == datetime.datetime(2025, 9, 1, 9, 0, tzinfo=LOCAL)


@pytest.mark.django_db
def test_public_and_hotline_acts_are_ledgered_without_a_person(tmp_path, media):
    sync_profiles(actor=None)
    acts = (
        submit()
        + submit(by="hotline", channel="hotline", extra="      hotline_ticket: T-1\n").replace(
            "as: c", "as: h"
        )
        + """\
  - at: 2025-09-02 09:00
    by: fagui
    step: complaints.accept
    matter: c
  - at: 2025-09-03 09:00
    by: fagui
    step: complaints.conclude
    matter: c
    inputs: {finding: not_substantiated, result_text: 经查不属实。}
  - at: 2025-09-04 20:00
    by: public
    step: complaints.rate
    matter: c
    inputs: {value: satisfied, source: complainant}
"""
    )
    results = play(load(write(tmp_path, acts)), keep=True)
    assert [r.ok for r in results] == [True] * 5, [r.message for r in results]
    labels = list(
        LedgerEntry.objects.filter(action__startswith="complaints.")
        .order_by("seq")
        .values_list("action", "actor_label", "actor__username")
    )
    assert labels == [
        ("complaints.submit", "public", None),
        ("complaints.submit", "hotline", None),
        ("complaints.accept", "fagui", "fagui"),
        ("complaints.conclude", "fagui", "fagui"),
        ("complaints.rate", "public", None),
    ]
    assert results[1].facts["channel"] == "hotline"


@pytest.mark.django_db
def test_expecting_none_and_the_matters_facts(tmp_path, media):
    sync_profiles(actor=None)
    acts = submit(extra="      target_agency: other\n") + (
        "    expect:\n"
        "      deadlines: []\n"
        "      documents: []\n"
        "      facts: {target_agency.name: 某区政务服务和大数据管理局, supervised: true}\n"
    )
    (result,) = play(load(write(tmp_path, acts)))
    assert result.ok and result.facts["target_agency.name"] == "某区政务服务和大数据管理局"
    assert result.unmet[0].startswith("期望没有期限，实有：complaint.acceptance 5workday 届满 2025-09-08")
    assert result.unmet[1:] == ["期望 supervised 为 True，实为 False"]  # no letter yet: documents [] holds
    (fault,) = problems(write(tmp_path, submit() + "    expect: {facts: {colour: red}}\n"))
    assert "acts[1].expect.facts.colour：不认识的键；可用的键：" in fault and "supervised" in fault


@pytest.mark.django_db
def test_a_profiles_scenarios_must_be_written_on_fixed_dates(tmp_path):
    shutil.copytree(PROFILES_DIR, tmp_path, dirs_exist_ok=True)
    shutil.rmtree(tmp_path / "scenarios")
    (tmp_path / "scenarios" / "jingzhou-ggzy").mkdir(parents=True)
    (tmp_path / "scenarios" / "jingzhou-ggzy" / "today.yaml").write_text(
        WORLD + submit().replace("at: 2025-09-01 10:00", "at: now"), encoding="utf-8"
    )
    sync_profiles(actor=None, directory=tmp_path)
    out, err = StringIO(), StringIO()
    assert Command(stdout=out, stderr=err)._check_all(tmp_path) == 1
    assert "场景 jingzhou-ggzy/today.yaml：规则配置附带的场景须写固定的日期和时间" in err.getvalue()


def test_the_steps_listing_says_how_a_file_names_rows_who_the_public_acts_are_and_the_facts():
    out = StringIO()
    call_command("scenario", "steps", stdout=out)
    text = out.getvalue()
    assert "target_officer（被投诉执法人员，record：人员代号，可选）" in text
    assert "assigned_by（交办机关，record：机关代号，可选）" in text
    rate = next(line for line in text.splitlines() if line.startswith("complaints.rate "))
    assert "由 public 或 hotline 办理" in rate
    assert (
        "投诉举报可期望的事实（expect.facts）：agency.name（受理机关）" in text
        and "supervised（督办）" in text
    )
