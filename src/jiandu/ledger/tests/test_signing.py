"""Where the checkpoint signing key comes from, and refusing to sign without one in production."""

import base64
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from jiandu.ledger import offline, signing
from jiandu.ledger.services import create_checkpoint

TEST_KEY = "dGVzdC1vbmx5LWxlZGdlci1zaWduaW5nLWtleS0zMmI="


@pytest.fixture
def no_key(settings, tmp_path):
    settings.JIANDU_LEDGER_SIGNING_KEY = ""
    settings.JIANDU_LEDGER_KEY_FILE = tmp_path / "var" / "ledger-signing.key"
    return settings


def test_configured_key(settings):
    settings.JIANDU_LEDGER_SIGNING_KEY = TEST_KEY
    public = base64.b64decode(signing.public_key_b64())
    assert len(public) == 32
    assert signing.key_id() == offline.key_id(public) and len(signing.key_id()) == 16
    statement = offline.checkpoint_statement(0, "00" * 32, "2026-01-01T00:00:00.000000+00:00")
    signature = base64.b64decode(signing.sign(statement))
    signing.private_key().public_key().verify(signature, statement)


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_malformed_key_is_refused(settings, value):
    settings.JIANDU_LEDGER_SIGNING_KEY = value
    with pytest.raises(signing.SigningKeyError, match="JIANDU_LEDGER_SIGNING_KEY"):
        signing.private_key()


def test_development_key_is_generated_once_and_kept_private(no_key):
    no_key.DEBUG = True
    first = signing.public_key_b64()
    path = no_key.JIANDU_LEDGER_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(path.read_text())) == 32
    assert signing.public_key_b64() == first
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_development_key_file_readable_by_others_is_refused(no_key):
    no_key.DEBUG = True
    signing.public_key_b64()
    os.chmod(no_key.JIANDU_LEDGER_KEY_FILE, 0o644)
    with pytest.raises(signing.SigningKeyError, match="chmod 600"):
        signing.private_key()


@pytest.mark.django_db
def test_production_without_a_key_refuses_to_sign(no_key):
    no_key.DEBUG = False
    with pytest.raises(signing.SigningKeyError, match="refusing to sign"):
        create_checkpoint()
    with pytest.raises(CommandError, match="JIANDU_LEDGER_SIGNING_KEY is not set"):
        call_command("ledger", "checkpoint")
    assert not no_key.JIANDU_LEDGER_KEY_FILE.exists()
