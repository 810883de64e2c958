"""Start and stop the WSGI server the complaints bench measures: gunicorn on 127.0.0.1.

One fixed configuration serves the bare view and the API alike. The server runs in its own
process group, so stopping it (also on error or Ctrl-C, by the context manager) ends every worker.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServerConfig:
    workers: int = 4
    worker_class: str = "sync"
    threads: int = 1

    def describe(self) -> str:
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {_gunicorn_version()}, {self.workers} {self.worker_class} workers{threads}"


@dataclass(frozen=True)
class Server:
    port: int
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _gunicorn_version() -> str:
    try:
        import gunicorn
    except ImportError:
        raise RuntimeError(
            "gunicorn is not installed: `.venv/bin/pip install gunicorn` (a dev dependency of the bench)"
        ) from None
    return gunicorn.__version__


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode} before it was ready")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/bench/bare/1/")
            conn.getresponse().read()
            return  # any HTTP answer: a worker has loaded Django and answers
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer on 127.0.0.1:{port} within {READY_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # gunicorn's graceful stop: workers finish and exit
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def running(config: ServerConfig, env: dict[str, str]) -> Iterator[Server]:
    """gunicorn serving the bench settings on a free port of 127.0.0.1, stopped on leaving."""
    _gunicorn_version()  # fail with the remedy, not with a server that never answers
    port = _free_port()
    fd, name = tempfile.mkstemp(prefix="jiandu-bench-gunicorn-", suffix=".log")
    os.close(fd)
    log = Path(name)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "jiandu.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={config.workers}",
        f"--worker-class={config.worker_class}",
        f"--threads={config.threads}",
        f"--chdir={PROJECT_DIR}",
        "--log-level=warning",
        f"--error-logfile={log}",
        "--timeout=60",
    ]
    server_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.bench_settings"}
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=server_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port, log)
    try:
        _ready(port, process)
        yield server
    except BaseException:
        _stop(process)
        tail = server.log_tail()
        if tail:
            print(f"gunicorn's log (last lines):\n{tail}", file=sys.stderr)
        raise
    finally:
        _stop(process)
        log.unlink(missing_ok=True)
