"""A matter's history, read from the ledger: every step is one entry, so the timeline cannot
disagree with what was recorded, and no procedure writes its own."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from jiandu.documents.models import Document
from jiandu.ledger.models import LedgerEntry

from .registry import lookup

# Who acted, for entries without a person (the public form, the 12345 hotline, the platform itself).
ACTOR_WORDS = {
    "public": "公众",
    "complainant": "投诉举报人",
    "hotline": "12345热线",
    "system": "系统",
}


@dataclass(frozen=True)
class TimelineRow:
    at: datetime.datetime
    actor: str
    action: str
    state: str


def step_words(action: str) -> str:
    """The Chinese label of a registered step; the raw action for anything else."""
    try:
        return lookup(action)[1].label
    except KeyError:
        return action


def timeline(matter: Any, documents: list[Document] | None = None) -> list[TimelineRow]:
    """The matter's steps as the ledger recorded them, oldest first, with the letters they issued.

    Only the procedure's steps: who opened or downloaded which file is in the ledger too, but it is
    not the matter's history, and it must not tell the agency under supervision which supervisor
    or discipline inspector looked at what.
    """
    documents = documents if documents is not None else []
    titles = {str(d.pk): d.title for d in documents}
    procedure = type(matter).procedure
    entries = (
        LedgerEntry.objects.filter(
            object_type=matter._meta.label_lower,
            object_id=str(matter.pk),
            action__in=[step.name for step in procedure.steps],
        )
        .select_related("actor")
        .order_by("seq")
    )
    rows = []
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        words = step_words(entry.action)
        letter = payload.get("letter")
        title = titles.get(str(letter.get("document"))) if isinstance(letter, dict) else None
        if title:
            words = f"{words}，制发《{title}》"
        actor = (
            (entry.actor.full_name or entry.actor.username)
            if entry.actor
            else ACTOR_WORDS.get(entry.actor_label, entry.actor_label)
        )
        state = payload.get("to")
        rows.append(
            TimelineRow(entry.recorded_at, actor, words, procedure.state_label(state) if state else "")
        )
    return rows
