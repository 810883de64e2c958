"""Matter numbers: gapless per agency, numbering family and year (e.g. DEMO-GGZY-BA-2026-000001)."""

from __future__ import annotations

from jiandu.core.numbering import next_in_sequence
from jiandu.orgs.models import Agency


def next_number(agency: Agency, family: str, year: int) -> str:
    """The next matter number of the family, as shown and searched: CODE-FAMILY-YEAR-NNNNNN."""
    return f"{agency.code.upper()}-{family}-{year}-{next_in_sequence(agency.pk, family, year):06d}"
