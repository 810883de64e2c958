"""The ledger's wire formats and an offline checker for its proofs: stdlib + `cryptography` only.

This module is the reference definition of every hash and signed statement the ledger uses (see
README.md next to it), and it checks the proof files that `jiandu ledger proof` and
`jiandu ledger consistency` write, without any database or Django:

    python -m jiandu.ledger.offline PROOF.json [--public-key BASE64]

A third party can also copy this single file and run it as `python offline.py PROOF.json`. It
prints "OK: …" and exits 0 when the proof holds, or "FAILED: …" and exits 1. Pass the ledger's
published public key with --public-key (from `jiandu ledger public-key`); without it the key
inside the file is used, which only proves that whoever holds that key (its id is printed)
signed the checkpoint.

Formats (all hashes SHA-256, written as lowercase hex):

- canonical JSON: `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
  allow_nan=False)`, encoded as ASCII.
- payload digest: hash of the canonical JSON of the payload.
- entry hash: hash of the canonical JSON of the object built by `entry_hash_document`.
- Merkle tree (RFC 6962 §2.1 / RFC 9162 §2.1): leaf = H(0x00 || entry hash bytes),
  node = H(0x01 || left || right), the hash of the empty tree is H("").
- checkpoint statement (signed with Ed25519, signature in base64):
  "jiandu-ledger-checkpoint/v1\\n{tree_size}\\n{root_hash}\\n{signed_at}".
- key id: the first 16 hex digits of the hash of the raw 32-byte Ed25519 public key.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS_PREV_HASH = "0" * 64
ENTRY_SCHEMA = "jiandu-ledger-entry/v1"
CHECKPOINT_SCHEMA = "jiandu-ledger-checkpoint/v1"
INCLUSION_PROOF_SCHEMA = "jiandu-ledger-inclusion-proof/v1"
CONSISTENCY_PROOF_SCHEMA = "jiandu-ledger-consistency-proof/v1"
EMPTY_ROOT = hashlib.sha256(b"").digest()
# The fields an entry hash covers, in the order of `entry_hash_document`.
ENTRY_FIELDS = (
    "seq",
    "recorded_at",
    "actor_id",
    "actor_label",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "payload_digest",
    "prev_hash",
)


class ProofError(Exception):
    """A proof, checkpoint or entry that does not verify; the message says which part and why."""


def canonical_json(value: Any) -> str:
    """The one JSON text for a value: sorted keys, no whitespace, ASCII only, no NaN/Infinity."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def payload_digest(payload: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of an entry's payload."""
    return hashlib.sha256(canonical_json(payload).encode("ascii")).hexdigest()


def timestamp(moment: datetime.datetime) -> str:
    """An aware datetime as hashed and signed: UTC with microseconds, 2025-01-31T16:00:00.000000+00:00."""
    if moment.tzinfo is None:
        raise ValueError("ledger timestamps must be timezone-aware")
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def entry_hash_document(
    *,
    seq: int,
    recorded_at: str,
    actor_id: int | None,
    actor_label: str,
    agency_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    payload_digest: str,
    prev_hash: str,
) -> dict[str, Any]:
    """The object whose canonical JSON is hashed into an entry hash (recorded_at as from `timestamp`)."""
    return {
        "schema": ENTRY_SCHEMA,
        "seq": seq,
        "recorded_at": recorded_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "agency_id": agency_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload_digest": payload_digest,
        "prev_hash": prev_hash,
    }


def entry_hash(**fields: Any) -> str:
    """SHA-256 hex of an entry; takes the keyword arguments of `entry_hash_document`."""
    return hashlib.sha256(canonical_json(entry_hash_document(**fields)).encode("ascii")).hexdigest()


def leaf_hash(entry_hash_hex: str) -> bytes:
    """The Merkle leaf for an entry: H(0x00 || entry hash bytes)."""
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior Merkle node: H(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """The root that an audit path leads to from a leaf (RFC 9162 §2.1.3.2); ProofError if malformed."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn = index, size - 1
    result = leaf
    for sibling in path:
        if sn == 0:
            raise ProofError("audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            # A right edge with no sibling at this level: climb until this node is a right child.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("audit path is shorter than the tree is deep")
    return result


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """Whether `path` proves that `leaf` sits at `index` in the tree of `size` leaves with `root`."""
    try:
        return root_from_inclusion_path(leaf, index, size, path) == root
    except ProofError:
        return False


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree of `old_size` is a prefix of that of `new_size` (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a complete subtree of the new one: its root starts the path.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def checkpoint_statement(tree_size: int, root_hash: str, signed_at: str) -> bytes:
    """The exact bytes a checkpoint signature covers (signed_at as from `timestamp`)."""
    return f"{CHECKPOINT_SCHEMA}\n{tree_size}\n{root_hash}\n{signed_at}".encode("ascii")


def key_id(public_key: bytes) -> str:
    """A short, stable name for an Ed25519 public key (raw 32 bytes)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ProofError(f"{what} is not valid base64") from exc


def _hex32(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (ValueError, TypeError) as exc:
        raise ProofError(f"{what} is not hex") from exc
    if len(raw) != 32:
        raise ProofError(f"{what} is not a SHA-256 hash")
    return raw


def check_checkpoint(checkpoint: Mapping[str, Any], trusted_public_key: str | None = None) -> None:
    """Raise ProofError unless the checkpoint document's signature holds.

    The signature is checked with `trusted_public_key` (base64) when given, which must then also
    be the key named in the document; otherwise with the document's own `public_key`.
    """
    try:
        if checkpoint.get("type") != CHECKPOINT_SCHEMA:
            raise ProofError(f"not a {CHECKPOINT_SCHEMA} document")
        tree_size, root_hash = checkpoint["tree_size"], checkpoint["root_hash"]
        signed_at, signature = checkpoint["signed_at"], checkpoint["signature"]
        public_key_b64, named_key_id = checkpoint["public_key"], checkpoint["key_id"]
    except (KeyError, AttributeError) as exc:
        raise ProofError(f"checkpoint lacks field {exc}") from exc
    if not isinstance(tree_size, int) or isinstance(tree_size, bool) or tree_size < 0:
        raise ProofError("checkpoint tree_size is not a non-negative integer")
    if not all(
        isinstance(v, str) and v.isascii() for v in (signed_at, signature, public_key_b64, named_key_id)
    ):
        raise ProofError("checkpoint signed_at, signature, public_key and key_id must be ASCII text")
    _hex32(root_hash, "checkpoint root_hash")
    if trusted_public_key is not None and trusted_public_key != public_key_b64:
        raise ProofError("checkpoint was not signed with the trusted public key")
    public_key = _b64(public_key_b64, "checkpoint public_key")
    if key_id(public_key) != named_key_id:
        raise ProofError(f"checkpoint names key {named_key_id} but the public key is {key_id(public_key)}")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            _b64(signature, "checkpoint signature"), checkpoint_statement(tree_size, root_hash, signed_at)
        )
    except (InvalidSignature, ValueError) as exc:
        raise ProofError("checkpoint signature does not verify") from exc


def check_entry(entry: Mapping[str, Any]) -> str:
    """Recompute an entry's payload digest (when the payload is present) and entry hash.

    Returns the entry hash, or raises ProofError naming the entry and what does not match.
    """
    try:
        fields = {name: entry[name] for name in ENTRY_FIELDS}
        stored_hash = entry["entry_hash"]
    except (KeyError, TypeError) as exc:
        raise ProofError(f"entry lacks field {exc}") from exc
    seq = fields["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ProofError("entry seq is not a positive integer")
    if "payload" in entry and payload_digest(entry["payload"]) != fields["payload_digest"]:
        raise ProofError(f"entry {seq}: payload digest mismatch")
    if entry_hash(**fields) != stored_hash:
        raise ProofError(f"entry {seq}: entry hash mismatch")
    return stored_hash


def check_inclusion_proof(document: Mapping[str, Any], trusted_public_key: str | None = None) -> str:
    """Check an inclusion proof document end to end; return a one-line summary or raise ProofError."""
    checkpoint = document.get("checkpoint")
    if not isinstance(checkpoint, Mapping):
        raise ProofError("proof lacks its checkpoint")
    check_checkpoint(checkpoint, trusted_public_key)
    entry = document.get("entry")
    if not isinstance(entry, Mapping):
        raise ProofError("proof lacks its entry")
    hash_hex = check_entry(entry)
    index, size, path = document.get("leaf_index"), document.get("tree_size"), document.get("audit_path")
    if index != entry["seq"] - 1:
        raise ProofError(f"leaf index {index} is not the place of entry {entry['seq']}")
    if size != checkpoint["tree_size"]:
        raise ProofError("proof tree size differs from the checkpoint's")
    if not isinstance(path, list):
        raise ProofError("audit_path is not a list")
    nodes = [_hex32(node, "audit path node") for node in path]
    root = _hex32(checkpoint["root_hash"], "checkpoint root_hash")
    if not verify_inclusion(leaf_hash(hash_hex), index, size, nodes, root):
        raise ProofError(f"entry {entry['seq']} is not included in the checkpoint's tree (audit path fails)")
    return (
        f"entry {entry['seq']} ({entry['action']}, {entry['recorded_at']}) is included in the ledger of "
        f"{size} entries signed at {checkpoint['signed_at']} by key {checkpoint['key_id']}"
    )


def check_consistency_proof(document: Mapping[str, Any], trusted_public_key: str | None = None) -> str:
    """Check that a newer signed checkpoint extends an older one; return a summary or raise ProofError."""
    old, new, proof = document.get("old"), document.get("new"), document.get("proof")
    if not isinstance(old, Mapping) or not isinstance(new, Mapping) or not isinstance(proof, list):
        raise ProofError("consistency proof needs old, new and proof")
    check_checkpoint(old, trusted_public_key)
    check_checkpoint(new, trusted_public_key)
    nodes = [_hex32(node, "proof node") for node in proof]
    if not verify_consistency(
        old["tree_size"],
        new["tree_size"],
        _hex32(old["root_hash"], "old root_hash"),
        _hex32(new["root_hash"], "new root_hash"),
        nodes,
    ):
        raise ProofError(
            f"the ledger of {new['tree_size']} entries does not extend the one of {old['tree_size']} entries"
        )
    return (
        f"the ledger of {new['tree_size']} entries (signed at {new['signed_at']}) extends the ledger of "
        f"{old['tree_size']} entries (signed at {old['signed_at']}), key {new['key_id']}"
    )


def check_proof(document: Mapping[str, Any], trusted_public_key: str | None = None) -> str:
    """Check an inclusion or consistency proof document; return a summary or raise ProofError."""
    if not isinstance(document, Mapping):
        raise ProofError("not a proof document")
    kind = document.get("type")
    if kind == INCLUSION_PROOF_SCHEMA:
        return check_inclusion_proof(document, trusted_public_key)
    if kind == CONSISTENCY_PROOF_SCHEMA:
        return check_consistency_proof(document, trusted_public_key)
    raise ProofError(f"unknown proof type {kind!r}")


def check_proof_file(path: str, trusted_public_key: str | None = None) -> str:
    """Read and check a proof file; return the summary or raise ProofError."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ProofError(f"cannot read {path}: {exc}") from exc
    return check_proof(document, trusted_public_key)


UNPINNED_NOTE = (
    "note: checked against the public key inside the file; pass --public-key to pin the ledger's key"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: check a proof file; exit status 0 when it holds, 1 when it does not."""
    parser = argparse.ArgumentParser(description="Check a Jiandu ledger proof offline.")
    parser.add_argument("proof", help="proof JSON file written by `jiandu ledger proof` or `… consistency`")
    parser.add_argument("--public-key", help="the ledger's published Ed25519 public key (base64)")
    args = parser.parse_args(argv)
    try:
        summary = check_proof_file(args.proof, args.public_key)
    except ProofError as exc:
        print(f"FAILED: {exc}")
        return 1
    print(f"OK: {summary}")
    if args.public_key is None:
        print(UNPINNED_NOTE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
