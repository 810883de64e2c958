"""The `jiandu` command as a newcomer meets it: no JIANDU_* variables, output piped, production."""

import os
import subprocess
import sys
from pathlib import Path

JIANDU = str(Path(sys.executable).with_name("jiandu"))


def _bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # What a fresh shell has: no JIANDU_*, no DJANGO_SETTINGS_MODULE.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIANDU_", "DJANGO_"))}
    return {**env, "JIANDU_VAR_DIR": str(tmp_path / "var"), **extra}


def test_the_readme_deadline_command_works_with_no_settings(tmp_path):
    env = _bare_env(tmp_path)
    del env["JIANDU_VAR_DIR"]  # as written in the README: nothing set at all
    result = subprocess.run(
        [JIANDU, "deadline", "--from", "2025-09-30", "--within", "5", "--unit", "workday"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "2025-10-14"


def test_a_closed_pipe_is_not_an_error(tmp_path):
    # `jiandu rules show … | head -1`: the reader leaves after one line.
    with subprocess.Popen(
        [JIANDU, "rules", "show", "zhongshan-amr"],
        env=_bare_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        proc.wait()
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr


def test_production_names_the_missing_setting_in_one_line(tmp_path):
    result = subprocess.run(
        [JIANDU, "rules", "check"],
        env=_bare_env(tmp_path, JIANDU_ENV="production"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "JIANDU_SECRET_KEY" in result.stderr


def test_a_database_not_yet_set_up_is_one_line(tmp_path):
    result = subprocess.run(
        [JIANDU, "ledger", "verify"], env=_bare_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "jiandu migrate" in result.stderr
