"""`jiandu ledger …`: verify the ledger, sign checkpoints, hand out and check proofs.

jiandu ledger verify [--witness FILE]       exit 0 "OK: …", exit 1 naming the first failure
jiandu ledger checkpoint [--out FILE]       sign the head; write the checkpoint a witness keeps
jiandu ledger proof SEQ [--checkpoint FILE] JSON proof that entry SEQ is in a signed checkpoint
jiandu ledger consistency OLD [--checkpoint NEW]  JSON proof that NEW extends the OLD checkpoint
jiandu ledger check-proof FILE [--public-key KEY] check a proof offline (no database)
jiandu ledger tail [-n N]                   the latest entries
jiandu ledger public-key                    the checkpoint signing key, base64
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jiandu.core.errors import ServiceError
from jiandu.ledger import offline, proofs, services, signing
from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.verify import verify_ledger


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "The append-only ledger: verify, checkpoint, proof, consistency, check-proof, tail, public-key."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        verify = commands.add_parser("verify", help="recompute every hash, root and signature")
        verify.add_argument("--witness", help="a checkpoint file kept outside the database")
        checkpoint = commands.add_parser("checkpoint", help="sign the current head and store a checkpoint")
        checkpoint.add_argument("--out", help="write the checkpoint JSON here (default: standard output)")
        proof = commands.add_parser("proof", help="inclusion proof of one entry, as JSON")
        proof.add_argument("seq", type=int)
        proof.add_argument("--checkpoint", help="prove against this checkpoint file (default: newest stored)")
        consistency = commands.add_parser(
            "consistency", help="proof that the ledger extends an old checkpoint"
        )
        consistency.add_argument("old", help="the older checkpoint file")
        consistency.add_argument("--checkpoint", help="the newer checkpoint file (default: newest stored)")
        check = commands.add_parser("check-proof", help="check a proof file offline")
        check.add_argument("file")
        check.add_argument("--public-key", help="pin the ledger's public key (base64)")
        tail = commands.add_parser("tail", help="print the latest entries")
        tail.add_argument("-n", type=int, default=20, help="how many (default 20)")
        commands.add_parser("public-key", help="print the checkpoint signing public key (base64)")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        handler = getattr(self, "do_" + subcommand.replace("-", "_"))
        try:
            handler(**options)
        except (ServiceError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc

    def do_verify(self, witness: str | None, **options: Any) -> None:
        result = verify_ledger(_read_json(witness) if witness else None)
        if not result.ok:
            raise CommandError(f"{result.message} ({result.count} entries verified before it)")
        self.stdout.write(result.message)

    def do_checkpoint(self, out: str | None, **options: Any) -> None:
        checkpoint = services.create_checkpoint()
        text = _dump(checkpoint.document(signing.public_key_b64()))
        if out is None:
            self.stdout.write(text, ending="")
            return
        Path(out).write_text(text, encoding="utf-8")
        self.stdout.write(
            f"checkpoint {checkpoint.pk}: {checkpoint.tree_size} entries, root {checkpoint.root_hash}, "
            f"key {checkpoint.key_id}, written to {out}"
        )

    def do_proof(self, seq: int, checkpoint: str | None, **options: Any) -> None:
        signed = _read_json(checkpoint) if checkpoint else None
        self.stdout.write(_dump(proofs.inclusion_proof(seq, signed)), ending="")

    def do_consistency(self, old: str, checkpoint: str | None, **options: Any) -> None:
        new = _read_json(checkpoint) if checkpoint else None
        self.stdout.write(_dump(proofs.consistency_proof(_read_json(old), new)), ending="")

    def do_check_proof(self, file: str, public_key: str | None, **options: Any) -> None:
        try:
            summary = offline.check_proof_file(file, public_key)
        except offline.ProofError as exc:
            raise CommandError(f"FAILED: {exc}") from exc
        self.stdout.write(f"OK: {summary}")
        if public_key is None:
            self.stdout.write(offline.UNPINNED_NOTE)

    def do_tail(self, n: int, **options: Any) -> None:
        entries = list(LedgerEntry.objects.select_related("agency").order_by("-seq")[: max(n, 0)])
        for entry in reversed(entries):
            agency = (entry.agency.short_name or entry.agency.name) if entry.agency else "-"
            when = timezone.localtime(entry.recorded_at).isoformat(timespec="seconds")
            self.stdout.write(
                f"{entry.seq:>8}  {when}  {entry.actor_label:<16}  {agency:<12}  {entry.action:<32}  "
                f"{entry.object_ref or '-'}  {entry.entry_hash[:12]}"
            )

    def do_public_key(self, **options: Any) -> None:
        self.stdout.write(signing.public_key_b64())
