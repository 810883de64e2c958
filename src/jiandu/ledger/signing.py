"""The Ed25519 key that signs ledger checkpoints.

The key is the 32-byte seed, base64-encoded, in `settings.JIANDU_LEDGER_SIGNING_KEY`. In
development (DEBUG on) with no key configured, one is generated once and kept in
`settings.JIANDU_LEDGER_KEY_FILE` (mode 0600), so checkpoints stay verifiable across restarts.
With DEBUG off and no key configured, signing is refused: a key generated on the fly would sign
checkpoints nobody can check later. Key rotation is not supported: every checkpoint is checked
against the one configured key.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import offline

GENERATE_HINT = (
    'generate one with: python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"'
)


class SigningKeyError(ImproperlyConfigured):
    """No usable ledger signing key."""


def _decode_seed(value: str, source: str) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError(f"{source} is not valid base64") from exc
    if len(seed) != 32:
        raise SigningKeyError(f"{source} must be the base64 of a 32-byte Ed25519 seed, got {len(seed)} bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _development_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(os.urandom(32)).decode("ascii") + "\n")
        try:
            # link() never replaces a file: processes starting at once all end up with the first key.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(f"ledger key file {path} is accessible to other users; chmod 600 it")
    return _decode_seed(path.read_text(encoding="ascii"), f"ledger key file {path}")


def private_key() -> Ed25519PrivateKey:
    """The configured signing key; SigningKeyError when there is none and DEBUG is off."""
    configured = settings.JIANDU_LEDGER_SIGNING_KEY
    if configured:
        return _decode_seed(configured, "JIANDU_LEDGER_SIGNING_KEY")
    if not settings.DEBUG:
        raise SigningKeyError(
            f"JIANDU_LEDGER_SIGNING_KEY is not set; refusing to sign ledger checkpoints ({GENERATE_HINT})"
        )
    return _development_key(Path(settings.JIANDU_LEDGER_KEY_FILE))


def public_key_bytes() -> bytes:
    """The raw 32-byte public key."""
    return private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64() -> str:
    """The public key as published for witnesses and offline checks."""
    return base64.b64encode(public_key_bytes()).decode("ascii")


def key_id() -> str:
    """The short id of the configured key, as stored on each checkpoint."""
    return offline.key_id(public_key_bytes())


def sign(statement: bytes) -> str:
    """An Ed25519 signature of the statement, base64."""
    return base64.b64encode(private_key().sign(statement)).decode("ascii")
