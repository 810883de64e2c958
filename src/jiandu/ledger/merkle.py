"""RFC 6962 Merkle trees over the ledger's entry hashes: roots, audit paths, consistency proofs.

Pure Python, no Django. Everything streams: leaves arrive as an iterable (e.g. a database
cursor) and are folded into O(log n) state, so a root over millions of entries needs no
recursion and no list of all leaves. Hashing primitives and proof verification live in
`offline.py`, the module third parties run; this module builds what they check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .offline import EMPTY_ROOT, node_hash

Range = tuple[int, int]


class MerkleAccumulator:
    """Folds leaf hashes in order; `root()` is the RFC 6962 MTH of the leaves so far.

    The state is the roots of the perfect subtrees that make up the tree, largest first, one per
    set bit of the size (the "compact range" of the left edge).
    """

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        node, n = leaf, self.size
        # Each trailing 1 bit of the old size is a perfect subtree of the new leaf's size: merge.
        while n & 1:
            node = node_hash(self._peaks.pop(), node)
            n >>= 1
        self._peaks.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        # RFC 6962 splits at the largest power of two, so the smaller peaks fold right to left.
        result = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            result = node_hash(peak, result)
        return result


def root_hash(leaves: Iterable[bytes]) -> bytes:
    """MTH of all leaves (leaf hashes, i.e. already H(0x00 || data))."""
    accumulator = MerkleAccumulator()
    for leaf in leaves:
        accumulator.append(leaf)
    return accumulator.root()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 6962 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose subtree roots make up PATH(index, D[size]), deepest first (§2.1.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} outside a tree of size {size}")
    ranges: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index - lo < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The leaf ranges whose subtree roots make up PROOF(old_size, D[new_size]) (§2.1.2)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[Range] = []
    lo, hi, m, whole_old_tree = 0, new_size, old_size, True
    while hi - lo != m:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            whole_old_tree = False
    if not whole_old_tree:
        # SUBPROOF's base case with b = false: the verifier does not know this subtree's root.
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def range_roots(leaves: Iterable[bytes], ranges: Sequence[Range]) -> list[bytes]:
    """The MTH of each (disjoint) leaf range, computed in one pass over the leaves."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    roots: list[bytes] = [b""] * len(ranges)
    position = 0
    accumulator = MerkleAccumulator()
    for index, leaf in enumerate(leaves):
        if position == len(order):
            break
        start, end = ranges[order[position]]
        if index < start:
            continue
        accumulator.append(leaf)
        if index == end - 1:
            roots[order[position]] = accumulator.root()
            accumulator = MerkleAccumulator()
            position += 1
    if position != len(order):
        raise ValueError("fewer leaves than the proof needs")
    return roots


def inclusion_proof(leaves: Iterable[bytes], index: int, size: int) -> list[bytes]:
    """The audit path for leaf `index` in the tree of the first `size` leaves."""
    return range_roots(leaves, inclusion_ranges(index, size))


def consistency_proof(leaves: Iterable[bytes], old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of the first `old_size` leaves is a prefix of the one of `new_size`."""
    return range_roots(leaves, consistency_ranges(old_size, new_size))
