"""RFC 6962 / 9162 hashing and proofs against published vectors and exhaustive checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    node_position,
    root_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger.conftest import TLOG

# The 8 leaves and the roots of their prefixes used by the RFC 6962 reference implementation's
# tests (certificate-transparency merkle_tree_test, also transparency-dev/merkle testonly).
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _load(name: str) -> list[dict[str, Any]]:
    path = TLOG / name
    data: list[dict[str, Any]] = json.loads(path.read_text())
    return data


def _h(values: list[str] | None) -> list[bytes]:
    return [bytes.fromhex(v) for v in values or []]


def test_empty_tree_and_leaf_hash_of_empty_string() -> None:
    """RFC 6962 §2.1: MTH({}) = SHA-256(), MTH({""}) = SHA-256(0x00)."""
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == RFC6962_ROOTS[0]


def test_rfc6962_roots_of_every_prefix() -> None:
    leaves = [leaf_hash(d) for d in RFC6962_LEAVES]
    cr = CompactRange()
    for n in range(1, 9):
        cr.append(leaves[n - 1])
        assert tree_root(leaves[:n]).hex() == RFC6962_ROOTS[n - 1]
        assert cr.root().hex() == RFC6962_ROOTS[n - 1]


def test_transparency_dev_inclusion_corpus() -> None:
    cases = _load("transparency-dev-merkle-inclusion-hex.json")
    assert len(cases) == 98
    for case in cases:
        args = (
            bytes.fromhex(case["leafHash"]),
            case["leafIdx"],
            case["treeSize"],
            _h(case["proof"]),
            bytes.fromhex(case["root"]),
        )
        if case["wantErr"]:
            with pytest.raises(ProofError):
                verify_inclusion(*args)
        else:
            verify_inclusion(*args)


def test_transparency_dev_consistency_corpus() -> None:
    cases = _load("transparency-dev-merkle-consistency-hex.json")
    assert len(cases) == 98
    for case in cases:
        args = (
            case["size1"],
            case["size2"],
            _h(case["proof"]),
            bytes.fromhex(case["root1"]),
            bytes.fromhex(case["root2"]),
        )
        if case["wantErr"]:
            with pytest.raises(ProofError):
                verify_consistency(*args)
        else:
            verify_consistency(*args)


def test_our_proofs_equal_the_corpus_happy_paths() -> None:
    """Proofs we generate for the 8-leaf reference tree are the published ones, byte for byte."""
    leaves = [leaf_hash(d) for d in RFC6962_LEAVES]
    store = _store(leaves)
    for case in _load("transparency-dev-merkle-inclusion-hex.json"):
        if (
            not case["wantErr"]
            and case["treeSize"] <= 8
            and case["leafHash"] in {h.hex() for h in leaves}
        ):
            got = inclusion_proof(case["leafIdx"], case["treeSize"], store)
            assert [g.hex() for g in got] == (case["proof"] or [])
    for case in _load("transparency-dev-merkle-consistency-hex.json"):
        if not case["wantErr"] and case["size2"] <= 8 and case["size1"] >= 1:
            if case["root2"] != RFC6962_ROOTS[case["size2"] - 1]:
                continue
            got = consistency_proof(case["size1"], case["size2"], store)
            assert [g.hex() for g in got] == (case["proof"] or [])


def _store(leaves: list[bytes]) -> Any:
    nodes: dict[tuple[int, int], bytes] = {}
    cr = CompactRange()
    for leaf in leaves:
        for level, index, h in cr.append(leaf):
            nodes[(level, index)] = h
    return lambda ids: [nodes[i] for i in ids]


def test_every_proof_between_every_pair_of_sizes_up_to_48() -> None:
    """Exhaustive: inclusion of every leaf in every tree size, consistency of every size pair;
    the roots are recomputed independently from the RFC 9162 recursive definition."""
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(48)]
    fetch = _store(leaves)
    roots = [EMPTY_ROOT] + [tree_root(leaves[:n]) for n in range(1, 49)]
    for n in range(1, 49):
        assert root_hash(n, fetch) == roots[n]
        for m in range(n):
            verify_inclusion(leaves[m], m, n, inclusion_proof(m, n, fetch), roots[n])
        for old in range(1, n + 1):
            verify_consistency(old, n, consistency_proof(old, n, fetch), roots[old], roots[n])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_proofs_hold_and_any_changed_byte_is_detected(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 3000), label="size")
    old = data.draw(st.integers(1, n - 1), label="old")
    m = data.draw(st.integers(0, n - 1), label="index")
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    fetch = _store(leaves)
    root, old_root = tree_root(leaves), tree_root(leaves[:old])
    proof = inclusion_proof(m, n, fetch)
    verify_inclusion(leaves[m], m, n, proof, root)
    cproof = consistency_proof(old, n, fetch)
    verify_consistency(old, n, cproof, old_root, root)

    # flip one bit of one byte somewhere: in the proof, the leaf or the root
    flat = [leaves[m], root, *proof]
    which = data.draw(st.integers(0, len(flat) - 1), label="which")
    pos = data.draw(st.integers(0, 31), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    changed = bytearray(flat[which])
    changed[pos] ^= 1 << bit
    flat[which] = bytes(changed)
    with pytest.raises(ProofError):
        verify_inclusion(flat[0], m, n, flat[2:], flat[1])
    if cproof:
        k = data.draw(st.integers(0, len(cproof) - 1), label="cons")
        bad = list(cproof)
        bad[k] = node_hash(bad[k], bad[k])
        with pytest.raises(ProofError):
            verify_consistency(old, n, bad, old_root, root)
    with pytest.raises(ProofError):
        verify_consistency(old, n, cproof, old_root, tree_root(leaves[: n - 1]))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.lists(st.integers(1, 20), min_size=1, max_size=5))
def test_extend_stored_makes_the_nodes_of_append_one_by_one(start: int, steps: list[int]) -> None:
    """The store's one-loop extension (leaf hashes and interior nodes by position) from any
    starting size yields exactly what appending leaf by leaf does, and the same roots."""
    data = [f"entry {n}".encode() for n in range(start + sum(steps))]
    one = CompactRange()
    one.extend(leaf_hash(d) for d in data[:start])
    many = CompactRange(size=one.size, edge=list(one.edge))
    at = start
    for step in steps:
        chunk = data[at : at + step]
        leaves, nodes = many.extend_stored(chunk)
        expect = [n for lh in map(leaf_hash, chunk) for n in one.append(lh)]
        assert leaves == [h for lv, _, h in expect if lv == 0]
        assert nodes == [(node_position(lv, ix), h) for lv, ix, h in expect if lv > 0]
        assert (many.size, many.edge, many.root()) == (one.size, one.edge, one.root())
        at += step
    assert many.root() == tree_root([leaf_hash(d) for d in data])
