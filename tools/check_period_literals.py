"""Lint: no statutory period written as a literal in domain code ("rules are data").

Periods, thresholds and approvers come from the jurisdiction profiles (`jiandu.rules`), never from
numbers in code. This check walks the domain code and flags:
  - `timedelta(days=N)`, `timedelta(weeks=N)`, `relativedelta(months=N)` … with a literal N;
  - calls of the calendar's `add(start, N, unit)` with a literal N;
  - module or class constants named like a period (…DAYS, …PERIOD, …MONTHS, …DEADLINE…) set to a literal.
A line may carry `# period-literal-ok: <why>` where a number is genuinely not a legal period
(a display window, a test fixture). The calendar engine, tests, migrations,
settings and benchmarks are out of scope: they are where such numbers belong.
Exit 0 when clean, 1 listing every finding as file:line: message.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

EXEMPT_PARTS = {"tests", "migrations", "settings", "calendar"}
PERIOD_KWARGS = {"days", "weeks", "months", "years"}
PERIOD_NAME = re.compile(r"(DAYS|PERIOD|MONTHS|WEEKS|DEADLINE|TIME_LIMIT)", re.IGNORECASE)
PRAGMA = "period-literal-ok:"


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def findings_in(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in {"timedelta", "relativedelta"}:
                for kw in node.keywords:
                    if kw.arg in PERIOD_KWARGS and _is_number(kw.value):
                        found.append((node.lineno, f"{name}({kw.arg}={kw.value.value}) is a period literal"))
            if name == "add" and len(node.args) >= 2 and _is_number(node.args[1]):
                found.append((node.lineno, "calendar add() with a literal amount"))
        elif isinstance(node, ast.Assign) and _is_number(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name) and PERIOD_NAME.search(target.id):
                    found.append(
                        (node.lineno, f"{target.id} = {node.value.value} looks like a period literal")
                    )
    return [(n, msg) for n, msg in found if PRAGMA not in lines[n - 1]]


def main(root: str = "src/jiandu") -> int:
    problems = []
    for path in sorted(Path(root).rglob("*.py")):
        if EXEMPT_PARTS & set(path.relative_to(root).parts[:-1]):
            continue
        problems += [f"{path}:{line}: {msg}" for line, msg in findings_in(path)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} period literal(s): read them from the jurisdiction profile instead.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
