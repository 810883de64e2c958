"""Cursor pagination: stable under inserts, and no COUNT(*) over the whole table per page."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 200
