"""The bench's fixture generator against the schema as it is now.

The generator writes complaints and deadlines with SQL of its own (a million rows through the ORM
would take hours), so a new NOT NULL column breaks it without any other test noticing. This builds
a small fixture in a scratch database of the same PostgreSQL server and drops it afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench.generate import drop_database

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRATCH_DATABASE = "jiandu_bench_check"
COMPLAINTS = 2_000

DATABASE_URL = os.environ.get("JIANDU_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="the bench fixture is PostgreSQL's",
)


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def test_generator_builds_a_fixture_on_the_current_schema():
    bench_url = _with_database(DATABASE_URL, SCRATCH_DATABASE)
    env = {**os.environ, "JIANDU_BENCH_DATABASE_URL": bench_url}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.generate", "--complaints", str(COMPLAINTS), "--force"],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        summary = re.search(
            r"generated: ([\d,]+) complaints, ([\d,]+) open deadlines \(([\d,]+) overdue\)", done.stdout
        )
        assert summary, done.stdout
        total, open_deadlines, overdue = (int(group.replace(",", "")) for group in summary.groups())
        # The demo's own complaints come on top of the generated ones.
        assert total >= COMPLAINTS
        assert 0 < overdue < open_deadlines

        with psycopg.connect(bench_url) as conn:
            # Every generated complaint is one the services could have left: numbered, coded,
            # answered once if concluded, and no period still running once the matter is closed.
            unnumbered, concluded_unanswered, running_on_closed = conn.execute(
                """
                SELECT count(*) FILTER (WHERE number = '' OR tracking_code = ''),
                       count(*) FILTER (WHERE concluded_at IS NOT NULL AND answer_round = 0),
                       count(*) FILTER (WHERE state IN ('rejected', 'referred', 'concluded', 'archived')
                                          AND EXISTS (SELECT 1 FROM deadlines_deadline d
                                                      WHERE d.subject_id = c.id AND d.closed_at IS NULL))
                FROM complaints_complaint c
                """
            ).fetchone()
        assert (unnumbered, concluded_unanswered, running_on_closed) == (0, 0, 0)
    finally:
        drop_database(bench_url)
