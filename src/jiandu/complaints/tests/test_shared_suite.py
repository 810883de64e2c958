"""The kernel's shared procedure tests, run on complaints."""

from jiandu.complaints.procedure import COMPLAINTS
from jiandu.procedures.testing import ProcedureSuite


class TestComplaints(ProcedureSuite):
    procedure = COMPLAINTS
