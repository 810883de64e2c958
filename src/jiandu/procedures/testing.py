"""The shared procedure test suite: what every registered step gets without writing a test.

A procedure app's tests subclass `ProcedureSuite`, name the procedure, and get, for every state the
declarations can reach and every step:
  - the step is taken by exactly the people `allowed_steps` names, and by nobody else;
  - a refused step (wrong actor, wrong state, guard) changes nothing and writes no ledger entry;
  - a step done writes exactly one entry, named by the step, and moves to the declared state;
  - no ledger payload holds a typed text or a personal input (their example values are searched);
  - the page offers, and the API lists, exactly the allowed steps;
  - each step, the matter's page and the list stay within a query budget (NetBox's query_counts
    idea: a budget fails on N+1 as the world grows, without timing anything).
States are reached by walking the declared steps from creation with each input's example value,
as whoever the world (the demo district) has that may take them.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from jiandu.core.errors import ServiceError
from jiandu.ledger.models import LedgerEntry

from .registry import Procedure, Step
from .runner import allowed_steps, may_create, run_step

# Text inputs are filled with this marker, so a payload that repeats typed text is found.
MARKER = "样例文字ZQX"
MAX_PATH = 8  # steps walked from creation to reach a state


class Rollback(Exception):
    """Raised inside a savepoint to undo a trial step."""


@dataclass(frozen=True)
class Reached:
    """A matter in some state, and the path of steps that brought it there."""

    state: str
    pk: int
    path: tuple[tuple[str, str], ...]  # (step, who took it)


def example_inputs(step: Step, today: Any) -> dict[str, Any]:
    """Valid inputs for the step from its declarations (marker text for typed text)."""
    return {i.name: i.example_value(today, MARKER) for i in step.inputs if i.required or i.kind != "files"}


def _ledger_head() -> int:
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


class ProcedureSuite:
    """Subclass with `procedure` set; needs the `demo` and `media` fixtures (the demo district)."""

    procedure: ClassVar[Procedure]
    step_query_budget: ClassVar[int] = 36
    page_query_budget: ClassVar[int] = 26
    list_query_budget: ClassVar[int] = 12

    # ----------------------------------------------------------------------------------- the world

    @pytest.fixture
    def world(self, demo: dict[str, Any], media: Any) -> dict[str, Any]:
        return demo

    @pytest.fixture
    def reached(self, world: dict[str, Any]) -> list[Reached]:
        """A matter for each situation the declared steps can reach, walked from creation breadth
        first. A situation is a state and who may take which step in it: a step that keeps the
        state (签收, a request …) is followed when it changes what is offered to whom, not when it
        merely repeats (so the walk stays small however many such steps a procedure has). A step
        any of several people may take is tried as each of them: who took one step can decide who
        may take the next (whoever proposed an order does not approve it)."""
        from django.utils import timezone

        today = timezone.localdate()
        people = list(world.values())
        by_name = {p.username: p for p in people}
        seen: set[tuple[str, frozenset[tuple[str, str]]]] = set()
        walked: list[Reached] = []
        queue: deque[Reached] = deque()

        def visit(matter: Any, path: tuple[tuple[str, str], ...]) -> None:
            offered = frozenset(
                (step.name, person.username) for person in people for step in allowed_steps(person, matter)
            )
            if (matter.state, offered) in seen:
                return
            seen.add((matter.state, offered))
            node = Reached(matter.state, matter.pk, path)
            walked.append(node)
            queue.append(node)

        for step in self.procedure.creating_steps:
            matter = self._create(step, people, today)
            if matter is not None:
                visit(matter, ((step.name, ""),))
        while queue:
            here = queue.popleft()
            if len(here.path) >= MAX_PATH:
                continue
            matter = self.procedure.model.objects.get(pk=here.pk)
            for step in self.procedure.steps:
                if step.creates or here.state not in step.sources:
                    continue
                for actor in [p for p in people if step in allowed_steps(p, matter)]:
                    # A fresh copy of the path, so each node has its own matter.
                    copy = self._replay(here.path, by_name, people, today)
                    result = run_step(step.name, copy, actor=actor, inputs=example_inputs(step, today))
                    visit(result.matter, (*here.path, (step.name, actor.username)))
        return walked

    def _create(self, step: Step, people: list[Any], today: Any) -> Any:
        """A new matter by the first person whose agency runs the procedure and who may start it."""
        for person in people:
            if person.agency is None or not may_create(person, step, person.agency):
                continue
            try:
                return run_step(
                    step.name, actor=person, agency=person.agency, inputs=example_inputs(step, today)
                ).matter
            except ServiceError:
                continue  # e.g. an agency whose rules leave the procedure off
        return None

    def _replay(
        self, path: tuple[tuple[str, str], ...], by_name: dict[str, Any], people: list[Any], today: Any
    ) -> Any:
        matter = None
        for name, username in path:
            step = self.procedure.step(name)
            if step.creates:
                matter = self._create(step, people, today)
            else:
                matter = run_step(
                    name, matter, actor=by_name[username], inputs=example_inputs(step, today)
                ).matter
        return matter

    # ----------------------------------------------------------------------------------- the tests

    def test_every_state_is_reachable(self, reached: list[Reached]) -> None:
        missing = [s for s in self.procedure.states.values if s not in {r.state for r in reached}]
        assert not missing, f"states no path of declared steps reaches with the demo's people: {missing}"

    def test_each_step_is_taken_by_exactly_those_allowed(
        self, world: dict[str, Any], reached: list[Reached]
    ) -> None:
        from django.utils import timezone

        today = timezone.localdate()
        for here in reached:
            for step in self.procedure.steps:
                if step.creates:
                    continue
                for person in world.values():
                    matter = self.procedure.model.objects.get(pk=here.pk)
                    offered = step in allowed_steps(person, matter)
                    head = _ledger_head()
                    try:
                        with transaction.atomic():
                            result = run_step(
                                step.name, matter, actor=person, inputs=example_inputs(step, today)
                            )
                            entries = list(LedgerEntry.objects.filter(seq__gt=head))
                            assert [e.action for e in entries] == [step.name], (step.name, person.username)
                            assert result.matter.state == (step.target or here.state)
                            self._no_personal_data(step, entries[0].payload)
                            raise Rollback
                    except Rollback:
                        assert offered, f"{person.username} could take {step.name} in {here.state} unoffered"
                    except ServiceError:
                        assert not offered, (
                            f"{step.name} offered to {person.username} in {here.state}, refused"
                        )
                        assert _ledger_head() == head
                        assert self.procedure.model.objects.get(pk=here.pk).state == here.state

    def test_lists_of_what_awaits_whom_agree_with_the_steps(
        self, world: dict[str, Any], reached: list[Reached]
    ) -> None:
        """`restrict(user, step)` (the home page's counts, the lists) names exactly the matters on
        which `allowed_steps` offers that step to that person."""
        model = self.procedure.model
        for here in reached:
            matter = model.objects.get(pk=here.pk)
            for person in world.values():
                allowed = {s.name for s in allowed_steps(person, matter)}
                for step in self.procedure.steps:
                    if step.creates:
                        continue
                    listed = model.objects.restrict(person, step.name).filter(pk=matter.pk).exists()
                    assert listed == (step.name in allowed), (step.name, person.username, here.state)

    def _no_personal_data(self, step: Step, payload: Any) -> None:
        text = json.dumps(payload, ensure_ascii=False, default=str)
        assert MARKER not in text, f"{step.name}: typed text in the ledger payload"
        for i in step.inputs:
            if i.personal:
                assert i.name not in payload.get("inputs", {}), (
                    f"{step.name}: personal input {i.name} recorded"
                )

    def test_page_and_api_offer_exactly_the_allowed_steps(
        self, world: dict[str, Any], reached: list[Reached]
    ) -> None:
        code = self.procedure.code
        for here in reached:
            matter = self.procedure.model.objects.get(pk=here.pk)
            for person in world.values():
                allowed = [s.slug for s in allowed_steps(person, matter)]
                page = Client()
                page.force_login(person)
                response = page.get(reverse("procedures:detail", args=[code, matter.pk]), follow=True)
                api = APIClient()
                api.force_authenticate(person)
                detail = api.get(f"/api/{code}/{matter.pk}/")
                visible = self.procedure.view.allows(person, matter)
                if not visible:
                    assert response.status_code == 404 and detail.status_code in (403, 404), person.username
                    continue
                assert response.status_code == 200, person.username
                offered = re.findall(r'id="step-([a-z-]+)"', response.content.decode())
                assert offered == allowed, (person.username, here.state)
                if detail.status_code == 200:  # 403: an account the API refuses altogether (12345)
                    assert [
                        s["name"].split(".", 1)[1].replace("_", "-") for s in detail.json()["allowed_steps"]
                    ] == allowed

    def test_query_budgets(self, world: dict[str, Any], reached: list[Reached]) -> None:
        from django.utils import timezone

        today = timezone.localdate()
        code = self.procedure.code
        for here in reached:
            matter = self.procedure.model.objects.get(pk=here.pk)
            for person in world.values():
                for step in allowed_steps(person, matter):
                    with CaptureQueriesContext(connection) as queries:
                        try:
                            with transaction.atomic():
                                run_step(step.name, matter, actor=person, inputs=example_inputs(step, today))
                                raise Rollback
                        except Rollback:
                            pass
                    assert len(queries) <= self.step_query_budget, (step.name, len(queries))
                if self.procedure.view.allows(person, matter):
                    client = Client()
                    client.force_login(person)
                    client.get(
                        reverse("procedures:detail", args=[code, matter.pk]), follow=True
                    )  # warm caches
                    with CaptureQueriesContext(connection) as queries:
                        client.get(reverse("procedures:detail", args=[code, matter.pk]), follow=True)
                    assert len(queries) <= self.page_query_budget, ("page", person.username, len(queries))
                    with CaptureQueriesContext(connection) as queries:
                        client.get(reverse("procedures:list", args=[code]), follow=True)
                    assert len(queries) <= self.list_query_budget, ("list", person.username, len(queries))
