"""Every procedure's matter list, from the kernel: search, filters, sorting, counts per state and
keyset pages, over the viewer's restricted queryset (nothing outside the viewer's scope is counted,
listed or exported)."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from jiandu.calendar import Unit
from jiandu.deadlines.calendar_source import get_calendar
from jiandu.deadlines.models import Deadline

from .registry import Procedure

PAGE_SIZE = 50
# Sort keys offered to readers: (field, descending). Every sort ends on the id, so pages are stable.
SORTS = {
    "-created": ("created_at", True),
    "created": ("created_at", False),
    "number": ("number", False),
    "-number": ("number", True),
}
DUE_WINDOWS = {"3": 3, "7": 7, "30": 30}
# `due=soon`: an open period ends within this many working days (the home page's "due soon").
DUE_SOON = "soon"
DUE_SOON_WORKDAYS = 3  # period-literal-ok: a display window on the home page, not a statutory period


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last day of the "due soon" window: DUE_SOON_WORKDAYS working days after `today`."""
    return get_calendar().add(today, DUE_SOON_WORKDAYS, Unit.WORKDAY, provisional_ok=True).due


@dataclass
class Row:
    """One listed matter as the list and the API show it."""

    pk: int
    number: str
    agency_id: int
    state: str
    state_label: str
    created_at: datetime.datetime
    cells: list[Any]
    next_due: datetime.date | None = None

    @property
    def id(self) -> int:
        return self.pk


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


class MatterList:
    """One request's view of a procedure's matters.

    params (a QueryDict or dict): q (number, party or free text), state, agency (id), overdue (1),
    due (days: an open period ends within them; "soon": within DUE_SOON_WORKDAYS working days),
    sort (one of SORTS), cursor (from the last page).
    """

    def __init__(self, procedure: Procedure, user: Any, params: Mapping[str, Any]) -> None:
        self.procedure = procedure
        self.user = user
        self.params = params
        self.q = str(params.get("q", "")).strip()[:100]
        self.state = str(params.get("state", ""))
        if self.state not in procedure.states.values:
            self.state = ""
        self.sort = str(params.get("sort", "-created"))
        if self.sort not in SORTS:
            self.sort = "-created"
        self.overdue = params.get("overdue") == "1"
        due = str(params.get("due", ""))
        self.due: int | str | None = DUE_SOON if due == DUE_SOON else DUE_WINDOWS.get(due)
        try:
            self.agency = int(params.get("agency") or 0) or None
        except (TypeError, ValueError):
            self.agency = None
        self._scoped: QuerySet[Any] | None = None

    # ------------------------------------------------------------------------------ the queryset

    def _open_deadlines(self) -> QuerySet[Deadline]:
        return Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(self.procedure.model),
            subject_id=OuterRef("pk"),
            closed_at__isnull=True,
        )

    def scoped(self) -> QuerySet[Any]:
        """The viewer's matters with every filter but the state (the counts are per state).

        Built once per listing (the page and the counts both start from it; a queryset is only a
        description, each use below clones it)."""
        if self._scoped is None:
            self._scoped = self._build_scoped()
        return self._scoped

    def _build_scoped(self) -> QuerySet[Any]:
        qs = self.procedure.model.objects.restrict(self.user, "view")
        if self.q:
            found = Q(number__icontains=self.q)
            for name in self.procedure.search_fields:
                found |= Q(**{f"{name}__icontains": self.q})
            qs = qs.filter(found)
        if self.agency:
            qs = qs.filter(agency_id=self.agency)
        today = timezone.localdate()
        if self.overdue:
            qs = qs.filter(Exists(self._open_deadlines().filter(due_date__lt=today)))
        if self.due:
            window = (
                due_soon_until(today)
                if self.due == DUE_SOON
                else today + datetime.timedelta(days=int(self.due))
            )
            qs = qs.filter(Exists(self._open_deadlines().filter(due_date__gte=today, due_date__lte=window)))
        return qs

    def queryset(self, *, next_due: bool = True) -> QuerySet[Any]:
        qs = self.scoped()
        if self.state:
            qs = qs.filter(state=self.state)
        qs = qs.select_related("agency")
        if not next_due:
            return qs
        first = self._open_deadlines().values("subject_id").annotate(first=Min("due_date")).values("first")
        return qs.annotate(next_due=Subquery(first[:1]))

    def _attach_next_due(self, rows: list[Any]) -> None:
        # One grouped query for the page's rows, written as SQL: it has no part that depends on
        # the viewer or the filters (those chose the rows), and the ORM spent several times the
        # database's time on it (an IN of fifty ids is fifty values to prepare). Cheaper, too, than
        # the correlated subquery `queryset()` annotates: both databases evaluate that for the
        # page's rows only, but compiling it costs more than this whole query.
        meta = Deadline._meta
        quote = connection.ops.quote_name
        column = {field.name: quote(field.column) for field in meta.concrete_fields if field.column}
        subject, due, kind, closed = (
            column[name] for name in ("subject_id", "due_date", "subject_type", "closed_at")
        )
        holes = ", ".join(["%s"] * len(rows))
        sql = (
            f"SELECT {subject}, MIN({due}) FROM {quote(meta.db_table)} "  # noqa: S608 (names from the model)
            f"WHERE {kind} = %s AND {closed} IS NULL AND {subject} IN ({holes}) GROUP BY {subject}"
        )
        subject_type = ContentType.objects.get_for_model(self.procedure.model).pk
        with connection.cursor() as cursor:
            cursor.execute(sql, [subject_type, *(row.pk for row in rows)])
            found = dict(cursor.fetchall())
        for row in rows:
            first = found.get(row.pk)
            # SQLite answers MIN() of a date column as its text; PostgreSQL as a date.
            row.next_due = datetime.date.fromisoformat(first) if isinstance(first, str) else first

    def ordered(self) -> QuerySet[Any]:
        """Every listed matter (all pages), in the list's order."""
        return self._ordered(self.queryset())

    def counts(self) -> list[tuple[str, str, int]]:
        """(state, label, count) for every state, zero included, within the other filters."""
        found = dict(self.scoped().order_by().values_list("state").annotate(n=Count("id")))
        return [(value, label, found.get(value, 0)) for value, label in self.procedure.states.choices]

    # -------------------------------------------------------------------------------- keyset pages

    def _ordered(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        field, descending = SORTS[self.sort]
        sign = "-" if descending else ""
        return qs.order_by(f"{sign}{field}", f"{sign}id")

    def _after(self, cursor: str) -> Q | None:
        field, descending = SORTS[self.sort]
        try:
            value, last_id = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
            if field == "created_at":
                value = datetime.datetime.fromisoformat(value)
            last_id = int(last_id)
        except (ValueError, TypeError):
            return None
        op = "lt" if descending else "gt"
        return Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": last_id})

    def _cursor(self, row: Any) -> str:
        field, _ = SORTS[self.sort]
        value = getattr(row, field)
        raw = json.dumps([value.isoformat() if isinstance(value, datetime.datetime) else value, row.pk])
        return base64.urlsafe_b64encode(raw.encode()).decode()

    def page(self, size: int = PAGE_SIZE) -> Page:
        """The page after the cursor: light rows (`Row`) read as plain values, not model objects
        (a list is read far more often than it changes, and building 50 models is its cost)."""
        columns = [path for _label, path in self.procedure.columns]
        lookups = [path.replace(".", "__") for path in columns]
        qs = self._ordered(self.queryset(next_due=False))
        cursor = str(self.params.get("cursor", ""))
        after = self._after(cursor) if cursor else None
        if after is not None:
            qs = qs.filter(after)
        found = list(qs.values_list("id", "number", "agency_id", "state", "created_at", *lookups)[: size + 1])
        more = len(found) > size
        found = found[:size]
        states = {value: str(label) for value, label in self.procedure.states.choices}
        labels = [_choice_labels(self.procedure.model, path) for path in columns]
        rows = [
            Row(
                pk=v[0],
                number=v[1],
                agency_id=v[2],
                state=v[3],
                state_label=states.get(v[3], v[3]),
                created_at=v[4],
                cells=[_shown(value, choices) for value, choices in zip(v[5:], labels, strict=True)],
            )
            for v in found
        ]
        if rows:
            self._attach_next_due(rows)
        return Page(rows, self._cursor(rows[-1]) if more and rows else None)

    @property
    def query_without_state(self) -> str:
        return self.query_without("state")

    @property
    def query_without_cursor(self) -> str:
        return self.query_without()

    def query_without(self, *names: str) -> str:
        """The current query string minus `names` (for links that change one filter)."""
        kept = {k: v for k, v in self.params.items() if k not in (*names, "cursor") and v}
        return urlencode(kept)


def rows_html(page: Page, base: str) -> SafeString:
    """The page's rows as the list's table rows (number linked under `base`, the procedure's
    columns, state, next due date, registered time in local time).

    Written here, each value escaped once as the template engine would (quotes too), rather than
    by the engine or format_html: a page of fifty rows is the list's main cost, and both spend most
    of it on bookkeeping per value (lookups, lazy-string checks), not on the escaping itself."""
    tz = timezone.get_current_timezone()
    base = escape(base)
    out = []
    for r in page.rows:
        cells = "".join([f"<td>{escape(str(cell))}</td>" for cell in r.cells])
        due = r.next_due.isoformat() if r.next_due else "—"
        created = r.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        out.append(
            f'<tr><td class="nowrap"><a href="{base}{r.pk}/">{escape(r.number)}</a></td>{cells}'
            f'<td>{escape(r.state_label)}</td><td class="nowrap">{due}</td>'
            f'<td class="nowrap">{created}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 (every value in it is escaped above)


def fact(matter: Any, path: str) -> Any:
    """The value at `path` (e.g. "agency.name") on a matter, as shown: choices by their label."""
    value: Any = matter
    for part in path.split("."):
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part)
        if value is None:
            return ""
    return value


def _choice_labels(model: Any, path: str) -> dict[Any, str] | None:
    """The labels of the field at `path` when it has choices (shown by label, as `fact` does)."""
    *relations, name = path.split(".")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    field = model._meta.get_field(name)
    return {value: str(label) for value, label in field.choices} if field.choices else None


def _shown(value: Any, choices: dict[Any, str] | None) -> Any:
    if value is None:
        return ""
    return choices.get(value, value) if choices is not None else value
