"""`jiandu ledger …` end to end, and proofs checked offline by a process with no database or Django."""

import base64
import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection

from jiandu.ledger import offline, signing
from jiandu.ledger.models import Checkpoint, LedgerEntry
from jiandu.ledger.services import record
from jiandu.ledger.testing import guard_suspended

pytestmark = pytest.mark.django_db


def ledger(*args: str) -> str:
    out = StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


def offline_check(path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the offline checker as a third party would: a fresh interpreter without Django settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "JIANDU"))}
    return subprocess.run(
        [sys.executable, "-m", "jiandu.ledger.offline", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture
def entries(person, agency):
    for n in range(7):
        record("test.act", actor=person, agency=agency, obj=agency, payload={"n": n, "名称": "市场监管"})


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_verify_ok_and_failure(entries):
    assert ledger("verify").strip() == "OK: 7 entries verified, 0 checkpoints verified"
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET action = 'test.other' WHERE seq = 4")
    with pytest.raises(CommandError) as exc:
        ledger("verify")
    assert str(exc.value) == "entry 4: entry hash mismatch (3 entries verified before it)"
    assert exc.value.returncode == 1


def test_checkpoint_writes_the_witness_file_and_verify_uses_it(entries, tmp_path):
    out = tmp_path / "checkpoint.json"
    assert "7 entries" in ledger("checkpoint", "--out", str(out))
    witness = json.loads(out.read_text())
    assert set(witness) == {
        "type",
        "tree_size",
        "root_hash",
        "signed_at",
        "signature",
        "public_key",
        "key_id",
    }
    assert witness["tree_size"] == 7 and witness["public_key"] == signing.public_key_b64()
    assert witness["root_hash"] == Checkpoint.objects.get().root_hash
    offline.check_checkpoint(witness, signing.public_key_b64())
    stdout_copy = json.loads(ledger("checkpoint"))
    assert stdout_copy["tree_size"] == 7
    assert ledger("verify", "--witness", str(out)).strip() == (
        "OK: 7 entries verified, 2 checkpoints verified, witness checkpoint matches"
    )
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 7")
        cursor.execute("DELETE FROM ledger_checkpoint")
    with pytest.raises(CommandError, match=r"^entry 7: entries 7\.\.7 are missing: witness checkpoint"):
        ledger("verify", "--witness", str(out))


def test_proof_verifies_offline_and_fails_after_a_bit_flip(entries, tmp_path):
    ledger("checkpoint")
    proof = json.loads(ledger("proof", "5"))
    assert proof["type"] == offline.INCLUSION_PROOF_SCHEMA
    assert (proof["leaf_index"], proof["tree_size"], len(proof["audit_path"])) == (4, 7, 3)
    assert proof["entry"]["seq"] == 5 and proof["entry"]["payload"] == {"n": 4, "名称": "市场监管"}
    path = write(tmp_path / "proof.json", proof)

    assert ledger("check-proof", str(path)).startswith("OK: entry 5 (test.act, ")
    checked = offline_check(path, "--public-key", signing.public_key_b64())
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK: entry 5 (test.act")

    node = bytearray(bytes.fromhex(proof["audit_path"][1]))
    node[7] ^= 0x10
    flipped = json.loads(json.dumps(proof))
    flipped["audit_path"][1] = node.hex()
    flipped_path = write(tmp_path / "flipped.json", flipped)
    checked = offline_check(flipped_path)
    assert checked.returncode == 1
    assert (
        checked.stdout.strip()
        == "FAILED: entry 5 is not included in the checkpoint's tree (audit path fails)"
    )
    with pytest.raises(CommandError, match="FAILED: entry 5 is not included"):
        ledger("check-proof", str(flipped_path))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: p["entry"]["payload"].update(n=40), "entry 5: payload digest mismatch"),
        (lambda p: p["entry"].update(action="test.other"), "entry 5: entry hash mismatch"),
        (lambda p: p.update(leaf_index=3), "leaf index 3 is not the place of entry 5"),
        (lambda p: p["checkpoint"].update(tree_size=8), "checkpoint signature does not verify"),
        (lambda p: p["checkpoint"].update(signed_at="2030-01-01T00:00:00.000000+00:00"), "does not verify"),
        (lambda p: p.pop("checkpoint"), "proof lacks its checkpoint"),
    ],
)
def test_proof_tampering_is_caught_offline(entries, tamper, message):
    ledger("checkpoint")
    proof = json.loads(ledger("proof", "5"))
    tamper(proof)
    with pytest.raises(offline.ProofError, match=message):
        offline.check_proof(proof)


def test_signature_by_another_key_fails(entries, tmp_path):
    ledger("checkpoint")
    proof = json.loads(ledger("proof", "2"))
    checkpoint = proof["checkpoint"]
    statement = offline.checkpoint_statement(
        checkpoint["tree_size"], checkpoint["root_hash"], checkpoint["signed_at"]
    )
    impostor = Ed25519PrivateKey.generate()
    checkpoint["signature"] = base64.b64encode(impostor.sign(statement)).decode()
    path = write(tmp_path / "other-signature.json", proof)
    checked = offline_check(path)
    assert (checked.returncode, checked.stdout.strip()) == (1, "FAILED: checkpoint signature does not verify")

    # A checkpoint re-signed and re-keyed by an impostor holds only under the impostor's own key:
    # pinning the ledger's published key rejects it.
    raw = impostor.public_key().public_bytes_raw()
    checkpoint["public_key"], checkpoint["key_id"] = base64.b64encode(raw).decode(), offline.key_id(raw)
    path = write(tmp_path / "other-key.json", proof)
    assert offline_check(path).returncode == 0
    checked = offline_check(path, "--public-key", signing.public_key_b64())
    assert (checked.returncode, checked.stdout.strip()) == (
        1,
        "FAILED: checkpoint was not signed with the trusted public key",
    )


def test_proof_against_a_witness_checkpoint_file(entries, tmp_path):
    witness = tmp_path / "witness.json"
    ledger("checkpoint", "--out", str(witness))
    record("test.act", payload={"n": 7})
    ledger("checkpoint")
    proof = json.loads(ledger("proof", "3", "--checkpoint", str(witness)))
    assert proof["tree_size"] == 7 and proof["checkpoint"] == json.loads(witness.read_text())
    assert json.loads(ledger("proof", "8"))["tree_size"] == 8
    assert offline.check_proof(proof, signing.public_key_b64()).startswith("entry 3 ")
    with pytest.raises(CommandError, match="不含第 8 条"):
        ledger("proof", "8", "--checkpoint", str(witness))
    with pytest.raises(CommandError, match="没有第 99 条"):
        ledger("proof", "99")


def test_proof_needs_a_checkpoint_and_an_untampered_ledger(entries):
    with pytest.raises(CommandError, match="请先运行 jiandu ledger checkpoint"):
        ledger("proof", "1")
    ledger("checkpoint")
    with guard_suspended():
        LedgerEntry.objects.filter(seq=6).update(payload={"n": 60})
    with pytest.raises(CommandError, match="第 6 条记录本身无法验证"):
        ledger("proof", "6")


def test_consistency_proof_between_checkpoints(entries, tmp_path):
    old = tmp_path / "old.json"
    ledger("checkpoint", "--out", str(old))
    for n in range(7, 12):
        record("test.act", payload={"n": n})
    ledger("checkpoint")
    proof = json.loads(ledger("consistency", str(old)))
    assert proof["type"] == offline.CONSISTENCY_PROOF_SCHEMA
    assert (proof["old"]["tree_size"], proof["new"]["tree_size"]) == (7, 12)
    path = write(tmp_path / "consistency.json", proof)
    checked = offline_check(path, "--public-key", signing.public_key_b64())
    assert checked.returncode == 0, checked.stdout
    assert (
        "the ledger of 12 entries" in checked.stdout and "extends the ledger of 7 entries" in checked.stdout
    )
    proof["proof"][0] = "00" * 32
    checked = offline_check(write(tmp_path / "bad.json", proof))
    assert checked.returncode == 1 and "does not extend" in checked.stdout


def test_consistency_refused_after_history_was_rewritten(entries, tmp_path):
    old = tmp_path / "old.json"
    ledger("checkpoint", "--out", str(old))
    record("test.act", payload={"n": 7})
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
    ledger("checkpoint")
    with guard_suspended():
        forged = LedgerEntry.objects.get(seq=2)
        forged.action = "test.other"
        forged.entry_hash = offline.entry_hash(**forged.hash_fields())
        forged.save(update_fields=["action", "entry_hash"])
    with pytest.raises(CommandError, match="台账与旧检查点不一致"):
        ledger("consistency", str(old))


def test_offline_module_runs_without_django_and_as_a_copied_file(entries, tmp_path):
    ledger("checkpoint")
    path = write(tmp_path / "proof.json", json.loads(ledger("proof", "1")))
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, jiandu.ledger.offline; print('django' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "False"
    copy = shutil.copy(offline.__file__, tmp_path / "offline.py")
    checked = subprocess.run(
        [sys.executable, copy, str(path)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "pass --public-key to pin" in checked.stdout


def test_tail_and_public_key(entries):
    lines = ledger("tail", "-n", "2").splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "6" and lines[1].split()[0] == "7"
    assert "officer" in lines[1] and "test.act" in lines[1] and "orgs.agency:" in lines[1]
    assert ledger("public-key").strip() == signing.public_key_b64()


def test_unreadable_files_are_reported(entries, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        ledger("verify", "--witness", str(tmp_path / "missing.json"))
    (tmp_path / "garbage.json").write_text("{not json")
    with pytest.raises(CommandError, match="FAILED: cannot read"):
        ledger("check-proof", str(tmp_path / "garbage.json"))
