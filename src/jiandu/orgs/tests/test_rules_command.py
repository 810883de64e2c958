"""`jiandu rules check | show | sync | keys`."""

import os
import re
import shutil
import subprocess
import sys
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from jiandu.orgs.management.commands.rules import display_width, table, wrap
from jiandu.rules.loader import PROFILES_DIR


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rules", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken_dir(tmp_path):
    document = yaml.safe_load((PROFILES_DIR / "zhongshan-amr.yaml").read_text(encoding="utf-8"))
    document["rules"]["complaint.handling"]["citation"]["quote"] = (
        "人事股自受理行政执法投诉举报后60日内审查终结"
    )
    document["rules"]["complaint.extension.max"]["unit"] = "week"
    (tmp_path / "zhongshan-amr.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


@pytest.mark.django_db
def test_check_passes_with_a_summary():
    out, err = run("check")
    assert "全部 5 份规则配置及国家层校验通过" in out
    assert "national: 国家法律、行政法规（国家层）" in out and "《中华人民共和国行政强制法》" in out
    assert ".txt" not in out
    assert "zhongshan-amr: 六盘水市钟山区市场监督管理局" in out
    # Every profile ships scenarios (complaints for all five, filings for 002), and they pass.
    for code in ("jingzhou-ggzy", "jingzhou-zwsj", "liangping-district", "qianjiang-amr", "zhongshan-amr"):
        assert f"场景 {code}：" in out and f"场景 {code}：无场景" not in out
    assert "各规则配置附带的场景均符合预期" in out
    assert err == ""


def test_check_fails_listing_every_problem(tmp_path):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("rules", "check", "--profiles-dir", str(broken_dir(tmp_path)), stdout=out, stderr=err)
    assert failed.value.returncode == 1
    # The schema fault is reported; the file is not checked further until it parses.
    assert "zhongshan-amr.yaml: rules/complaint.extension.max/unit: 'week' 不是允许的值" in err.getvalue()


@pytest.mark.parametrize(("broken", "code"), [(False, 0), (True, 1)])
def test_check_exit_codes_from_the_console(tmp_path, broken, code):
    args = [sys.executable, "-m", "jiandu", "rules", "check"]
    if broken:
        args += ["--profiles-dir", str(broken_dir(tmp_path))]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiandu.settings.test"}
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.returncode == code, result.stderr
    if broken:
        assert "zhongshan-amr.yaml: rules/complaint.extension.max/unit" in result.stderr
    else:
        assert "校验通过" in result.stdout


def test_show_prints_rules_with_citations():
    out, _ = run("show", "jingzhou-ggzy")
    assert out.startswith("荆州市公共资源交易监督管理局（jingzhou-ggzy）")
    line = next(line for line in out.splitlines() if line.startswith("complaint.handling "))
    assert "审查终结（办结）期限" in line
    assert "30日（自受理行政执法投诉举报起算）" in line
    assert line.rstrip().endswith("《荆州市公共资源交易监督管理局行政执法投诉举报制度》第六条")
    # Columns line up: every citation starts at the terminal column of the header "依据".
    header = next(line for line in out.splitlines() if line.startswith("键"))
    column = display_width(header[: header.index("依据")])
    cited = [line for line in out.splitlines()[1:] if re.search(r"》(第\S*条\S*|[一二三四]、\S*)$", line)]
    assert len(cited) >= 40
    assert {display_width(line[: line.rindex("《")]) for line in cited} == {column}


@pytest.mark.django_db
def test_show_unknown_profile():
    with pytest.raises(CommandError, match="没有规则配置或机关 'nowhere'"):
        run("show", "nowhere")


def test_check_catches_a_profile_that_switches_on_a_procedure_it_cannot_run(tmp_path):
    document = yaml.safe_load((PROFILES_DIR / "zhongshan-amr.yaml").read_text(encoding="utf-8"))
    del document["rules"]["complaint.handling_unit"]
    (tmp_path / "zhongshan-amr.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("rules", "check", "--profiles-dir", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "zhongshan-amr：规定了投诉举报" in err.getvalue()
    assert "complaint.handling_unit" in err.getvalue()


@pytest.mark.django_db
def test_show_an_agency_prints_each_rule_with_its_layer_and_the_conflicts(demo):
    from jiandu.orgs.models import Agency, ProfileBinding
    from jiandu.rules.models import RuleProfile

    ggzy = Agency.objects.get(code="demo-ggzy")
    ProfileBinding.objects.get_or_create(agency=ggzy, profile=RuleProfile.objects.get(code="jingzhou-zwsj"))
    out, _ = run("show", "demo-ggzy")
    assert "层次（优先者在前）：jingzhou-ggzy → jingzhou-zwsj → national" in out
    assert "程序“投诉举报”：可以办理" in out
    handling = next(line for line in out.splitlines() if line.startswith("complaint.handling "))
    assert "jingzhou-ggzy" in handling and "第六条" in handling
    basis = next(line for line in out.splitlines() if line.startswith("complaint.basis "))
    assert "national" in basis and "《中华人民共和国行政处罚法》第七十五条第二款" in basis
    assert "冲突（" in out and "- 投诉举报受理和处理机构（complaint.handling_unit）" in out
    assert ".txt" not in out


def test_show_the_national_layer():
    out, _ = run("show", "national")
    assert out.startswith("国家法律、行政法规（national）")
    assert "《中华人民共和国行政处罚法》第六十条" in out


def test_keys_lists_the_catalogue_with_users():
    out, _ = run("keys")
    assert "complaint — 投诉举报" in out
    line = next(line for line in out.splitlines() if line.startswith("complaint.extension.max "))
    assert "延长审查期限的上限" in line and "jingzhou-ggzy" in out and "投诉举报" in line
    # Rules no procedure reads yet are shown as such (001 附件4 / 003 第十条 2-day transfer).
    transfer = next(line for line in out.splitlines() if line.startswith("accountability.referral "))
    assert "尚无程序读取" in transfer
    assert "尚无程序读取的规则" in out


@pytest.mark.django_db
def test_sync_loads_then_reports_nothing_changed():
    out, _ = run("sync")
    assert "5 份新建或更新，0 份未变" in out
    out, _ = run("sync")
    assert "0 份新建或更新，5 份未变" in out


def test_table_and_wrap_helpers():
    assert display_width("法规科ab") == 8
    assert wrap("一二三四五", 4) == ["一二", "三四", "五"]
    assert wrap("Period to decide whether", 12) == ["Period to", "decide", "whether"]
    assert table(["键", "值"], [[["a"], ["一", "二"]]]) == ["键  值", "──  ──", "a   一", "    二"]


def test_check_runs_each_profiles_scenarios_and_names_the_act_a_changed_rule_breaks(tmp_path):
    # A legal-affairs office drafts a longer filing period for major penalty decisions (002 第八条):
    # the shipped scenario that expects the statutory 15 days fails, naming its file and act.
    shutil.copytree(PROFILES_DIR, tmp_path, dirs_exist_ok=True)
    draft = tmp_path / "jingzhou-zwsj.yaml"
    document = yaml.safe_load(draft.read_text(encoding="utf-8"))
    document["rules"]["filing.major_penalty_decision"]["amount"] = 20
    draft.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("rules", "check", "--profiles-dir", str(tmp_path), stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines and all(line.startswith("场景 jingzhou-zwsj/major-penalty.yaml 第 ") for line in lines)
    assert any("期望期限 key=filing.major_penalty_decision，due=2026-02-04" in line for line in lines)
