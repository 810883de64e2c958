"""Property tests of the streaming Merkle tree against a naive, literal RFC 6962 implementation."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiandu.ledger import merkle
from jiandu.ledger.offline import (
    EMPTY_ROOT,
    leaf_hash,
    root_from_inclusion_path,
    verify_consistency,
    verify_inclusion,
)


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


# The reference: RFC 6962 §2.1 transcribed recursively over leaf data.
def ref_mth(data: list[bytes]) -> bytes:
    if not data:
        return _h(b"")
    if len(data) == 1:
        return _h(b"\x00" + data[0])
    k = _k(len(data))
    return _h(b"\x01" + ref_mth(data[:k]) + ref_mth(data[k:]))


def ref_path(m: int, data: list[bytes]) -> list[bytes]:
    if len(data) == 1:
        return []
    k = _k(len(data))
    if m < k:
        return [*ref_path(m, data[:k]), ref_mth(data[k:])]
    return [*ref_path(m - k, data[k:]), ref_mth(data[:k])]


def ref_subproof(m: int, data: list[bytes], complete: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if complete else [ref_mth(data)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, data[:k], complete), ref_mth(data[k:])]
    return [*ref_subproof(m - k, data[k:], False), ref_mth(data[:k])]


def ref_proof(m: int, data: list[bytes]) -> list[bytes]:
    return [] if m in (0, len(data)) else ref_subproof(m, data, True)


def leaves_of(data: list[bytes]) -> list[bytes]:
    return [_h(b"\x00" + d) for d in data]


def make_data(n: int) -> list[bytes]:
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


sizes = st.integers(min_value=1, max_value=200)


@given(st.integers(min_value=0, max_value=300))
def test_root_matches_reference(n):
    data = make_data(n)
    assert merkle.root_hash(leaves_of(data)) == ref_mth(data)


@given(st.lists(st.binary(max_size=8), max_size=40))
def test_root_matches_reference_arbitrary_leaves(data):
    assert merkle.root_hash(leaves_of(data)) == ref_mth(data)


def test_accumulator_root_at_every_size():
    data = make_data(70)
    accumulator = merkle.MerkleAccumulator()
    assert accumulator.root() == EMPTY_ROOT
    for i, leaf in enumerate(leaves_of(data), start=1):
        accumulator.append(leaf)
        assert accumulator.size == i
        assert accumulator.root() == ref_mth(data[:i])


@given(sizes, st.data())
def test_inclusion_proof_matches_reference_and_verifies(n, draw):
    m = draw.draw(st.integers(min_value=0, max_value=n - 1))
    data = make_data(n)
    leaves = leaves_of(data)
    path = merkle.inclusion_proof(iter(leaves), m, n)
    assert path == ref_path(m, data)
    root = ref_mth(data)
    assert verify_inclusion(leaves[m], m, n, path, root)
    assert root_from_inclusion_path(leaves[m], m, n, path) == root


@given(sizes, st.data())
def test_inclusion_proof_rejects_tampering(n, draw):
    m = draw.draw(st.integers(min_value=0, max_value=n - 1))
    data = make_data(n)
    leaves = leaves_of(data)
    path = merkle.inclusion_proof(leaves, m, n)
    root = ref_mth(data)
    assert not verify_inclusion(leaf_hash("ab" * 32), m, n, path, root)
    if n > 1:
        other = (m + 1) % n
        assert not verify_inclusion(leaves[m], other, n, path, root)
        flipped = [bytes([path[0][0] ^ 1]) + path[0][1:], *path[1:]]
        assert not verify_inclusion(leaves[m], m, n, flipped, root)
        assert not verify_inclusion(leaves[m], m, n, path[:-1], root)
    assert not verify_inclusion(leaves[m], m, n, [*path, root], root)


@given(sizes, st.data())
def test_consistency_proof_matches_reference_and_verifies(n, draw):
    m = draw.draw(st.integers(min_value=0, max_value=n))
    data = make_data(n)
    leaves = leaves_of(data)
    proof = merkle.consistency_proof(iter(leaves), m, n)
    assert proof == ref_proof(m, data)
    assert verify_consistency(m, n, ref_mth(data[:m]), ref_mth(data), proof)


@given(st.integers(min_value=2, max_value=200), st.data())
def test_consistency_proof_rejects_a_rewritten_prefix(n, draw):
    m = draw.draw(st.integers(min_value=1, max_value=n - 1))
    data = make_data(n)
    proof = merkle.consistency_proof(leaves_of(data), m, n)
    forged = [*data[: m - 1], b"forged", *data[m:]]
    # The old root is what a witness kept; the new tree rewrote an entry inside the old prefix.
    assert not verify_consistency(m, n, ref_mth(data[:m]), ref_mth(forged), proof)
    assert not verify_consistency(m, n, ref_mth(forged[:m]), ref_mth(data), proof)
    if proof:
        flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_consistency(m, n, ref_mth(data[:m]), ref_mth(data), flipped)
        assert not verify_consistency(m, n, ref_mth(data[:m]), ref_mth(data), proof[:-1])
    assert not verify_consistency(n, m, ref_mth(data), ref_mth(data[:m]), proof)


def test_edge_cases():
    data = make_data(5)
    root = ref_mth(data)
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, root, [])
    assert not verify_consistency(3, 5, ref_mth(data[:3]), root, [])
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(leaves_of(data)[:3], 4, 5)


def test_large_tree_streams():
    n = 2**17 + 3

    # A generator, so nothing holds all leaves; deep enough that recursion per leaf would hurt.
    def leaves():
        for i in range(n):
            yield _h(b"\x00" + i.to_bytes(8, "big"))

    root = merkle.root_hash(leaves())
    for index, depth in [(12345, 18), (n - 2, 3)]:
        path = merkle.inclusion_proof(leaves(), index, n)
        assert len(path) == depth
        assert verify_inclusion(_h(b"\x00" + index.to_bytes(8, "big")), index, n, path, root)
    old = 100_000
    proof = merkle.consistency_proof(leaves(), old, n)
    old_root = merkle.root_hash(leaf for _, leaf in zip(range(old), leaves(), strict=False))
    assert verify_consistency(old, n, old_root, root, proof)
