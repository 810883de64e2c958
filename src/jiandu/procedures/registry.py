"""Procedures and their steps, declared as data.

A procedure app declares one `Procedure`: its matter model, states, the rules it reads, and its
steps. A `Step` says everything the runner, the pages, the API, the shared tests and the scenarios
need: its registered name (`filings.accept`), the states it may start from and the state it
leaves, who may take it, what it takes (inputs), the periods it opens and closes, the letter it
issues, what its ledger entry may carry, and whether it can be undone. Only the body, the part that
is the procedure's own, is code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jiandu.deadlines.services import register_escalation
from jiandu.rules.procedures import ProcedureRules
from jiandu.rules.procedures import register as register_rules

from .inputs import Input
from .who import Who

if TYPE_CHECKING:
    from .runner import StepContext

CREATE = "__new__"  # the "state" a step that creates its matter starts from

# The ledger payload keys the runner itself writes; a body adds only what its step declares.
RUNNER_PAYLOAD = ("from", "to", "inputs", "opened", "closed", "letter")


@dataclass(frozen=True)
class Opens:
    """A period a step opens: the rule key, the day it counts from, whose it is.

    start: a function of the step context giving the start day (default: the day of the act).
    agency: a function giving the agency that must meet it (default: the matter's agency).
    Where the profile states no such period, none opens (the seed sets none).
    """

    key: str
    title: str
    start: Callable[[StepContext], datetime.date] | None = None
    agency: Callable[[StepContext], Any] | None = None
    when: Callable[[StepContext], bool] | None = None


@dataclass(frozen=True)
class Letter:
    """The letter a step issues: its document kind, and its context and citation from the step.

    when: issue only if this holds (e.g. a decision letter only for a decision that needs one).
    issuer: the agency in whose name it goes out (default: the matter's agency).
    signer: the person who issues it (default: the actor), e.g. the officer who asked for the
    extension an outside body approved: the letter is the agency's, not the approver's.
    """

    kind: str
    context: Callable[[StepContext], dict[str, Any]]
    citation: Callable[[StepContext], str]
    when: Callable[[StepContext], bool] | None = None
    issuer: Callable[[StepContext], Any] | None = None
    signer: Callable[[StepContext], Any] | None = None


@dataclass(frozen=True)
class Guard:
    """A condition beyond state and actor, with the message a refused actor reads.

    `test(matter)` must need no inputs: the same guard decides whether a page offers the step.
    `q(model)` says the same as a filter, so that lists of "what awaits me" (`restrict(user,
    step)`) agree with the step; where `test` is an object with a `q` method, that is used. A
    guard without one leaves those lists a superset (the step itself still refuses).
    """

    test: Callable[[Any], bool]
    message: str
    code: str = "invalid_state"
    q: Callable[[Any], Any] | None = None

    def as_filter(self, model: Any) -> Any:
        """The guard as a Q on `model`, or None where it has none."""
        found = self.q or getattr(self.test, "q", None)
        return found(model) if found is not None else None


@dataclass(frozen=True)
class Step:
    """One act of a procedure.

    body: runs after the guards, before the state moves (for a creating step: before the matter is
    first saved, to fill its fields). after: runs once the matter is saved and the declared periods
    are open (e.g. to read what they say). Either may return payload entries the step declares.
    """

    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None
    who: Who
    inputs: tuple[Input, ...] = ()
    body: Callable[[StepContext], dict[str, Any] | None] | None = None
    after: Callable[[StepContext], dict[str, Any] | None] | None = None
    opens: tuple[Opens, ...] = ()
    closes: tuple[str, ...] = ()
    letter: Letter | None = None
    payload: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()
    irreversible: bool = False
    consequence: str = ""
    done: str = ""  # what the page says once the step is taken (default: 已 + label)
    # Taken by people who need not see the matter itself: the body complained about answering the
    # request it was sent (it reads the request, not the complaint), the complainant rating through
    # the tracking code. The who rule alone decides; the matter stays "not found" to them elsewhere.
    unseen: bool = False
    rules_read: tuple[str, ...] = ()

    @property
    def creates(self) -> bool:
        return CREATE in self.sources

    @property
    def done_message(self) -> str:
        return self.done or f"已{self.label}。"

    @property
    def slug(self) -> str:
        """The step's part of a URL: `filings.accept` → `accept`."""
        return self.name.split(".", 1)[1].replace("_", "-")

    @property
    def files(self) -> bool:
        """Whether the step takes uploads."""
        return any(i.kind == "files" for i in self.inputs)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)


@dataclass
class Procedure:
    """A procedure: its matter model, states, steps and rule demands."""

    code: str
    label: str
    model: Any
    states: Any  # a TextChoices class
    steps: Sequence[Step]
    rules: ProcedureRules
    view: Who
    number_family: str
    closed_states: tuple[str, ...] = ()
    # What the pages show: (label, attribute path) on a matter's page and as list columns, and the
    # text fields the list's search box looks in besides the number.
    facts: tuple[tuple[str, str], ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    search_fields: tuple[str, ...] = ()
    # Who besides the agency's head is told when a period on a matter is overdue (a function of
    # the matter giving people), e.g. the supervising body that may act next.
    escalate_to: Callable[[Any], list[Any]] | None = None
    # A procedure whose pages and API are still its app's own (complaints, while they move onto
    # the kernel's): the URL names of its list page and matter page. The kernel's pages redirect
    # there and the kernel's API leaves the procedure's code to the app.
    own_pages: tuple[str, str] | None = None
    # Where the procedure keeps an uploaded file (default: a kernel `Attachment`): a function of the
    # step context, the input's name and the checked file, giving the stored row (pk, sha256, size).
    keep_file: Callable[[StepContext, str, Any], Any] | None = None
    by_name: dict[str, Step] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for step in self.steps:
            if not step.name.startswith(f"{self.code}."):
                raise ValueError(f"step {step.name} is not named under {self.code}.")
            unknown = [
                s for s in (*step.sources, step.target) if s not in (None, CREATE, *self.states.values)
            ]
            if unknown:
                raise ValueError(f"step {step.name} names unknown states {unknown}")
            overlap = set(step.payload) & set(RUNNER_PAYLOAD)
            if overlap:
                raise ValueError(f"step {step.name} declares runner payload keys {overlap}")
            if step.name in self.by_name:
                raise ValueError(f"step {step.name} declared twice")
            self.by_name[step.name] = step
        self.model.procedure = self

    def step(self, name: str) -> Step:
        return self.by_name[name]

    def step_by_slug(self, slug: str) -> Step | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def state_label(self, state: str) -> str:
        return str(dict(self.states.choices).get(state, state))

    @property
    def creating_steps(self) -> list[Step]:
        return [s for s in self.steps if s.creates]


_PROCEDURES: dict[str, Procedure] = {}
_STEPS: dict[str, tuple[Procedure, Step]] = {}


def register(procedure: Procedure) -> Procedure:
    """Register a procedure (and its rule demands); registering the same code again replaces it."""
    register_rules(procedure.rules)
    old = _PROCEDURES.get(procedure.code)
    if old is not None:
        for step in old.steps:
            _STEPS.pop(step.name, None)
    _PROCEDURES[procedure.code] = procedure
    if procedure.escalate_to is not None:
        register_escalation(procedure.model._meta.label, procedure.escalate_to)
    for step in procedure.steps:
        _STEPS[step.name] = (procedure, step)
    return procedure


def procedures() -> list[Procedure]:
    return list(_PROCEDURES.values())


def procedure(code: str) -> Procedure:
    return _PROCEDURES[code]


def procedure_of(matter_or_model: Any) -> Procedure:
    model = matter_or_model if isinstance(matter_or_model, type) else type(matter_or_model)
    return getattr(model, "procedure")  # noqa: B009 (set on the model class by Procedure)


def lookup(name: str) -> tuple[Procedure, Step]:
    """The procedure and step registered under `name`; KeyError when none is."""
    return _STEPS[name]


def steps() -> list[tuple[Procedure, Step]]:
    return list(_STEPS.values())
