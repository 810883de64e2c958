"""Proof documents for third parties: an entry is in a signed checkpoint, a checkpoint extends another.

Each document carries everything `offline.check_proof` needs, so it can be checked without the
database (`jiandu ledger check-proof FILE` or `python -m jiandu.ledger.offline FILE`). Before
handing a proof out, the server checks it itself: a ledger that no longer matches the checkpoint
yields an error, not a proof that would fail later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiandu.core.errors import ServiceError

from . import merkle, offline, signing
from .models import Checkpoint, LedgerEntry


def _checked(document: Mapping[str, Any], public_key: str) -> dict[str, Any]:
    try:
        offline.check_checkpoint(document, public_key)
    except offline.ProofError as exc:
        raise ServiceError(f"检查点无法验证：{exc}") from exc
    return dict(document)


def latest_checkpoint_document(covering: int = 0) -> dict[str, Any]:
    """The newest stored checkpoint of at least `covering` entries, as a signed document."""
    checkpoint = (
        Checkpoint.objects.filter(tree_size__gte=covering).order_by("-tree_size", "-signed_at").first()
    )
    if checkpoint is None:
        raise ServiceError(f"还没有覆盖第 {covering} 条的检查点；请先运行 jiandu ledger checkpoint。")
    public_key = signing.public_key_b64()
    return _checked(checkpoint.document(public_key), public_key)


def inclusion_proof(seq: int, checkpoint: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Proof that entry `seq` is in the tree a signed checkpoint document commits to.

    checkpoint: an exported checkpoint (e.g. a witness's file); default the newest stored one
    covering the entry.
    """
    entry = LedgerEntry.objects.filter(seq=seq).first()
    if entry is None:
        raise ServiceError(f"台账没有第 {seq} 条。", field="seq")
    document = entry.document()
    try:
        offline.check_entry(document)
    except offline.ProofError as exc:
        raise ServiceError(f"第 {seq} 条记录本身无法验证：{exc}") from exc
    if checkpoint is None:
        signed = latest_checkpoint_document(covering=seq)
    else:
        signed = _checked(checkpoint, signing.public_key_b64())
    size = signed["tree_size"]
    if seq > size:
        raise ServiceError(f"检查点只覆盖前 {size} 条，不含第 {seq} 条。", field="seq")
    try:
        path = merkle.inclusion_proof(LedgerEntry.objects.leaf_hashes(size), seq - 1, size)
    except ValueError as exc:
        raise ServiceError(f"台账不足 {size} 条，与检查点不一致。") from exc
    root = offline.root_from_inclusion_path(offline.leaf_hash(entry.entry_hash), seq - 1, size, path)
    if root.hex() != signed["root_hash"]:
        raise ServiceError(f"台账前 {size} 条与检查点不一致，可能被改写；请运行 jiandu ledger verify。")
    return {
        "type": offline.INCLUSION_PROOF_SCHEMA,
        "entry": document,
        "leaf_index": seq - 1,
        "tree_size": size,
        "audit_path": [node.hex() for node in path],
        "checkpoint": signed,
    }


def consistency_proof(old: Mapping[str, Any], new: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Proof that the ledger of the `new` checkpoint (default: newest stored) extends the `old` one."""
    public_key = signing.public_key_b64()
    old = _checked(old, public_key)
    new = latest_checkpoint_document() if new is None else _checked(new, public_key)
    if old["tree_size"] > new["tree_size"]:
        raise ServiceError("旧检查点的条数多于新检查点：台账被截短，或两个文件顺序颠倒。")
    try:
        nodes = merkle.consistency_proof(
            LedgerEntry.objects.leaf_hashes(new["tree_size"]), old["tree_size"], new["tree_size"]
        )
    except ValueError as exc:
        raise ServiceError(f"台账不足 {new['tree_size']} 条，与新检查点不一致。") from exc
    if not offline.verify_consistency(
        old["tree_size"],
        new["tree_size"],
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        nodes,
    ):
        raise ServiceError("台账与旧检查点不一致：签署旧检查点后，已有记录被改写。")
    return {
        "type": offline.CONSISTENCY_PROOF_SCHEMA,
        "old": old,
        "new": new,
        "proof": [n.hex() for n in nodes],
    }
