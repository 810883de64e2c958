"""The `jiandu deadline` and `jiandu calendar` contract: a real subprocess, and call_command."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiandu.calendar.tests.fixtures import year_2027
from jiandu.deadlines.models import CalendarYear


@pytest.fixture(scope="module")
def jiandu(tmp_path_factory):
    """Run `python -m jiandu …` against a fresh, unmigrated database (shipped calendar only)."""
    var_dir = tmp_path_factory.mktemp("var")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiandu.settings.test", "JIANDU_VAR_DIR": str(var_dir)}
    env.pop("JIANDU_DATABASE_URL", None)  # never the developer's or CI's real database

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jiandu", *args], env=env, capture_output=True, text=True, timeout=120
        )

    return run


def test_subprocess_deadline_contract(jiandu):
    # 国办发明电〔2024〕12号: 10月1日至8日放假调休，10月11日（周六）上班 → 5 working days after 30 Sep.
    done = jiandu("deadline", "--from", "2025-09-30", "--within", "5", "--unit", "workday")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2025-10-14"

    done = jiandu("deadline", "--from", "2025-01-20", "--within", "10", "--unit", "day", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {
        "due": "2025-02-05",  # 30 Jan falls in the Spring Festival break (1月28日至2月4日)
        "provisional": False,
        "start": "2025-01-20",
        "amount": 10,
        "unit": "day",
        "missing_years": [],
        "horizon": {"first": "2004-01-01", "last": "2026-12-31"},
    }


def test_subprocess_beyond_horizon_and_bad_arguments(jiandu):
    done = jiandu("deadline", "--from", "2026-12-20", "--within", "10", "--unit", "workday")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "2027" in lines[0]
    assert "Traceback" not in done.stderr and "CommandError" not in done.stderr

    done = jiandu("deadline", "--from", "2026-12-20", "--within", "10", "--provisional")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert first == "2027-01-04"
    assert "PROVISIONAL" in second and "2027" in second

    for bad in (
        ["--from", "2025-02-30", "--within", "5"],
        ["--from", "2025-09-30", "--within", "-1"],
        ["--from", "2025-09-30", "--within", "5", "--unit", "week"],
        ["--within", "5"],
    ):
        done = jiandu("deadline", *bad)
        assert done.returncode == 2, bad
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_subprocess_calendar_commands_on_the_shipped_data(jiandu):
    done = jiandu("calendar", "horizon")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2004-01-01 2026-12-31"
    done = jiandu("calendar", "show", "2025")
    assert done.returncode == 0, done.stderr
    assert "国办发明电〔2024〕12号" in done.stdout and "2025-09-28（星期日）" in done.stdout


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_call_command_deadline_units():
    assert (
        run("deadline", "--from", "2025-09-30", "--within", "5", "--unit", "workday").splitlines()[0]
        == "2025-10-14"
    )
    # 民法典 第202条: no 31 September → the month's last day, 2025-09-30 (a Tuesday).
    assert (
        run("deadline", "--from", "2025-08-31", "--within", "1", "--unit", "month").splitlines()[0]
        == "2025-09-30"
    )
    assert (
        run("deadline", "--from", "2025-01-20", "--within", "10", "--unit", "day").splitlines()[0]
        == "2025-02-05"
    )


@pytest.mark.django_db
def test_call_command_errors_raise_command_error_with_status_2():
    with pytest.raises(CommandError, match="2027") as caught:
        run("deadline", "--from", "2026-12-20", "--within", "10")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        run("deadline", "--from", "yesterday", "--within", "10")
    assert caught.value.returncode == 2


@pytest.mark.django_db
def test_importing_2027_makes_the_provisional_deadline_exact(tmp_path):
    provisional = json.loads(
        run("deadline", "--from", "2027-02-04", "--within", "1", "--provisional", "--json")
    )
    assert provisional["provisional"] is True and provisional["missing_years"] == [2027]
    assert provisional["due"] == "2027-02-09"  # statutory 春节 5–8 Feb only

    path = tmp_path / "2027.json"
    path.write_text(json.dumps(year_2027(), ensure_ascii=False), encoding="utf-8")
    out = run("calendar", "import", str(path))
    assert "已导入 2027 年" in out
    assert "2004-01-01 2027-12-31" in out

    exact = json.loads(run("deadline", "--from", "2027-02-04", "--within", "1", "--json"))
    assert exact["provisional"] is False and exact["missing_years"] == []
    assert exact["due"] == "2027-02-15"  # the (test) notice's break runs to 13 Feb
    assert exact["horizon"]["last"] == "2027-12-31"
    assert "国办发明电〔2026〕99号" in run("calendar", "show", "2027")


@pytest.mark.django_db
def test_import_of_a_list_is_all_or_nothing(tmp_path):
    bad_2028 = year_2027()
    bad_2028["year"] = 2028  # its dates are all in 2027: refused
    path = tmp_path / "years.json"
    path.write_text(json.dumps([bad_2028, year_2027()]), encoding="utf-8")
    with pytest.raises(CommandError, match="2028") as caught:
        run("calendar", "import", str(path))
    assert caught.value.returncode == 2
    assert not CalendarYear.objects.exists()
