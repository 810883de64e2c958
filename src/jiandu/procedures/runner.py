"""The one write path of every procedure: `run_step`.

One step is one database transaction that, in this order,
  1. locks the matter row (SELECT … FOR UPDATE) before anything else: every step of a matter takes
     the matter first, then what hangs off it (requests, approvals, deadlines), then the number
     and document counters, and the ledger head last (inside `ledger.record`), so two steps never
     wait on each other in opposite orders;
  2. checks the guards: the viewer may see the matter, the actor may take the step, the matter is
     in a state the step starts from, the step's own conditions hold, the inputs are valid;
  3. runs the step's body (the procedure's own code), moves the state, closes and opens the
     declared periods, stores uploaded files, issues the declared letter;
  4. writes exactly one ledger entry, named by the step, whose payload holds no personal data.
A refused step raises before it has written anything, and any failure rolls the whole act back.
`allowed_steps` answers from the same guards, so a page never offers a step the runner refuses.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from jiandu.core.errors import InvalidState, NotAllowed, ServiceError
from jiandu.deadlines import services as deadlines
from jiandu.deadlines.models import Deadline
from jiandu.documents.services import issue_document, ledger_reference
from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.services import record
from jiandu.orgs.models import Agency, Person
from jiandu.orgs.profiles import profile_for
from jiandu.rules.loader import Profile

from .models import Attachment, Matter
from .numbering import next_number
from .registry import CREATE, Procedure, Step, lookup
from .uploads import CheckedFile, check_upload

NOT_FOUND = "未找到该事项，或者你无权查看。"


@dataclass
class StepContext:
    """What a step's body works with. `payload` collects what the body adds to the ledger entry;
    `handed_back`, what the step returns to its caller and never records (a secret shown once, an
    identity opened for the reader, a row the letter reads)."""

    procedure: Procedure
    step: Step
    matter: Any
    actor: Person | None
    inputs: dict[str, Any]
    now: datetime.datetime
    known_profile: Profile | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    opened: list[Deadline] = field(default_factory=list)
    closed: list[Deadline] = field(default_factory=list)
    handed_back: dict[str, Any] = field(default_factory=dict)

    @property
    def profile(self) -> Profile:
        """The matter's agency's rules, read when a step first needs them (many steps never do)."""
        if self.known_profile is None:
            self.known_profile = profile_for(self.matter.agency)
        return self.known_profile

    @property
    def today(self) -> datetime.date:
        return timezone.localtime(self.now).date()

    def check_start(self, key: str, start: datetime.date, *, field: str) -> None:
        """Refuse, naming `field`, a typed date from which the period `key` cannot be counted
        (before a step commits to it: a date accepted now must not make a later step fail)."""
        if self.profile.has(key):
            deadlines.check_start(start, self.profile.period(key), field=field)

    def open_period(
        self, key: str, *, start: datetime.date, title: str, agency: Agency | None = None
    ) -> Deadline | None:
        """Open the profile's period `key` from `start`; None where the profile states none."""
        if not self.profile.has(key):
            return None
        deadline = deadlines.open_deadline(
            subject=self.matter,
            agency=agency or self.matter.agency,
            rule_key=key,
            period=self.profile.period(key),
            start=start,
            title=title,
        )
        self.opened.append(deadline)
        return deadline

    def close_periods(self, *keys: str) -> list[Deadline]:
        """Close the matter's open periods of `keys` (met if on time, missed if late)."""
        found = list(deadlines.open_deadlines_of(self.matter).filter(rule_key__in=keys))
        for deadline in found:
            deadlines.close_deadline(deadline, at=self.now)
        self.closed.extend(found)
        return found

    def cancel_periods(self, *keys: str) -> list[Deadline]:
        """Cancel the matter's open periods of `keys`: superseded, neither met nor missed."""
        found = list(deadlines.open_deadlines_of(self.matter).filter(rule_key__in=keys))
        for deadline in found:
            deadlines.cancel_deadline(deadline, at=self.now)
        self.closed.extend(found)
        return found

    def citation(self, *keys: str) -> str:
        """The citation of the first of `keys` the profile states ("" when none does)."""
        for key in keys:
            if self.profile.has(key):
                return str(self.profile.rule(key).citation)
        return ""


@dataclass(frozen=True)
class StepResult:
    matter: Any
    step: Step
    entry: LedgerEntry
    opened: tuple[Deadline, ...]
    closed: tuple[Deadline, ...]
    letter: dict[str, Any] | None
    handed_back: dict[str, Any]


def _visible(procedure: Procedure, actor: Person | None, matter: Any) -> bool:
    return procedure.view.allows(actor, matter)


def _refusal(procedure: Procedure, step: Step, actor: Person | None, matter: Any) -> ServiceError | None:
    """Why `actor` may not take `step` on `matter` now (inputs aside), or None."""
    if not step.unseen and not _visible(procedure, actor, matter):
        return NotAllowed(NOT_FOUND, code="not_found")
    if not step.who.allows(actor, matter):
        return NotAllowed(f"你无权{step.label}（{step.who.label or '无人可办'}）。")
    if matter.state not in step.sources:
        return InvalidState(f"本事项当前为“{matter.state_label}”，不能{step.label}。", field="state")
    for guard in step.guards:
        if not guard.test(matter):
            return InvalidState(guard.message, field="state", code=guard.code)
    return None


def allowed_steps(actor: Person | None, matter: Any) -> list[Step]:
    """The steps `actor` may take on `matter` now, in declaration order (inputs aside).

    The same tests as `run_step`'s, cheapest first: the state (no query), then the actor, then the
    step's guards; visibility once for all steps.
    """
    procedure = type(matter).procedure
    candidates = [s for s in procedure.steps if not s.creates and matter.state in s.sources]
    if not all(s.unseen for s in candidates) and not _visible(procedure, actor, matter):
        candidates = [s for s in candidates if s.unseen]
    return [
        s for s in candidates if s.who.allows(actor, matter) and all(guard.test(matter) for guard in s.guards)
    ]


def may_create(actor: Person | None, step: Step, agency: Agency) -> bool:
    return step.who.allows(actor, None, agency)


def _clean_inputs(step: Step, raw: Mapping[str, Any], matter: Any) -> dict[str, Any]:
    unknown = sorted(set(raw) - set(step.input_names))
    if unknown:
        raise ServiceError(f"“{step.label}”不接受字段 {unknown[0]}。", field=unknown[0])
    return {i.name: i.clean(raw.get(i.name), matter) for i in step.inputs}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _inputs_payload(step: Step, values: dict[str, Any], stored: dict[str, list[Any]]) -> dict[str, Any]:
    # Typed text may name people: the ledger keeps its digest (proof of what was written, not the
    # words). Inputs marked personal leave no trace at all (a digest of a phone number can be guessed).
    out: dict[str, Any] = {}
    for i in step.inputs:
        value = values[i.name]
        if i.personal:
            continue
        if i.kind == "files":
            out[i.name] = [
                {"attachment": a.pk, "sha256": a.sha256, "size": a.size} for a in stored.get(i.name, [])
            ]
        elif i.kind in ("line", "short", "long"):
            out[i.name] = {"sha256": _digest(value), "chars": len(value)} if value else None
        elif i.kind == "record":
            out[i.name] = value.pk if value is not None else None
        else:
            out[i.name] = value
    return out


def _early_refusal(
    procedure: Procedure, step: Step, actor: Person | None, matter: Any, agency: Agency | None
) -> ServiceError | None:
    if step.creates:
        if agency is None or not step.who.allows(actor, None, agency):
            return NotAllowed(f"你无权{step.label}（{step.who.label or '无人可办'}）。")
        return None
    if matter is None:
        return None
    # Read afresh (the caller's instance may be stale); the lock comes with the transaction.
    current = type(matter).objects.filter(pk=matter.pk).first()
    if current is None:
        return NotAllowed(NOT_FOUND, code="not_found")
    return _refusal(procedure, step, actor, current)


def _check_uploads(step: Step, raw: Mapping[str, Any]) -> dict[str, list[CheckedFile]]:
    """Each files input read and checked by its content (errors name the field)."""
    return {
        i.name: [check_upload(f, field=i.name) for f in i.clean(raw.get(i.name))]
        for i in step.inputs
        if i.kind == "files"
    }


def _attach(ctx: StepContext, name: str, checked: CheckedFile) -> Attachment:
    attachment = Attachment(
        matter_type=ContentType.objects.get_for_model(ctx.matter),
        matter_id=ctx.matter.pk,
        kind=name,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        added_by=ctx.actor,
        added_at=ctx.now,
        step=ctx.step.name,
    )
    # A random stored name: the uploaded name may itself be personal data.
    ending = checked.name[checked.name.rfind(".") :] if "." in checked.name else ""
    attachment.file.save(f"{secrets.token_hex(16)}{ending}", ContentFile(checked.data), save=False)
    attachment.save()
    return attachment


def _store_files(ctx: StepContext, step: Step, uploads: dict[str, list[CheckedFile]]) -> dict[str, list[Any]]:
    keep = ctx.procedure.keep_file or _attach
    return {name: [keep(ctx, name, checked) for checked in files] for name, files in uploads.items() if files}


def _field_values(matter: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(matter, f.attname) for f in matter._meta.concrete_fields if not f.primary_key}


def _add_payload(ctx: StepContext, added: dict[str, Any] | None) -> None:
    # A body adds only what its step declares, so the shared tests can check each key for
    # personal data and a reader of the ledger knows what an entry of this step may hold.
    undeclared = set(added or {}) - set(ctx.step.payload)
    if undeclared:
        raise RuntimeError(f"step {ctx.step.name} wrote undeclared payload keys {sorted(undeclared)}")
    ctx.payload.update(added or {})


def _deadline_payload(deadline: Deadline) -> dict[str, Any]:
    return {"rule": deadline.rule_key, "due": deadline.due_date, "state": deadline.state}


def run_step(
    name: str,
    matter: Matter | None = None,
    *,
    actor: Person | None,
    inputs: Mapping[str, Any] | None = None,
    agency: Agency | None = None,
    actor_label: str | None = None,
) -> StepResult:
    """Take the step registered as `name` on `matter` (or, for a creating step, in `agency`).

    Raises NotAllowed (code "not_found" when the actor may not even see the matter), InvalidState,
    or ServiceError naming the input field; nothing is written then.
    """
    procedure, step = lookup(name)
    raw = dict(inputs or {})
    # Uploads are read and checked before the transaction, so no row lock waits on a 20 MB read;
    # but only for someone who may take the step at all (checked again under the lock below).
    refusal = _early_refusal(procedure, step, actor, matter, agency) if step.files else None
    if refusal is not None:
        raise refusal
    uploads = _check_uploads(step, raw)
    with transaction.atomic():
        now = timezone.now()
        if step.creates:
            if matter is not None or agency is None:
                raise ServiceError(f"“{step.label}”须指明机关，且不针对已有事项。", field="agency")
            if not step.who.allows(actor, None, agency):
                raise NotAllowed(f"你无权{step.label}（{step.who.label or '无人可办'}）。")
            profile = profile_for(agency)
            procedure.rules.ensure_runs(profile, agency)
            locked: Any = procedure.model(agency=agency, state=CREATE, created_at=now)
            values = _clean_inputs(step, raw, locked)  # choices may depend on the agency
            source = None
        else:
            if matter is None:
                raise ServiceError(f"“{step.label}”须指明事项。", field="matter")
            try:
                locked = type(matter).objects.select_for_update().get(pk=matter.pk)
            except type(matter).DoesNotExist:
                raise NotAllowed(NOT_FOUND, code="not_found") from None
            refusal = _refusal(procedure, step, actor, locked)
            if refusal is not None:
                raise refusal
            profile = None
            values = _clean_inputs(step, raw, locked)
            source = locked.state
        ctx = StepContext(procedure, step, locked, actor, values, now, profile)
        before = None if step.creates else _field_values(locked)
        if step.closes and not step.creates:
            ctx.close_periods(*step.closes)
        _add_payload(ctx, step.body(ctx) if step.body is not None else None)
        if step.target is not None:
            locked.state = step.target
        if step.creates:
            # Saved under a placeholder no one outside this transaction sees; the number is taken
            # after the files are stored, so the agency's counter row is locked only briefly.
            locked.number = f"~{secrets.token_hex(8)}"
            locked.save(force_insert=True)
        else:
            # Only what the step changed (and the stamp): a full UPDATE would rewrite every column.
            assert before is not None
            changed = [name for name, value in _field_values(locked).items() if before[name] != value]
            locked.save(update_fields=[*changed, "updated_at"])
        stored = _store_files(ctx, step, uploads)
        if step.creates:
            locked.number = next_number(locked.agency, procedure.number_family, ctx.today.year)
            locked.save(update_fields=["number"])
        for opens in step.opens:
            if opens.when is None or opens.when(ctx):
                ctx.open_period(
                    opens.key,
                    start=opens.start(ctx) if opens.start else ctx.today,
                    title=f"{locked.number} {opens.title}",
                    agency=opens.agency(ctx) if opens.agency else None,
                )
        _add_payload(ctx, step.after(ctx) if step.after is not None else None)
        letter = _issue_letter(ctx)
        entry = record(
            step.name,
            actor=actor,
            actor_label=actor_label,
            agency=locked.agency,
            obj=locked,
            payload=_entry_payload(ctx, source, _inputs_payload(step, values, stored), letter),
        )
    return StepResult(locked, step, entry, tuple(ctx.opened), tuple(ctx.closed), letter, ctx.handed_back)


def _entry_payload(
    ctx: StepContext, source: str | None, inputs: dict[str, Any], letter: dict[str, Any] | None
) -> dict[str, Any]:
    # The states always; the rest only where the step did something (an entry is hashed and kept
    # for ever: empty lists on every entry of every matter are bytes and time for nothing).
    found: dict[str, Any] = {"from": source, "to": ctx.matter.state}
    if inputs:
        found["inputs"] = inputs
    if ctx.opened:
        found["opened"] = [_deadline_payload(d) for d in ctx.opened]
    if ctx.closed:
        found["closed"] = [_deadline_payload(d) for d in ctx.closed]
    if letter is not None:
        found["letter"] = letter
    return {**found, **ctx.payload}


def _issue_letter(ctx: StepContext) -> dict[str, Any] | None:
    letter = ctx.step.letter
    if letter is None:
        return None
    if letter.when is not None and not letter.when(ctx):
        return None
    document = issue_document(
        kind=letter.kind,
        subject=ctx.matter,
        agency=letter.issuer(ctx) if letter.issuer else ctx.matter.agency,
        context=letter.context(ctx),
        citation=letter.citation(ctx),
        actor=letter.signer(ctx) if letter.signer else ctx.actor,
        record_entry=False,
    )
    return ledger_reference(document)
