"""A realistic demo district, loaded from a scenario file through the scenario player.

示范区 (`demo.yaml`, the format in docs/scenarios.md): a district government, its justice bureau
(the supervisory body), three enforcement agencies bound to three different seed profiles (one
also to a fourth), their units, officers (one with an expired certificate, one suspended), one
sign-in per role, and complaints and filings at several steps. The file's world is built by
`procedures.scenarios.play`, its acts run as steps like any user's, each in the file's order;
everyone gets the demo password. Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.db import transaction

from jiandu.orgs.models import Agency, Role
from jiandu.orgs.profiles import sync_profiles
from jiandu.procedures.scenarios.play import play
from jiandu.procedures.scenarios.spec import Scenario, load

DEMO_FILE = Path(__file__).with_name("demo.yaml")
DEMO_PASSWORD = "jiandu-demo-2026"  # noqa: S105  (printed by `make run`; demo databases only)
GOVERNMENT_CODE = "demo-district"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    agency: str
    unit: str
    roles: tuple[str, ...]


@cache
def _people_codes() -> tuple[str, ...]:
    # Read without the scenario checks: the test suite asks for the sign-ins while it collects.
    document = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    return tuple(str(person["code"]) for person in document["world"]["people"])


# Every demo sign-in, in the file's order: the roles that tests sweep for leaks.
DEMO_USERNAMES = list(_people_codes())


def demo_scenario() -> Scenario:
    """The demo file, read and checked (its dates relative to today are counted from now)."""
    return load(DEMO_FILE)


def demo_logins(scenario: Scenario | None = None) -> list[DemoLogin]:
    scenario = scenario or demo_scenario()
    names = {agency.code: agency.name for agency in scenario.agencies}
    return [
        DemoLogin(
            person.code,
            person.name,
            names[person.agency],
            person.unit or "",
            tuple(str(Role(role).label) for role in person.roles),
        )
        for person in scenario.people
    ]


class DemoNotLoaded(RuntimeError):
    """An act of the demo file was refused: the rules or a step changed under it."""


@transaction.atomic
def load_demo(*, matters: bool = False, scenario: Scenario | None = None) -> bool:
    """Load the demo district (and, with `matters`, its complaints and filings in progress).

    Returns False when it was already there. Tests load it without matters, so that each test
    makes the matters it needs. Any act the demo file expects to succeed and does not undoes the
    whole load (DemoNotLoaded names it).
    """
    if Agency.objects.filter(code=GOVERNMENT_CODE).exists():
        return False
    sync_profiles(actor=None)
    scenario = scenario or demo_scenario()
    results = play(scenario, keep=True, password=DEMO_PASSWORD, acts=matters)
    failed = [
        f"第 {act.number} 幕（{act.step}，第 {act.line} 行）：{'；'.join(result.unmet)}"
        for act, result in zip(scenario.acts, results, strict=False)
        if result.unmet
    ]
    if failed:
        raise DemoNotLoaded(f"{scenario.name} 未能载入：\n" + "\n".join(failed))
    return True
