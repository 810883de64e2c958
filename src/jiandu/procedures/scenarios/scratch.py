"""The scratch database a scenario runs in, so the configured database is never touched.

The command re-runs itself in a child process whose settings name a fresh SQLite file (and a
fresh var directory for stored files and keys). Migrating a new database and loading the rule
profiles take seconds, so one template, migrated and with the shipped profiles synced, is kept in
the OS temp directory and copied for each run. Its name is a digest of every installed app's
migration files, the shipped profile files and Django's version: a changed migration or profile
gives a new template, never a stale one. Templates are safe to delete; the next run makes one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.test.utils import override_settings

from jiandu.documents.fonts import cache_dir, converted_path
from jiandu.rules.loader import PROFILES_DIR

# Set in the child's environment: the SQLite file it must be running on (checked before it runs).
SCRATCH_ENV = "JIANDU_SCENARIO_SCRATCH"
# Set instead when `--database URL` names a database of the user's own (the child keeps the world).
TARGET_ENV = "JIANDU_SCENARIO_TARGET"
# What a scratch child must not inherit: the shared cache, the installation's keys (it makes its
# own under its var directory) and its mail server (a scenario mails nobody).
DROPPED_ENV = ("JIANDU_REDIS_URL", "JIANDU_LEDGER_SIGNING_KEY", "JIANDU_DATA_KEYS", "JIANDU_EMAIL_BACKEND")


def template_dir() -> Path:
    return Path(tempfile.gettempdir()) / "jiandu-scenarios"


def template_digest() -> str:
    """A digest of what a template holds: every installed app's migration files, the shipped
    profile files (names and bytes) and Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    folders = [
        (config.label, Path(config.path) / "migrations")
        for config in sorted(apps.get_app_configs(), key=lambda c: c.label)
    ]
    for label, folder in [*folders, ("profiles", PROFILES_DIR)]:
        for path in sorted([*folder.glob("*.py"), *folder.glob("*.yaml")]) if folder.is_dir() else []:
            digest.update(f"{label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "jiandu", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"jiandu {' '.join(args)} failed:\n{done.stderr.strip()}")


def child_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(
        {
            "JIANDU_ENV": "development",
            "JIANDU_DATABASE_URL": database_url,
            "JIANDU_VAR_DIR": str(var_dir),
            "JIANDU_LEDGER_KEY_FILE": str(var_dir / "ledger-signing.key"),
            "JIANDU_DATA_KEY_FILE": str(var_dir / "data-encryption.key"),
            **extra,
        }
    )
    return env


def template() -> Path:
    """The migrated template for the current migrations, made (once) if there is none."""
    folder = template_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"template-{template_digest()[:24]}.sqlite3"
    if path.exists():
        return path
    # Built beside its final name and moved there whole: a concurrent run sees all or nothing.
    work = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
    try:
        building = work / "db.sqlite3"
        env = child_env(f"sqlite:///{building}", work)
        _run(["migrate", "--noinput", "--verbosity", "0"], env)
        _run(["createcachetable"], env)
        _run(["rules", "sync"], env)
        # One self-contained file: fold the write-ahead log in before copying it.
        db = sqlite3.connect(building)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
        finally:
            db.close()
        os.replace(building, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


def _fonts() -> Path:
    """Where a scratch run finds the PDF font converted: the installation's own cache when it has
    the conversion (`jiandu documents fonts`), else one shared by scratch runs. Converting takes
    half a minute or more, once; the files are named by digest, so sharing them is safe."""
    if converted_path().exists():
        return cache_dir()
    shared = template_dir() / "fonts"
    shared.mkdir(parents=True, exist_ok=True)
    return shared


def scratch() -> tuple[Path, dict[str, str]]:
    """A fresh directory holding a copy of the template, and the environment naming it."""
    work = Path(tempfile.mkdtemp(prefix="jiandu-scenario-"))
    database = work / "db.sqlite3"
    shutil.copyfile(template(), database)
    (work / "fonts").symlink_to(_fonts(), target_is_directory=True)
    return work, child_env(f"sqlite:///{database}", work, **{SCRATCH_ENV: str(database)})


def in_scratch() -> bool:
    """Whether this process is a scratch child, and its settings really name its scratch file."""
    expected = os.environ.get(SCRATCH_ENV)
    if not expected:
        return False
    configured = settings.DATABASES["default"]
    if configured["ENGINE"] != "django.db.backends.sqlite3" or str(configured["NAME"]) != expected:
        raise RuntimeError(f"{SCRATCH_ENV} names {expected}, but the database is {configured['NAME']}")
    return True


def run_child(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "jiandu", *args], env=env, capture_output=True, text=True, check=False
    )


def quick_passwords() -> override_settings:
    """Cheap password hashing for a scratch world: its people get random passwords nobody signs
    in with, in a database deleted after the run (production-strength hashing costs half a
    second a person)."""
    return override_settings(PASSWORD_HASHERS=["jiandu.core.testing.FastArgon2PasswordHasher"])
