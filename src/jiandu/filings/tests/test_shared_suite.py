"""The kernel's shared procedure tests, run on filings."""

from jiandu.filings.procedure import FILINGS
from jiandu.procedures.testing import ProcedureSuite


class TestFilings(ProcedureSuite):
    procedure = FILINGS
