"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification (pure functions).

Source: RFC 9162 §2.1 (Certificate Transparency v2): the leaf hash is SHA-256(0x00 ‖ data), an
interior node hash is SHA-256(0x01 ‖ left ‖ right), a tree of n > 1 leaves splits at k, the largest
power of two smaller than n; inclusion proofs are PATH(m, D[n]) (§2.1.3.1) and consistency proofs
PROOF(m, D[n]) (§2.1.4.1); the verification algorithms are those of §2.1.3.2 and §2.1.4.2.

Nodes are addressed by ``(level, index)``: the node at level L and index i is the root of the
complete subtree over leaves ``[i·2^L, (i+1)·2^L)``; level 0 holds the leaf hashes. Proof generation
works over any store of complete-subtree hashes through a ``fetch`` callable, so a proof reads
O(log n) stored nodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

HASH_SIZE = 32
#: Root hash of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]
Fetch = Callable[[Sequence[NodeId]], Sequence[bytes]]


class ProofError(ValueError):
    """A proof that does not verify, or a proof request that cannot be served."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data), the hash of one log entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right), the hash of an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def node_position(level: int, index: int) -> int:
    """In-order ("flat tree") position of node (level, index): unique, and the nodes of an
    aligned complete subtree over leaves [a, a + 2^L) occupy positions [2a, 2a + 2^(L+1) - 2]."""
    return (index << (level + 1)) + (1 << level) - 1


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n ≥ 2), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees that make up leaves [start, end), largest first.

    For the ranges that occur in RFC 9162 trees (``start`` aligned to a power of two at least
    ``end - start``) the hash of the range, MTH(D[start:end]), is the right fold of these nodes.
    """
    nodes: list[NodeId] = []
    a = start
    while a < end:
        level = (end - a).bit_length() - 1
        if a:
            level = min(level, (a & -a).bit_length() - 1)
        nodes.append((level, a >> level))
        a += 1 << level
    return nodes


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Combine complete-subtree hashes, largest (leftmost) first, into the hash of their range."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form PATH(index, D[size]), in proof order (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    out: list[tuple[int, int]] = []
    a, b = 0, size
    while b - a > 1:
        k = _split(b - a)
        if index < a + k:
            out.append((a + k, b))
            b = a + k
        else:
            out.append((a, a + k))
            a = a + k
    out.reverse()
    return out


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form PROOF(old, D[new]), in proof order (RFC 9162 §2.1.4.1)."""
    if not 0 < old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    out: list[tuple[int, int]] = []
    a, b, m, complete = 0, new, old, True
    while True:
        n = b - a
        if m == n:
            if not complete:
                out.append((a, b))
            break
        k = _split(n)
        if m <= k:
            out.append((a + k, b))
            b = a + k
        else:
            out.append((a, a + k))
            a, m, complete = a + k, m - k, False
    out.reverse()
    return out


def _resolve(ranges: Sequence[tuple[int, int]], fetch: Fetch) -> list[bytes]:
    """Hashes of leaf ranges, fetching all their complete subtrees in one call."""
    per_range = [subtree_nodes(a, b) for a, b in ranges]
    wanted = sorted({node for nodes in per_range for node in nodes})
    got = dict(zip(wanted, fetch(wanted), strict=True))
    return [fold_right([got[node] for node in nodes]) for nodes in per_range]


def inclusion_proof(index: int, size: int, fetch: Fetch) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves, from stored nodes."""
    return _resolve(inclusion_ranges(index, size), fetch)


def consistency_proof(old: int, new: int, fetch: Fetch) -> list[bytes]:
    """The consistency proof between tree sizes ``old`` and ``new``, from stored nodes."""
    if old == new:
        if old < 1:
            raise ProofError("no consistency proof from size 0")
        return []
    return _resolve(consistency_ranges(old, new), fetch)


def root_hash(size: int, fetch: Fetch) -> bytes:
    """MTH of the first ``size`` leaves, from stored complete subtrees (O(log size) nodes)."""
    return _resolve([(0, size)], fetch)[0]


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is entry ``index`` of the tree of ``size`` with ``root``.

    Raises :class:`ProofError` when it is not. Algorithm: RFC 9162 §2.1.3.2.
    """
    _check_hash(leaf, "leaf hash")
    _check_hash(root, "root hash")
    if index < 0 or size < 0 or index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise ProofError("proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("recomputed root does not match the root hash")


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    Raises :class:`ProofError` when it does not. Algorithm: RFC 9162 §2.1.4.2; as in the Go
    reference (transparency-dev/merkle) equal sizes need an empty proof and equal roots, and any
    check from size 0 is refused (it proves nothing).
    """
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"new size {new_size} is smaller than old size {old_size}")
    if old_size == 0:
        raise ProofError("no consistency proof from size 0")
    if old_size == new_size:
        if proof:
            raise ProofError("sizes are equal but the proof is not empty")
        if old_root != new_root:
            raise ProofError("sizes are equal but the roots differ")
        return
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    if not proof:
        raise ProofError("empty consistency proof")
    for p in proof:
        _check_hash(p, "proof hash")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is shorter than needed")
    if fr != old_root:
        raise ProofError("proof does not lead to the old root hash")
    if sr != new_root:
        raise ProofError("proof does not lead to the new root hash")


@dataclass
class CompactRange:
    """The right edge of a growing tree: the complete subtrees covering leaves [0, size).

    Appending a leaf returns the new complete nodes it creates (the leaf itself and every
    parent it completes), which is what a store of all interior nodes must insert.
    """

    size: int = 0
    edge: list[tuple[int, int, bytes]] = field(default_factory=list)

    @classmethod
    def from_nodes(cls, size: int, fetch: Fetch) -> CompactRange:
        """The compact range of an existing tree, from its stored complete subtrees."""
        nodes = subtree_nodes(0, size)
        hashes = fetch(nodes) if nodes else []
        edge = [(lv, ix, h) for (lv, ix), h in zip(nodes, hashes, strict=True)]
        return cls(size=size, edge=edge)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the new nodes ``(level, index, hash)``, leaf first."""
        created = [(0, self.size, leaf)]
        edge = self.edge
        edge.append(created[0])
        while len(edge) >= 2 and edge[-1][0] == edge[-2][0]:
            lv, _, right = edge.pop()
            _, ix, left = edge.pop()
            parent = (lv + 1, ix >> 1, node_hash(left, right))
            edge.append(parent)
            created.append(parent)
        self.size += 1
        return created

    def extend(self, leaves: Iterable[bytes]) -> list[tuple[int, int, bytes]]:
        """Add leaf hashes in order; return every node created."""
        out: list[tuple[int, int, bytes]] = []
        for leaf in leaves:
            out.extend(self.append(leaf))
        return out

    def extend_stored(self, data: Iterable[bytes]) -> tuple[list[bytes], list[tuple[int, bytes]]]:
        """Add entries (their data; the leaf hashes made here) in order, the way a store of
        every interior node needs them: their leaf hashes and the new interior nodes as
        ``(node_position, hash)``. The same nodes as :meth:`extend`, in one loop."""
        sha256 = hashlib.sha256
        edge, size = self.edge, self.size
        leaves: list[bytes] = []
        nodes: list[tuple[int, bytes]] = []
        for d in data:
            h = sha256(b"\x00" + d).digest()
            leaves.append(h)
            level, index = 0, size
            while edge and edge[-1][0] == level:
                _, left_index, left = edge.pop()
                h = sha256(b"\x01" + left + h).digest()
                level, index = level + 1, left_index >> 1
                nodes.append(((index << (level + 1)) + (1 << level) - 1, h))
            edge.append((level, index, h))
            size += 1
        self.size = size
        return leaves, nodes

    def root(self) -> bytes:
        """MTH of the leaves so far (the empty-tree hash when there are none)."""
        return fold_right([h for _, _, h in self.edge])


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, computed directly from the RFC 9162 §2.1.1 definition."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))
