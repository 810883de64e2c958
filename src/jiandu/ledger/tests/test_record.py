"""Recording acts: the chain, the actor labels, payload normalisation, the caller's transaction."""

import datetime
import decimal
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.functional import SimpleLazyObject

from jiandu.core.errors import ServiceError
from jiandu.ledger import offline
from jiandu.ledger.models import LedgerEntry
from jiandu.ledger.services import agency_model, record
from jiandu.ledger.verify import verify_ledger

pytestmark = pytest.mark.django_db


def test_entries_chain_from_genesis(person, agency):
    first = record(
        "orgs.agency.create", actor=person, agency=agency, obj=agency, payload={"code": agency.code}
    )
    second = record("auth.login", actor=person, agency=agency, obj=person)
    third = record("system.tick")
    assert [e.seq for e in LedgerEntry.objects.all()] == [1, 2, 3]
    assert first.prev_hash == offline.GENESIS_PREV_HASH
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3
    stored = LedgerEntry.objects.get(seq=1)
    assert stored.object_type == "orgs.agency" and stored.object_id == str(agency.pk)
    assert stored.actor == person and stored.actor_label == "officer" and stored.agency == agency
    assert stored.entry_hash == offline.entry_hash(**stored.hash_fields())
    assert stored.payload_digest == offline.payload_digest({"code": agency.code})
    assert verify_ledger().ok


def test_actor_labels(person):
    assert record("auth.login_failed").actor_label == "system"
    anonymous = record("complaints.complaint.file", actor=AnonymousUser())
    assert (anonymous.actor_id, anonymous.actor_label) == (None, "public")
    hotline = record("complaints.complaint.file", actor=None, actor_label="hotline")
    assert hotline.actor_label == "hotline"
    lazy = record("auth.login", actor=SimpleLazyObject(lambda: person))
    assert (lazy.actor_id, lazy.actor_label) == (person.pk, "officer")


def test_payload_is_canonical_and_reads_back_as_hashed(agency):
    payload = {
        "b": [1, 2.5, 3.0],
        "a": {"when": datetime.date(2026, 2, 1), "amount": decimal.Decimal("12.50")},
        "id": uuid.UUID(int=7),
        "name": "市场监管",
        "big": 1e16,
        "zero": -0.0,
    }
    entry = record("test.payload", agency=agency, payload=payload)
    expected = {
        "a": {"amount": "12.50", "when": "2026-02-01"},
        "b": [1, 2.5, 3],
        "big": 10000000000000000,
        "id": "00000000-0000-0000-0000-000000000007",
        "name": "市场监管",
        "zero": 0,
    }
    assert entry.payload == expected
    stored = LedgerEntry.objects.get(seq=entry.seq)
    assert stored.payload == expected
    assert offline.payload_digest(stored.payload) == stored.payload_digest
    assert offline.canonical_json(expected).startswith(
        '{"a":{"amount":"12.50","when":"2026-02-01"},"b":[1,2.5,3]'
    )
    assert verify_ledger().ok


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"action": ""}, "action"),
        ({"action": "Orgs.Agency.Create"}, "action"),
        ({"action": "login"}, "action"),
        ({"action": "a." + "b" * 100}, "action"),
        ({"payload": ["not", "a", "dict"]}, "payload"),
        ({"payload": {"x": float("nan")}}, "payload"),
        ({"payload": {"x": object()}}, "payload"),
        ({"payload": {"text": "长" * 40000}}, "payload"),
        ({"actor": "somebody"}, "actor"),
        ({"actor_label": "x" * 151}, "actor_label"),
        ({"agency": "demo-amr"}, "agency"),
        ({"obj": 42}, "obj"),
    ],
)
def test_unusable_arguments_are_refused_before_writing(kwargs, field):
    arguments = {"action": "test.act", **kwargs}
    with pytest.raises(ServiceError) as exc:
        record(arguments.pop("action"), **arguments)
    assert exc.value.field == field
    assert not LedgerEntry.objects.exists()


def test_unsaved_objects_are_refused(agency):
    with pytest.raises(ServiceError):
        record("test.act", obj=agency_model()(code="x", name="x"))
    with pytest.raises(ServiceError):
        record("test.act", actor=get_user_model()(username="ghost"))


def test_entry_rolls_back_with_the_callers_transaction_and_seq_stays_gapless():
    record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.rolled_back")
        raise RuntimeError("the act failed")
    after = record("test.kept")
    assert after.seq == 2
    assert list(LedgerEntry.objects.values_list("action", flat=True)) == ["test.kept", "test.kept"]
    assert verify_ledger().ok


def test_a_failed_write_poisons_the_callers_transaction(monkeypatch):
    record("test.first")

    def duplicate_head(*args, **kwargs):
        raise IntegrityError("simulated: another writer took this seq")

    with transaction.atomic():
        monkeypatch.setattr(LedgerEntry, "save", duplicate_head)
        with pytest.raises(IntegrityError):
            record("test.second")
        # The act cannot commit without its entry: the whole transaction must roll back.
        assert transaction.get_connection().needs_rollback
        transaction.set_rollback(False)
