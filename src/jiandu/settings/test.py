"""Settings for the test suite: the base settings with development defaults."""

import os

os.environ.setdefault("JIANDU_DEBUG", "1")

from .base import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A fixed test key so that signatures are reproducible inside one run.
JIANDU_LEDGER_SIGNING_KEY = "dGVzdC1vbmx5LWxlZGdlci1zaWduaW5nLWtleS0zMmI="
PASSWORD_HASHERS = ["jiandu.core.testing.FastArgon2PasswordHasher"]
JIANDU_DATA_KEYS = ["0yY4jv6hG7n1bcxKk6l9t3h0m0V7m1h2Q9uXv2q5bqk="]  # a fixed test-only Fernet key
