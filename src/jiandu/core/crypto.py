"""Encryption at rest for personal data (complainants' identity and contact details, ID numbers).

Keys are Fernet keys (AES-128-CBC + HMAC-SHA256) in `settings.JIANDU_DATA_KEYS`, newest first:
new data is encrypted with the first key and any listed key decrypts, so a key is rotated by
putting a new one in front, running `jiandu rotate-data-keys` (which re-encrypts every stored
value with the new key) and then dropping the old one. In development (DEBUG on) with no keys
configured, one key is generated once under var/ (mode 0600); in production they must be set.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionFailed(Exception):
    """A stored value does not decrypt with any configured key."""


def _configured_keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.JIANDU_DATA_KEYS if k.strip())
    if keys:
        return keys
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "JIANDU_DATA_KEYS must be set (comma-separated Fernet keys, newest first)."
        )
    return (_development_key(Path(settings.JIANDU_DATA_KEY_FILE)),)


def _development_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(Fernet.generate_key().decode("ascii") + "\n")
    return path.read_text(encoding="ascii").strip()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("JIANDU_DATA_KEYS holds a value that is not a Fernet key.") from exc


def cipher() -> MultiFernet:
    return _fernet(_configured_keys())


def encrypt_json(value: dict[str, Any]) -> str:
    """Encrypt a JSON object; the token is ASCII text to store in a TextField."""
    return (
        cipher()
        .encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        .decode("ascii")
    )


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        return json.loads(cipher().decrypt(token.encode("ascii")))
    except InvalidToken as exc:
        # Never echo the token or the plaintext: only that it failed.
        raise DecryptionFailed("stored personal data does not decrypt with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    try:
        return cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionFailed("stored personal data does not decrypt with the configured keys") from exc
