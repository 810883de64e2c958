"""Scenario files: reading (faults named by place), running (world, clock, expectations), the
command's output and exit codes, the scratch database, and the shipped scenarios themselves."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiandu.orgs.profiles import sync_profiles
from jiandu.procedures.management.commands.scenario import scenario_files
from jiandu.procedures.scenarios import scratch
from jiandu.procedures.scenarios.play import play
from jiandu.procedures.scenarios.spec import ScenarioError, load

WORLD = """\
world:
  agencies:
    - {code: city, name: 某市政务数据局, kind: supervisory}
    - code: district
      name: 某区政务数据局
      kind: enforcement
      supervisor: city
      profile: jingzhou-zwsj
      units: [{name: 法治科, kind: legal_affairs}]
  people:
    - {code: filer, name: 吴法治, agency: district, unit: 法治科, roles: [legal_affairs]}
    - {code: reviewer, name: 陈监督, agency: city, roles: [supervisor]}
"""

SUBMIT = """\
  - at: 2025-10-15 10:00
    by: filer
    step: filings.submit
    agency: district
    as: f1
    inputs:
      kind: normative_document
      title: 某规定
      document_number: 某规〔2025〕1号
      event_date: 2025-09-20
      files: [{name: 规定.pdf}]
"""


def write(tmp_path: Path, acts: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"title: 测试场景\n{WORLD}acts:\n{acts}", encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as failed:
        load(path)
    return failed.value.problems


def test_every_fault_of_a_file_is_named_by_its_line_and_place(tmp_path):
    path = write(
        tmp_path,
        SUBMIT.replace("event_date: 2025-09-20", "event_date: 2025-09-31")
        + """\
  - at: 2025-10-16 09:00
    by: nobody
    step: filings.nonesuch
    matter: f1
  - at: 2025-10-17 09:00
    by: reviewer
    step: filings.accept
    matter: f9
    inputs: {colour: red}
""",
    )
    found = problems(path)
    assert "s.yaml 第 24 行 acts[1].inputs.event_date：“2025-09-31”不是日期，应写作 YYYY-MM-DD" in found
    assert any(p.startswith("s.yaml 第 27 行 acts[2].by：没有代号为“nobody”的人员") for p in found)
    assert any("acts[2].step：没有名为“filings.nonesuch”的步骤" in p for p in found)
    assert any("acts[3].matter：上文没有名为“f9”的事项" in p for p in found)
    assert any("acts[3].inputs.colour：“予以备案”不接受此项；可填：opinion" in p for p in found)


def test_world_faults_and_out_of_order_acts(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        WORLD.replace("supervisor: city", "supervisor: town").replace("jingzhou-zwsj", "nowhere")
        + "title: t\nacts:\n"
        + SUBMIT
        + SUBMIT.replace("2025-10-15 10:00", "2025-10-14 10:00").replace("as: f1", "as: f2"),
        encoding="utf-8",
    )
    found = problems(path)
    assert any("world.agencies[2].supervisor：“town”不是上文已列出的机关代号" in p for p in found)
    assert any("world.agencies[2].profile：没有规则配置“nowhere”" in p for p in found)
    assert any("acts[2].at：早于上一幕" in p for p in found)


def test_a_bad_file_exits_2_before_any_database_is_made(tmp_path):
    path = write(tmp_path, SUBMIT.replace("by: filer", "by: ghost"))
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("scenario", "run", str(path), stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 2
    assert "acts[1].by：没有代号为“ghost”的人员" in err.getvalue()


@pytest.mark.django_db
def test_acts_run_at_their_moment_with_expectations_compared(tmp_path, media):
    sync_profiles(actor=None)
    path = write(
        tmp_path,
        SUBMIT
        + """\
    expect:
      deadlines: [{key: filing.normative_document, due: 2025-10-20, citation: 第七条, state: met}]
  - at: 2025-10-16 09:00
    by: filer
    step: filings.accept
    matter: "@1"
    expect: {ok: false, error: permission_denied}
  - at: 2025-10-17 09:00
    by: reviewer
    step: filings.accept
    matter: f1
    expect: {state: submitted, documents: [filing_supervision_notice]}
  - at: 2025-10-18 09:00
    by: public
    step: filings.notify
    matter: f1
    inputs: {problems: 无, correction: 无}
""",
    )
    results = play(load(path))
    assert [r.ok for r in results] == [True, False, True, False]
    assert results[0].matter == "DISTRICT-BA-2025-000001" and results[0].unmet == []
    assert results[1].unmet == []
    assert results[2].unmet == [
        "期望状态 submitted，实为 filed",
        "期望文书 filing_supervision_notice，实有：无",
    ]
    # An act without `expect:` is expected to succeed.
    assert results[3].error == "not_found" and results[3].unmet[0].startswith("期望办成，实际被拒绝")


@pytest.mark.django_db
def test_the_shipped_scenarios_pass(media):
    sync_profiles(actor=None)
    files = scenario_files(None)
    assert len(files["jingzhou-zwsj"]) >= 5
    for file in [f for group in files.values() for f in group]:
        for result in play(load(file)):
            assert result.unmet == [], (file.name, result.act, result.unmet)


@pytest.fixture
def configured(tmp_path) -> Path:
    """A migrated database standing for the installation's own, with a world in it."""
    database = tmp_path / "configured.sqlite3"
    shutil.copyfile(scratch.template(), database)
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO orgs_agency (code, name, short_name, kind, is_active) "
            "VALUES ('real', '真实机关', '', 'enforcement', 1)"
        )
    return database


def counts(database: Path) -> tuple[int, ...]:
    with sqlite3.connect(database) as db:
        tables = ("orgs_agency", "orgs_person", "ledger_ledgerentry", "filings_filing")
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def jiandu(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiandu.settings.test"}
    env["JIANDU_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "jiandu", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_the_command_prints_json_lines_exits_1_on_an_unmet_expectation_and_leaves_the_configured_database(
    tmp_path, configured
):
    path = write(tmp_path, SUBMIT + "    expect: {state: filed}\n")
    before = counts(configured)
    done = jiandu("scenario", "run", str(path), "--json", database=configured)
    assert done.returncode == 1, done.stderr
    (line,) = done.stdout.splitlines()
    act = json.loads(line)
    assert {"act", "step", "ok", "error", "matter", "state", "deadlines", "documents"} <= set(act)
    assert act["act"] == 1 and act["ok"] is True and act["error"] is None and act["documents"] == []
    assert act["unmet"] == ["期望状态 filed，实为 submitted"]
    (deadline,) = act["deadlines"]
    assert {"key", "due", "unit", "amount", "provisional", "citation"} <= set(deadline)
    assert deadline["due"] == "2025-10-20" and "第七条" in deadline["citation"] and ".txt" not in line
    assert counts(configured) == before


def test_database_names_only_an_empty_database(tmp_path, configured):
    before = counts(configured)
    done = jiandu(
        "scenario",
        "run",
        str(write(tmp_path, SUBMIT)),
        "--database",
        f"sqlite:///{configured}",
        database=configured,
    )
    assert done.returncode == 2 and "已有机关或人员" in done.stderr
    assert counts(configured) == before
