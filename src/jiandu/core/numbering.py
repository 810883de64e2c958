"""Gapless numbers per agency, family and year: one service for matter and document numbers."""

from __future__ import annotations

from django.db import connection

from .models import Sequence


def next_in_sequence(agency_id: int, family: str, year: int) -> int:
    """The next number of the family; call inside the transaction that uses it.

    One upsert both creates the year's row and takes the next number; the row stays locked until
    the caller's transaction ends, so two takers never share a number and a rolled-back one gives
    its number back.
    """
    table = Sequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, family, year, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 (our table)
            f"ON CONFLICT (agency_id, family, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency_id, family, year],
        )
        (last,) = cursor.fetchone()
    return int(last)
