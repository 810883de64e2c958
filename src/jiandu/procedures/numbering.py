"""Matter numbers: gapless per agency, numbering family and year (e.g. JZZW-BA-2026-000001)."""

from __future__ import annotations

from django.db import connection

from jiandu.orgs.models import Agency

from .models import Sequence


def next_in_sequence(agency: Agency, family: str, year: int) -> int:
    """The next number of the family; call inside the registering transaction.

    One upsert both creates the year's row and takes the next number; the row stays locked until
    the caller's transaction ends, so two registrations never share a number and a rolled-back one
    gives its number back.
    """
    table = Sequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, family, year, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 (our table)
            f"ON CONFLICT (agency_id, family, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency.pk, family, year],
        )
        (last,) = cursor.fetchone()
    return int(last)


def next_number(agency: Agency, family: str, year: int) -> str:
    """The next matter number of the family, as shown and searched: CODE-FAMILY-YEAR-NNNNNN."""
    return f"{agency.code.upper()}-{family}-{year}-{next_in_sequence(agency, family, year):06d}"
