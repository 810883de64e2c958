"""Recompute the whole ledger and say whether, and where, it stops being what was recorded.

One streaming pass in seq order (rows fetched in chunks, O(log n) Merkle state): seq runs 1, 2,
3 … without gaps (catches deletions, insertions and reordering), each payload matches its
digest, each entry hash matches its fields, each prev_hash is the previous entry's hash, and the
Merkle root at every stored checkpoint's size matches what that checkpoint signed. A witness
checkpoint (a signed checkpoint exported earlier and kept outside the database) adds two checks
that stored rows alone cannot give: the ledger must still reach the witness's size (catches the
newest entries cut off together with their checkpoints), and its root at that size must be the
witnessed one (catches a history recomputed by someone with database access but not the key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import offline, signing
from .merkle import MerkleAccumulator
from .models import STREAM_CHUNK, Checkpoint, LedgerEntry


@dataclass(frozen=True)
class VerifyResult:
    """The outcome: `first_bad_seq` names the first entry that fails (None when the failure is a
    checkpoint's own, or all is well); `reason` says why."""

    ok: bool
    count: int
    first_bad_seq: int | None
    reason: str
    checkpoints: int = 0
    witnessed: bool = False

    @property
    def message(self) -> str:
        if self.ok:
            extra = ", witness checkpoint matches" if self.witnessed else ""
            return f"OK: {self.count} entries verified, {self.checkpoints} checkpoints verified{extra}"
        if self.first_bad_seq is not None:
            return f"entry {self.first_bad_seq}: {self.reason}"
        return self.reason


def _fail(count: int, seq: int | None, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, count=count, first_bad_seq=seq, reason=reason)


def verify_ledger(witness: Mapping[str, Any] | None = None) -> VerifyResult:
    """Verify every entry and checkpoint, and the witness checkpoint document when given.

    Checkpoint signatures are checked with the configured signing key (signing.SigningKeyError
    when there are checkpoints or a witness but no key); a witness must be signed by that key.
    """
    checkpoints = list(Checkpoint.objects.order_by("tree_size", "signed_at", "pk"))
    # What the Merkle root must be at given sizes: {size: [(who says so, root hex)]}.
    targets: dict[int, list[tuple[str, str]]] = {}
    if checkpoints or witness is not None:
        public_key = signing.public_key_b64()
        for checkpoint in checkpoints:
            label = (
                f"checkpoint {checkpoint.pk} (tree size {checkpoint.tree_size}, "
                f"signed {offline.timestamp(checkpoint.signed_at)})"
            )
            problem = checkpoint.signature_error(public_key)
            if problem:
                return _fail(0, None, f"{label}: {problem}")
            targets.setdefault(checkpoint.tree_size, []).append((label, checkpoint.root_hash))
        if witness is not None:
            try:
                offline.check_checkpoint(witness, public_key)
            except offline.ProofError as exc:
                return _fail(0, None, f"witness checkpoint: {exc}")
            label = f"witness checkpoint (tree size {witness['tree_size']}, signed {witness['signed_at']})"
            targets.setdefault(witness["tree_size"], []).append((label, witness["root_hash"]))

    accumulator = MerkleAccumulator()

    def check_roots() -> str | None:
        due = targets.pop(accumulator.size, [])
        root = accumulator.root().hex() if due else ""
        for label, signed_root in due:
            if root != signed_root:
                return (
                    f"{label}: the Merkle root of entries 1..{accumulator.size} differs from the signed "
                    "root; history was rewritten"
                )
        return None

    problem = check_roots()
    if problem:
        return _fail(0, None, problem)
    prev_hash = offline.GENESIS_PREV_HASH
    for entry in LedgerEntry.objects.order_by("seq").iterator(chunk_size=STREAM_CHUNK):
        expected = accumulator.size + 1
        count = accumulator.size
        if entry.seq != expected:
            return _fail(count, expected, f"entry missing (the next entry is {entry.seq})")
        if offline.payload_digest(entry.payload) != entry.payload_digest:
            return _fail(count, entry.seq, "payload digest mismatch")
        if offline.entry_hash(**entry.hash_fields()) != entry.entry_hash:
            return _fail(count, entry.seq, "entry hash mismatch")
        if entry.prev_hash != prev_hash:
            return _fail(count, entry.seq, f"prev_hash does not match the hash of entry {entry.seq - 1}")
        accumulator.append(offline.leaf_hash(entry.entry_hash))
        prev_hash = entry.entry_hash
        problem = check_roots()
        if problem:
            return _fail(accumulator.size, None, problem)
    count = accumulator.size
    if targets:
        size = min(targets)
        label = targets[size][0][0]
        return _fail(
            count, count + 1, f"entries {count + 1}..{size} are missing: {label} covers {size} entries"
        )
    return VerifyResult(
        ok=True,
        count=count,
        first_bad_seq=None,
        reason="",
        checkpoints=len(checkpoints),
        witnessed=witness is not None,
    )
