"""The ledger's tables: hash-chained entries and signed Merkle checkpoints.

Both tables are append-only: migration 0002 installs database triggers that refuse UPDATE,
DELETE (and on PostgreSQL TRUNCATE). Rows are written only by `jiandu.ledger.services`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models

from jiandu.core.scope import RestrictedQuerySet

from . import offline

# Rows per database round trip when streaming the chain (verification, roots, proofs).
STREAM_CHUNK = 2000


class LedgerEntryQuerySet(RestrictedQuerySet):
    def leaf_hashes(self, tree_size: int) -> Iterator[bytes]:
        """Merkle leaf hashes of entries 1..tree_size in order, streamed from the database."""
        hashes = self.filter(seq__lte=tree_size).order_by("seq").values_list("entry_hash", flat=True)
        for entry_hash in hashes.iterator(chunk_size=STREAM_CHUNK):
            yield offline.leaf_hash(entry_hash)


class LedgerEntry(models.Model):
    """One act, as it was recorded: who, for which agency, what, on which object, when.

    `seq` numbers entries 1, 2, 3 … without gaps; `prev_hash` is the previous entry's
    `entry_hash` (64 zeros for entry 1), so the entries form a chain in which changing, removing or
    reordering any row breaks every hash after it. `entry_hash` covers the fields listed in
    `offline.entry_hash_document` (the payload through `payload_digest`); see README.md.

    The payload holds ids, changed field names, states and similar facts about the act. It must
    never hold personal data (names, ID numbers, phone numbers, complaint text, passwords): the
    ledger cannot be edited, so nothing written here can later be erased or redacted, and anyone
    verifying the ledger may read it.
    """

    seq = models.PositiveBigIntegerField("序号", primary_key=True)
    recorded_at = models.DateTimeField("记录时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人标识", max_length=150)
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="机关"
    )
    action = models.CharField("行为", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    payload = models.JSONField("内容", default=dict)
    payload_digest = models.CharField("内容摘要", max_length=64)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64)

    objects = LedgerEntryQuerySet.as_manager()
    scope_field = "agency"

    class Meta:
        verbose_name = verbose_name_plural = "台账记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="ledger_entry_object")]
        constraints = [models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_entry_seq_from_1")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def object_ref(self) -> str:
        """The object as "app_label.model:id", or "" when the act has no object."""
        return f"{self.object_type}:{self.object_id}" if self.object_type else ""

    def hash_fields(self) -> dict[str, Any]:
        """The keyword arguments of `offline.entry_hash` for this row."""
        return {
            "seq": self.seq,
            "recorded_at": offline.timestamp(self.recorded_at),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "agency_id": self.agency_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "payload_digest": self.payload_digest,
            "prev_hash": self.prev_hash,
        }

    def document(self) -> dict[str, Any]:
        """The entry as it appears in a proof: hashed fields, payload and entry hash."""
        return {**self.hash_fields(), "payload": self.payload, "entry_hash": self.entry_hash}


class Checkpoint(models.Model):
    """A signed statement of the ledger's Merkle root at a size: "the first N entries are these".

    The signature is Ed25519 over `offline.checkpoint_statement(tree_size, root_hash, signed_at)`,
    "jiandu-ledger-checkpoint/v1\\n{tree_size}\\n{root_hash}\\n{signed_at}", with signed_at as
    written by `offline.timestamp`. Exported as JSON, a checkpoint is what a witness keeps outside
    the database: a later ledger that is shorter or whose first N entries hash differently no
    longer matches it.
    """

    tree_size = models.PositiveBigIntegerField("条数")
    root_hash = models.CharField("默克尔根", max_length=64)
    signed_at = models.DateTimeField("签署时间")
    signature = models.CharField("签名", max_length=100)
    key_id = models.CharField("密钥标识", max_length=16)

    class Meta:
        verbose_name = verbose_name_plural = "台账检查点"
        ordering = ["-tree_size", "-signed_at"]

    def __str__(self) -> str:
        return f"{self.tree_size} @ {self.signed_at:%Y-%m-%d %H:%M}"

    def statement(self) -> bytes:
        """The bytes the signature covers."""
        return offline.checkpoint_statement(self.tree_size, self.root_hash, offline.timestamp(self.signed_at))

    def signature_error(self, public_key: str) -> str | None:
        """Why the signature does not hold under the key (base64), or None when it does."""
        try:
            offline.check_checkpoint(self.document(public_key), public_key)
        except offline.ProofError as exc:
            return str(exc)
        return None

    def document(self, public_key: str) -> dict[str, Any]:
        """The JSON a witness keeps (public_key: the signer's key in base64)."""
        return {
            "type": offline.CHECKPOINT_SCHEMA,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "signed_at": offline.timestamp(self.signed_at),
            "signature": self.signature,
            "public_key": public_key,
            "key_id": self.key_id,
        }
