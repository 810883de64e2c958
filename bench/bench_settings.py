"""Settings for the complaints benchmark: production settings (DEBUG off) on the bench database.

JIANDU_BENCH_DATABASE_URL  the bench database (default `jiandu_bench` on the local PostgreSQL)

Used by the bench process (generation, EXPLAIN) and by the WSGI server it starts, so both see the
same database, keys and URL map. The keys here are fixed and public: they protect nothing but the
bench database's synthetic data.
"""

import os

BENCH_DATABASE_URL = os.environ.get(
    "JIANDU_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiandu_bench"
)
# jiandu.settings.base reads these at import, so they must be in the environment first. The
# database is always the bench's own (the bench drops and recreates it), never an inherited
# JIANDU_DATABASE_URL that may name a development database.
os.environ["JIANDU_DATABASE_URL"] = BENCH_DATABASE_URL
os.environ.setdefault("JIANDU_SECRET_KEY", "bench-only-secret-key-not-for-any-real-deployment-7f3a9c")
os.environ.setdefault("JIANDU_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("JIANDU_SSL_REDIRECT", "0")
# A request log line per request would measure the logger; warnings and errors still show.
os.environ.setdefault("JIANDU_LOG_LEVEL", "WARNING")
os.environ.pop("JIANDU_DEBUG", None)

from jiandu.settings.base import *  # noqa: E402, F403

DEBUG = False
SECURE_SSL_REDIRECT = False
ROOT_URLCONF = "bench.bench_urls"

# Fixed bench keys: a Fernet key for the complainant data and an Ed25519 seed for checkpoints.
JIANDU_DATA_KEYS = ["aJi631pPJD47fCZlynYpRiluM6xHMLxM5E2Vgt0OKTM="]
JIANDU_LEDGER_SIGNING_KEY = "2jHPCmzt+XvQMyIUA8FS1+JbqPNTm90p5JHFvb5M42I="
