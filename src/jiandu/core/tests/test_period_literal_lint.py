"""The lint that keeps statutory periods out of code."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
spec = importlib.util.spec_from_file_location(
    "check_period_literals", ROOT / "tools" / "check_period_literals.py"
)
lint = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lint)


def test_flags_literal_periods(tmp_path):
    bad = tmp_path / "complaints" / "services.py"
    bad.parent.mkdir()
    bad.write_text(
        "import datetime\n"
        "HANDLING_DAYS = 30\n"
        "due = datetime.timedelta(days=15)\n"
        "later = cal.add(start, 5, Unit.WORKDAY)\n"
        "window = datetime.timedelta(days=7)  # period-literal-ok: display window\n"
    )
    found = lint.findings_in(bad)
    assert [line for line, _ in found] == [2, 3, 4]


def test_domain_code_is_clean():
    assert lint.main(str(ROOT / "src" / "jiandu")) == 0
