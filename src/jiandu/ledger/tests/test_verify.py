"""Verification catches every way of editing history: each tamper lifts the triggers, as an attacker
with database access would, and verification must name where the ledger stops being what was recorded."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from jiandu.core.errors import ServiceError
from jiandu.ledger import offline, signing
from jiandu.ledger.models import Checkpoint, LedgerEntry
from jiandu.ledger.services import create_checkpoint, record
from jiandu.ledger.testing import guard_suspended
from jiandu.ledger.verify import verify_ledger

pytestmark = pytest.mark.django_db

OTHER_KEY = base64.b64encode(b"another-ledger-signing-key-32byt").decode()


@pytest.fixture
def ledger(person, agency):
    for n in range(5):
        record("test.act", actor=person, agency=agency, payload={"n": n})


def witness_document() -> dict:
    """Sign the head and export it, as a witness would keep it."""
    return create_checkpoint().document(signing.public_key_b64())


def rewrite_from(seq: int, **changes) -> None:
    """Change entry `seq` and recompute its digest and every hash after it: a consistent forgery."""
    with guard_suspended():
        LedgerEntry.objects.filter(seq=seq).update(**changes)
        prev_hash = LedgerEntry.objects.get(seq=seq - 1).entry_hash if seq > 1 else offline.GENESIS_PREV_HASH
        for entry in LedgerEntry.objects.filter(seq__gte=seq).order_by("seq"):
            entry.prev_hash = prev_hash
            entry.payload_digest = offline.payload_digest(entry.payload)
            entry.entry_hash = offline.entry_hash(**entry.hash_fields())
            entry.save(update_fields=["prev_hash", "payload_digest", "entry_hash"])
            prev_hash = entry.entry_hash


def failure() -> tuple[int | None, str]:
    result = verify_ledger()
    assert not result.ok
    return result.first_bad_seq, result.reason


def test_untouched_ledger_verifies(ledger):
    witness = witness_document()
    record("test.act", payload={"n": 5})
    create_checkpoint()
    result = verify_ledger(witness)
    assert (result.ok, result.count, result.checkpoints, result.witnessed) == (True, 6, 2, True)
    assert result.message == "OK: 6 entries verified, 2 checkpoints verified, witness checkpoint matches"


def test_empty_ledger_verifies(db):
    assert verify_ledger().message == "OK: 0 entries verified, 0 checkpoints verified"
    witness = witness_document()
    assert witness["tree_size"] == 0
    assert verify_ledger(witness).ok


def test_edited_payload(ledger):
    with guard_suspended():
        LedgerEntry.objects.filter(seq=3).update(payload={"n": 99})
    assert failure() == (3, "payload digest mismatch")


def test_edited_payload_with_its_digest(ledger):
    with guard_suspended():
        LedgerEntry.objects.filter(seq=3).update(
            payload={"n": 99}, payload_digest=offline.payload_digest({"n": 99})
        )
    assert failure() == (3, "entry hash mismatch")


def test_edited_action(ledger):
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET action = 'test.harmless' WHERE seq = 2")
    assert failure() == (2, "entry hash mismatch")


def test_edited_actor(ledger, agency):
    scapegoat = get_user_model().objects.create(username="scapegoat", agency=agency)
    with guard_suspended():
        LedgerEntry.objects.filter(seq=4).update(actor=scapegoat, actor_label="scapegoat")
    assert failure() == (4, "entry hash mismatch")


def test_edited_entry_with_its_own_hash_breaks_the_next_link(ledger):
    with guard_suspended():
        entry = LedgerEntry.objects.get(seq=2)
        entry.action = "test.harmless"
        entry.entry_hash = offline.entry_hash(**entry.hash_fields())
        entry.save(update_fields=["action", "entry_hash"])
    assert failure() == (3, "prev_hash does not match the hash of entry 2")


def test_deleted_entry(ledger):
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 3")
    assert failure() == (3, "entry missing (the next entry is 4)")


def test_reordered_entries(ledger):
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 1000 WHERE seq = 2")
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 2 WHERE seq = 4")
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 4 WHERE seq = 1000")
    assert failure() == (2, "entry hash mismatch")


def test_inserted_entry(ledger):
    # Make room at 3 and insert a well-formed entry that links to entry 2.
    with guard_suspended(), connection.cursor() as cursor:
        for seq in (5, 4, 3):
            cursor.execute("UPDATE ledger_ledgerentry SET seq = %s WHERE seq = %s", [seq + 1, seq])
    forged = LedgerEntry.objects.get(seq=2)
    forged.seq, forged.action, forged.prev_hash = 3, "test.alibi", forged.entry_hash
    forged.entry_hash = offline.entry_hash(**forged.hash_fields())
    forged.save(force_insert=True)
    assert failure() == (4, "entry hash mismatch")


def test_appended_entry_that_does_not_link(ledger):
    forged = LedgerEntry.objects.get(seq=5)
    forged.seq, forged.prev_hash = 6, "ab" * 32
    forged.entry_hash = offline.entry_hash(**forged.hash_fields())
    forged.save(force_insert=True)
    assert failure() == (6, "prev_hash does not match the hash of entry 5")


def test_cut_off_newest_entries_caught_by_their_checkpoint(ledger):
    create_checkpoint()
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq >= 4")
    seq, reason = failure()
    assert seq == 4 and reason.startswith("entries 4..5 are missing: checkpoint")


def test_cut_off_newest_entries_and_checkpoints_caught_by_the_witness(ledger):
    create_checkpoint()
    record("test.act", payload={"n": 5})
    record("test.act", payload={"n": 6})
    witness = witness_document()
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq >= 6")
        cursor.execute("DELETE FROM ledger_checkpoint WHERE tree_size > 5")
    assert verify_ledger().ok, "the rows left are consistent among themselves"
    result = verify_ledger(witness)
    assert not result.ok and result.first_bad_seq == 6
    assert result.reason.startswith("entries 6..7 are missing: witness checkpoint (tree size 7")


def test_recomputed_chain_caught_by_the_stored_checkpoint(ledger):
    create_checkpoint()
    rewrite_from(2, payload={"n": 99})
    seq, reason = failure()
    assert seq is None
    assert "Merkle root of entries 1..5 differs from the signed root; history was rewritten" in reason
    assert reason.startswith("checkpoint ")
    with pytest.raises(ServiceError, match="拒绝签署"):
        create_checkpoint()


def test_recomputed_chain_and_deleted_checkpoints_caught_by_the_witness(ledger):
    witness = witness_document()
    rewrite_from(2, payload={"n": 99})
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
    assert verify_ledger().ok, "the forgery is consistent among its own rows"
    result = verify_ledger(witness)
    assert not result.ok and result.first_bad_seq is None
    assert result.reason.startswith("witness checkpoint (tree size 5")
    assert result.reason.endswith("history was rewritten")


def test_forged_checkpoint_signed_with_another_key(ledger, settings):
    rewrite_from(2, payload={"n": 99})
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
    ledger_key = settings.JIANDU_LEDGER_SIGNING_KEY
    settings.JIANDU_LEDGER_SIGNING_KEY = OTHER_KEY
    forged = witness_document()
    settings.JIANDU_LEDGER_SIGNING_KEY = ledger_key
    seq, reason = failure()
    assert seq is None and reason.startswith(f"checkpoint {Checkpoint.objects.get().pk} ")
    assert f"checkpoint names key {forged['key_id']} but the public key is {signing.key_id()}" in reason
    with guard_suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
    result = verify_ledger(forged)
    assert (
        not result.ok
        and result.reason == "witness checkpoint: checkpoint was not signed with the trusted public key"
    )


def test_checkpoint_signature_altered(ledger):
    checkpoint = create_checkpoint()
    other = signing.sign(b"something else")
    with guard_suspended():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(signature=other)
    seq, reason = failure()
    assert seq is None and reason.endswith("checkpoint signature does not verify")


def test_checkpoint_with_another_root_is_caught(ledger):
    checkpoint = create_checkpoint()
    with guard_suspended():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(root_hash="00" * 32)
    seq, reason = failure()
    assert seq is None and reason.endswith("checkpoint signature does not verify")
