"""The kernel benches' world: a fresh database with the demo district and a number of filings.

Each kernel bench measures every database in a process of its own (Django is configured once per
process, and `make bench` runs the complaints bench's PostgreSQL settings in the parent):

  SQLite      always: a file in a temporary directory, the embedded default (`make bench` on a
              bare machine needs nothing else);
  PostgreSQL  when JIANDU_DATABASE_URL names one: a scratch database `jiandu_bench_kernel` on that
              server, made anew for the run and dropped after it (never the named database itself,
              which may be someone's development database).

The child process runs `python -m bench.<module> --child` with JIANDU_BENCH_DATABASE_URL set and
the bench settings (production settings, DEBUG off: `bench.bench_settings`).
The filings are a fixture written with bulk_create (no ledger entries): the benches time acts on
them and pages over them, not their history.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from bench import generate

SCRATCH_DATABASE = "jiandu_bench_kernel"
TITLES = (
    "公共资源交易投诉处理办法",
    "政府采购评审专家管理办法",
    "招标投标活动监督检查办法",
    "行政处罚自由裁量权基准",
    "重大行政处罚决定书",
)


def run_children(module: str) -> None:
    """Run `python -m <module> --child` once per database (SQLite, then PostgreSQL if named)."""
    configured = os.environ.get("JIANDU_DATABASE_URL", "")
    runs: list[tuple[str, str]] = []
    scratch = tempfile.mkdtemp(prefix="jiandu-bench-kernel-")
    runs.append(("SQLite", f"sqlite:///{scratch}/bench.sqlite3"))
    if configured.startswith(("postgres://", "postgresql://")):
        runs.append(("PostgreSQL", urlunsplit(urlsplit(configured)._replace(path=f"/{SCRATCH_DATABASE}"))))
    else:
        print("PostgreSQL: not measured (set JIANDU_DATABASE_URL=postgres://… to measure it too)\n")
    failed = []
    try:
        for label, url in runs:
            if label == "PostgreSQL":
                generate.recreate_database(url)
            env = {
                **os.environ,
                "JIANDU_BENCH_DATABASE_URL": url,
                "JIANDU_BENCH_DATABASE_LABEL": label,
                "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            }
            print(f"--- {label}", flush=True)
            done = subprocess.run([sys.executable, "-m", module, "--child"], env=env, check=False)
            if done.returncode:
                failed.append(label)
            if label == "PostgreSQL":
                generate.drop_database(url)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        raise RuntimeError(f"{module} failed on {', '.join(failed)}")


def database_label() -> str:
    return os.environ.get("JIANDU_BENCH_DATABASE_LABEL", "SQLite")


def build(filings: int, state: Callable[[int], str], *, matters: bool = False) -> list[int]:
    """Migrate, load the demo (with its complaints when `matters`: the bare view reads one), add
    `filings` filings of 示范区公共资源交易监督管理局 (state by index) with an open reply period on
    those being corrected; return the filings' ids in creation order."""
    generate.setup_django()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.utils import timezone

    from jiandu.deadlines.models import Deadline
    from jiandu.demo.loader import load_demo
    from jiandu.filings.models import Filing
    from jiandu.orgs.models import Agency

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_demo(matters=matters)
    agency = Agency.objects.get(code="demo-ggzy")
    now = timezone.now()
    today = timezone.localdate()
    rows = [
        Filing(
            number=f"BENCH-BA-{i:06d}",
            agency=agency,
            supervisor=agency.supervisor,
            state=state(i),
            kind=Filing.Kind.NORMATIVE_DOCUMENT if i % 4 else Filing.Kind.MAJOR_PENALTY,
            title=f"{TITLES[i % len(TITLES)]}（第{i}号）",
            document_number=f"示范公管规〔2026〕{i}号",
            event_date=today - datetime.timedelta(days=i % 30),
            created_at=now - datetime.timedelta(minutes=filings - i),
        )
        for i in range(filings)
    ]
    made = Filing.objects.bulk_create(rows, batch_size=500)
    subject_type = ContentType.objects.get_for_model(Filing)
    Deadline.objects.bulk_create(
        [
            Deadline(
                agency=agency,
                subject_type=subject_type,
                subject_id=f.pk,
                title=f"{f.number} 书面报告执行情况",
                rule_key="supervision_notice.notice.reply",
                citation="",
                start_date=today,
                amount=15,
                unit="day",
                due_date=today + datetime.timedelta(days=f.pk % 20 - 5),
            )
            for f in made
            if f.state == Filing.State.CORRECTING
        ],
        batch_size=500,
    )
    return [f.pk for f in made]
