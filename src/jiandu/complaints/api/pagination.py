"""Keyset pagination over a composite ordering, e.g. (due_date, id) or (-received_at, -id).

DRF's CursorPagination positions its cursor on the first ordering field only and skips ties with
an OFFSET; with thousands of deadlines on one due date that offset grows with every page. Here the
cursor carries every ordering field of the last row, and the next page is the rows strictly after
it, so each page is one indexed range scan with a LIMIT: no COUNT, no OFFSET. The last ordering
field must be unique (the primary key). Pages go forward only: `next` is the link to follow.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param


class KeysetPagination(BasePagination):
    """Forward-only pages of `page_size` rows after the row named by the opaque `cursor`."""

    ordering: tuple[str, ...] = ("id",)
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    max_page_size = 200

    def __init__(self) -> None:
        self.next_cursor: str | None = None
        self.request: Request | None = None

    # ------------------------------------------------------------------------------ paging

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return api_settings.PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"每页条数须为 1–{self.max_page_size} 的整数。"]}
            )
        return size

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Model]:
        self.request = request
        size = self.get_page_size(request)
        queryset = queryset.order_by(*self.ordering)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            queryset = queryset.filter(self._after(self._decode(raw, queryset.model)))
        # One row more than the page tells whether there is a next page, without counting.
        rows = list(queryset[: size + 1])
        self.next_cursor = self._encode(rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self) -> str | None:
        if self.next_cursor is None or self.request is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor
        )

    # ------------------------------------------------------------------------------ cursor

    def _fields(self) -> list[tuple[str, bool]]:
        return [(name.lstrip("-"), name.startswith("-")) for name in self.ordering]

    def _after(self, values: list[Any]) -> Q:
        # (a, b) after (x, y) in ascending order: a > x OR (a = x AND b > y). The leading a >= x
        # repeats the first comparison on its own so that the database can range-scan the index.
        fields = self._fields()
        first, first_desc = fields[0]
        condition = Q(**{f"{first}__{'lte' if first_desc else 'gte'}": values[0]})
        alternatives = Q()
        for i, (name, descending) in enumerate(fields):
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
            for j in range(i):
                step &= Q(**{fields[j][0]: values[j]})
            alternatives |= step
        return condition & alternatives

    def _encode(self, row: Model) -> str:
        values = []
        for name, _descending in self._fields():
            value = getattr(row, name)
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    def _decode(self, raw: str, model: type[Model]) -> list[Any]:
        invalid = ValidationError({self.cursor_query_param: ["分页游标无效，请从第一页重新开始。"]})
        try:
            values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except (binascii.Error, ValueError):
            raise invalid from None
        fields = self._fields()
        if not isinstance(values, list) or len(values) != len(fields):
            raise invalid
        try:
            return [
                model._meta.get_field(name).to_python(value)
                for (name, _descending), value in zip(fields, values, strict=True)
            ]
        except (DjangoValidationError, TypeError):
            raise invalid from None

    # ------------------------------------------------------------------------------ OpenAPI

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "分页游标（取自上一页的 next 链接）",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数（1–{self.max_page_size}）",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


class ComplaintPagination(KeysetPagination):
    """Newest first, the order of the handler's queue (index complaint_queue)."""

    ordering = ("-received_at", "-id")


class DeadlinePagination(KeysetPagination):
    """Soonest due first; the index deadline_agency_open_due serves each page."""

    ordering = ("due_date", "id")


class RequestedAtPagination(KeysetPagination):
    """Oldest request first: what has waited longest is decided first."""

    ordering = ("requested_at", "id")
