"""Deployment settings: production configuration passes Django's deploy checks."""

import os
import subprocess
import sys

from django.conf import settings


def test_passwords_are_hashed_with_argon2_in_production_settings():
    env = {**os.environ, "JIANDU_SECRET_KEY": "x" * 60, "JIANDU_DEBUG": "0"}
    code = "import jiandu.settings.base as s; print(s.PASSWORD_HASHERS[0])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "argon2" in settings.PASSWORD_HASHERS[0].lower()


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiandu.settings.base",
        "JIANDU_DEBUG": "0",
        "JIANDU_SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8" * 4,
        "JIANDU_ALLOWED_HOSTS": "jiandu.example.gov.cn",
        "JIANDU_LEDGER_SIGNING_KEY": "dGVzdC1vbmx5LWxlZGdlci1zaWduaW5nLWtleS0zMmI=",
        "JIANDU_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "jiandu", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "JIANDU_SECRET_KEY"} | {"JIANDU_DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-c", "import jiandu.settings.base"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "JIANDU_SECRET_KEY" in result.stderr
