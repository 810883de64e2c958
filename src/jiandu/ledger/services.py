"""Writing the ledger: `record` one act, `create_checkpoint` to sign the current head.

`record` writes inside the caller's transaction, so an act and its ledger entry commit together
or not at all. Writers are serialised so that the chain never forks and no seq is used twice: on
PostgreSQL by a transaction-level advisory lock, held until the caller's transaction ends; on
SQLite by the IMMEDIATE transactions the settings configure (each write transaction holds the
database's write lock from its start). The unique primary key on `seq` backs both up: a writer
that somehow read a stale head fails instead of forking the chain. Because the lock is held
until commit, callers should record at the end of their work, not before slow steps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.utils import timezone

from jiandu.core.errors import ServiceError

from . import offline, signing
from .merkle import MerkleAccumulator
from .models import Checkpoint, LedgerEntry

SYSTEM, PUBLIC = "system", "public"
# Dotted lower-case names: app, object, verb ("orgs.agency.create", "auth.login_failed").
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# Payloads hold ids, field names and states; anything bigger is a document, which belongs elsewhere.
MAX_PAYLOAD_CHARS = 32 * 1024
# The advisory lock key: the first 8 bytes of SHA-256("jiandu.ledger"), unlikely to clash with another.
PG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"jiandu.ledger").digest()[:8], "big", signed=True)


def _integral_floats_as_ints(value: Any) -> Any:
    # PostgreSQL's jsonb stores 1e16 as 10000000000000000 and -0.0 as 0, which read back as other
    # JSON; writing integral floats as integers makes every payload read back exactly as hashed.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    return value


def normalise_payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """The payload as stored and hashed: plain JSON values (dates, decimals, UUIDs as strings)."""
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise ServiceError("台账记录的内容必须是键值对象。", field="payload")
    try:
        text = json.dumps(dict(payload), cls=DjangoJSONEncoder, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ServiceError(f"台账记录的内容无法写成 JSON：{exc}", field="payload") from exc
    plain = _integral_floats_as_ints(json.loads(text))
    if len(offline.canonical_json(plain)) > MAX_PAYLOAD_CHARS:
        raise ServiceError("台账记录的内容过长：只记编号、字段名和状态，不记文书全文。", field="payload")
    return plain


def agency_model() -> type[models.Model]:
    """The model of the ledger's `agency` field (orgs.Agency), found through the field itself: the
    ledger sits below orgs in the app layers and does not import it."""
    return LedgerEntry._meta.get_field("agency").related_model


def _actor_fields(actor: Any, actor_label: str | None) -> tuple[int | None, str]:
    if actor is None:
        return None, actor_label or SYSTEM
    if isinstance(actor, AnonymousUser):
        return None, actor_label or PUBLIC
    if not isinstance(actor, get_user_model()) or actor.pk is None:
        raise ServiceError("台账记录的操作人必须是已保存的人员。", field="actor")
    return actor.pk, actor_label or actor.get_username()


def _lock_and_read_head(connection: Any) -> tuple[int, str] | None:
    """Take the writer lock (held until the transaction ends) and read the chain's head after it.

    The lock is the serialised section every writer queues for, so it is one round trip: on
    PostgreSQL a server-side function (migration 0003) takes the advisory lock and then reads the
    head with a fresh snapshot, which sees the last writer's commit. On SQLite the IMMEDIATE
    transaction already holds the database's write lock.
    """
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT head_seq, head_hash FROM jiandu_ledger_lock_head(%s)", [PG_LOCK_KEY])
        else:
            cursor.execute(f"SELECT seq, entry_hash FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    # PostgreSQL's function answers an empty chain with a row of NULLs, SQLite with no row.
    return (row[0], row[1]) if row and row[0] is not None else None


def record(
    action: str,
    *,
    actor: Any = None,
    agency: models.Model | None = None,
    obj: models.Model | None = None,
    payload: dict | None = None,
    actor_label: str | None = None,
) -> LedgerEntry:
    """Append one act to the ledger and return its entry.

    actor: a Person; an anonymous user (labelled "public"); or None for the system itself
    (labelled "system"). actor_label overrides the label, e.g. "hotline" for the 12345 channel.
    agency: the agency whose matter this is. obj: the saved model instance acted on.
    payload: ids, changed field names, states — never personal data (see LedgerEntry).

    Raises ServiceError, before touching the database, when the arguments are unusable. Any
    database error inside marks the caller's transaction for rollback, so the act cannot commit
    without its entry.
    """
    if not isinstance(action, str) or len(action) > 100 or not ACTION_PATTERN.fullmatch(action):
        raise ServiceError(f"台账行为名称不合规：{action!r}", field="action")
    actor_id, label = _actor_fields(actor, actor_label)
    if not isinstance(label, str) or not 0 < len(label) <= 150:
        raise ServiceError("台账操作人标识须为 1–150 个字符。", field="actor_label")
    if agency is not None and (not isinstance(agency, agency_model()) or agency.pk is None):
        raise ServiceError("台账记录的机关必须是已保存的机关。", field="agency")
    if obj is not None and (not isinstance(obj, models.Model) or obj.pk is None):
        raise ServiceError("台账记录的对象必须是已保存的记录。", field="obj")
    entry = LedgerEntry(
        actor_id=actor_id,
        actor_label=label,
        agency_id=agency.pk if agency is not None else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        payload=normalise_payload(payload),
    )
    entry.payload_digest = offline.payload_digest(entry.payload)
    using = router.db_for_write(LedgerEntry)
    # savepoint=False: a failure here poisons the caller's transaction instead of being caught.
    with transaction.atomic(using=using, savepoint=False):
        head = _lock_and_read_head(transaction.get_connection(using))
        entry.seq, entry.prev_hash = (
            (head[0] + 1, head[1]) if head is not None else (1, offline.GENESIS_PREV_HASH)
        )
        entry.recorded_at = timezone.now()
        entry.entry_hash = offline.entry_hash(**entry.hash_fields())
        entry.save(using=using, force_insert=True)
    return entry


def create_checkpoint() -> Checkpoint:
    """Sign the Merkle root of every committed entry and store it as a Checkpoint.

    Refuses (ServiceError) to sign a ledger that no longer matches the newest earlier checkpoint,
    is shorter than it, or has a gap: signing would vouch for a rewritten history. Raises
    signing.SigningKeyError when no key is configured in production.
    """
    public_key = signing.public_key_b64()
    # Entries commit in seq order (writers are serialised until commit), so entries 1..size exist.
    size = LedgerEntry.objects.aggregate(head=models.Max("seq"))["head"] or 0
    previous = Checkpoint.objects.order_by("-tree_size", "-signed_at").first()
    if previous is not None:
        problem = previous.signature_error(public_key)
        if problem:
            raise ServiceError(f"上一个检查点（{previous.tree_size} 条）无法验证：{problem}；拒绝签署。")
        if previous.tree_size > size:
            raise ServiceError(f"台账只有 {size} 条，少于上一个检查点的 {previous.tree_size} 条；拒绝签署。")
    signed_size = previous.tree_size if previous is not None else None
    accumulator = MerkleAccumulator()
    previous_root = accumulator.root() if signed_size == 0 else None
    for leaf in LedgerEntry.objects.leaf_hashes(size):
        accumulator.append(leaf)
        if accumulator.size == signed_size:
            previous_root = accumulator.root()
    if accumulator.size != size:
        raise ServiceError(f"台账序号不连续（最大序号 {size}，实有 {accumulator.size} 条）；拒绝签署。")
    if previous is not None and previous_root != bytes.fromhex(previous.root_hash):
        raise ServiceError(
            f"台账前 {previous.tree_size} 条与已签署的检查点不一致，可能被改写；拒绝签署。"
            "请运行 jiandu ledger verify。"
        )
    checkpoint = Checkpoint(
        tree_size=size, root_hash=accumulator.root().hex(), signed_at=timezone.now(), key_id=signing.key_id()
    )
    checkpoint.signature = signing.sign(checkpoint.statement())
    checkpoint.save(force_insert=True)
    return checkpoint
