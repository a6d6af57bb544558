"""The ledger on SQLite and PostgreSQL: appending, reading, proofs, checkpoints, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvid.errors import InputError
from cvid.ledger import (
    Ledger,
    PartyKey,
    ProofError,
    generate_party_key,
    sign_record,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from cvid.ledger.merkle import tree_root
from tests.ledger.samples import SIGNER_ROLE, sample_record


def test_append_and_read_back_every_kind(ledger: Ledger, keys: dict[str, PartyKey]) -> None:
    indices = []
    for n, kind in enumerate(sorted(SIGNER_ROLE)):
        indices += ledger.append(sample_record(kind, n), keys[SIGNER_ROLE[kind]])
    assert indices == list(range(14))
    assert ledger.size == 14
    entries = list(ledger.records())
    assert [e.index for e in entries] == indices
    for n, (entry, kind) in enumerate(zip(entries, sorted(SIGNER_ROLE), strict=True)):
        assert entry.verified
        assert entry.kind == kind
        assert entry.role == SIGNER_ROLE[kind]
        assert entry.signer == keys[SIGNER_ROLE[kind]].name
        assert entry.payload == sample_record(kind, n)["payload"]
        assert entry.refs == {"commitments": ["c-declare"], "items": ["yongbyon-5mwe"]}
        assert entry.time.tzinfo is not None
    got = ledger.get(5)
    assert got.record == entries[5].record
    # the root is the RFC 9162 root of the leaf hashes, computed independently
    assert ledger.root_hash() == tree_root([e.leaf_hash for e in entries])
    assert ledger.audit().ok


def test_batches_sign_one_checkpoint_each(ledger: Ledger, keys: dict[str, PartyKey]) -> None:
    acked: list[list[int]] = []
    records = [sample_record("seal-check", n) for n in range(25)]
    ledger.append(records, keys["inspectorate"], batch_size=10, on_commit=acked.append)
    assert acked == [list(range(10)), list(range(10, 20)), list(range(20, 25))]
    sizes = [size for size, _ in ledger.checkpoints()]
    assert sizes == [0, 10, 20, 25]
    cp = verify_checkpoint(ledger.checkpoint(), ledger.verifier_key, origin="test.cvid/ledger")
    assert cp.size == 25
    assert cp.root_hash == ledger.root_hash()


def test_proofs_verify_offline_for_every_size(ledger: Ledger, keys: dict[str, PartyKey]) -> None:
    ledger.append([sample_record("observation", n) for n in range(21)], keys["observer"])
    roots = {n: ledger.root_hash(n) for n in range(1, 22)}
    for size in range(1, 22):
        for index in range(size):
            p = ledger.inclusion_proof(index, size)
            assert p.root_hash == roots[size]
            verify_inclusion(p.leaf_hash, index, size, list(p.proof), p.root_hash)
        for old in range(1, size + 1):
            c = ledger.consistency_proof(old, size)
            assert (c.old_root, c.new_root) == (roots[old], roots[size])
            verify_consistency(old, size, list(c.proof), c.old_root, c.new_root)
    p = ledger.inclusion_proof(3)
    with pytest.raises(ProofError):
        verify_inclusion(p.leaf_hash, 4, p.tree_size, list(p.proof), p.root_hash)


def test_checkpoints_are_consistent_with_the_current_tree(
    ledger: Ledger, keys: dict[str, PartyKey]
) -> None:
    for n in range(4):
        ledger.append(
            [sample_record("inspection", 10 * n + i) for i in range(n + 3)], keys["inspectorate"]
        )
    head = verify_checkpoint(ledger.checkpoint(), ledger.verifier_key)
    for size, note in ledger.checkpoints()[1:]:
        old = verify_checkpoint(note, ledger.verifier_key)
        assert old.size == size
        proof = ledger.consistency_proof(size, head.size)
        verify_consistency(size, head.size, list(proof.proof), old.root_hash, head.root_hash)


def test_submit_presigned_records(ledger: Ledger, keys: dict[str, PartyKey]) -> None:
    signed = [sign_record(sample_record("declaration", n), keys["state"]) for n in range(5)]
    assert ledger.submit(signed) == [0, 1, 2, 3, 4]
    assert ledger.get(2).record == signed[2]


def _unchanged(ledger: Ledger, size: int, note: str) -> None:
    assert ledger.size == size
    assert ledger.checkpoint() == note


def test_bad_records_are_refused_and_the_log_is_unchanged(
    ledger: Ledger, keys: dict[str, PartyKey]
) -> None:
    ledger.append(sample_record("inspection"), keys["inspectorate"])
    note = ledger.checkpoint()
    bad = sample_record("inspection", 2)
    bad["payload"] = {**bad["payload"], "colour": "red"}
    with pytest.raises(InputError, match=r"payload\.colour"):
        ledger.append([sample_record("inspection", 1), bad], keys["inspectorate"])
    _unchanged(ledger, 1, note)
    # the inspected state cannot file an inspection finding
    with pytest.raises(InputError, match="may not sign 'finding'"):
        ledger.append(sample_record("finding"), keys["state"])
    _unchanged(ledger, 1, note)
    # an unregistered key, even with a registered name
    impostor = generate_party_key("iaea", "inspectorate")
    with pytest.raises(InputError, match="not registered"):
        ledger.append(sample_record("finding"), impostor)
    with pytest.raises(InputError, match="not the registered one"):
        ledger.submit(sign_record(sample_record("finding"), impostor))
    # a bad signature
    signed = sign_record(sample_record("finding"), keys["inspectorate"])
    signed["payload"] = {**signed["payload"], "description": "Nothing to see."}
    with pytest.raises(InputError, match="does not verify"):
        ledger.submit([sign_record(sample_record("finding", 1), keys["inspectorate"]), signed])
    _unchanged(ledger, 1, note)


def test_proof_requests_beyond_the_tree_are_refused(
    ledger: Ledger, keys: dict[str, PartyKey]
) -> None:
    ledger.append([sample_record("seal-check", n) for n in range(3)], keys["inspectorate"])
    with pytest.raises(InputError, match="beyond the log"):
        ledger.inclusion_proof(0, 4)
    with pytest.raises(InputError, match="not in a tree of 3"):
        ledger.inclusion_proof(3)
    with pytest.raises(InputError, match="beyond the log"):
        ledger.consistency_proof(1, 9)
    with pytest.raises(InputError, match="between 1 and"):
        ledger.consistency_proof(0, 2)
    with pytest.raises(InputError, match="at least 1"):
        ledger.inclusion_proof(0, 0)
    with pytest.raises(InputError, match="no record 7"):
        ledger.get(7)


def test_register_is_idempotent_and_names_are_unique(
    ledger: Ledger, keys: dict[str, PartyKey]
) -> None:
    assert ledger.register(keys["state"].public) is False
    with pytest.raises(InputError, match="already registered"):
        ledger.register(generate_party_key("dprk", "state").public)
    with pytest.raises(InputError, match="already registered as party 'dprk'"):
        ledger.register(
            type(keys["state"].public)("other", "state", keys["state"].public.public_key)
        )
    assert set(ledger.parties()) == {"iaea", "dprk", "sweden", "un"}


def test_reopen_and_append_needs_the_log_key(
    db_url: str, tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    with Ledger.create(db_url, log_key_path=tmp_path / "log.key") as led:
        led.register(keys["inspectorate"].public)
        led.append(sample_record("inspection"), keys["inspectorate"])
    with pytest.raises(InputError, match=r"exists"):
        Ledger.create(db_url, log_key_path=tmp_path / "log.key")
    with Ledger.open(db_url, log_key=tmp_path / "log.key") as led:
        assert led.append(sample_record("inspection", 1), keys["inspectorate"]) == [1]
    if not db_url.startswith("postgresql"):
        (tmp_path / "log.key").rename(tmp_path / "elsewhere.key")
    with Ledger.open(db_url) as led:
        assert led.size == 2
        with pytest.raises(InputError, match="log's key"):
            led.append(sample_record("inspection", 2), keys["inspectorate"])
    other = tmp_path / "other.key"
    with Ledger.create(str(tmp_path / "other.db"), log_key_path=other):
        pass
    with pytest.raises(InputError, match="does not belong"):
        Ledger.open(db_url, log_key=other)


def test_foreign_truncated_and_missing_files_are_refused(
    tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    with pytest.raises(InputError, match="no ledger here"):
        Ledger.open(tmp_path / "missing.db")
    text = tmp_path / "notes.txt"
    text.write_text("these are not the records you are looking for\n" * 100)
    with pytest.raises(InputError, match="not a SQLite database"):
        Ledger.open(text)
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(InputError, match="not a cvid ledger"):
        Ledger.open(other)
    db = tmp_path / "real.db"
    with Ledger.create(db) as led:
        led.register(keys["inspectorate"].public)
        led.append([sample_record("inspection", n) for n in range(300)], keys["inspectorate"])
    data = db.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="damaged"):
        Ledger.open(cut)
    with pytest.raises(InputError, match="unreachable"):
        Ledger.open("postgresql://nobody@127.0.0.1:1/none")
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(InputError, match="folder does not exist"):
        Ledger.create(tmp_path / "no" / "such.db")
    with pytest.raises(InputError, match="folder does not exist"):
        Ledger.create(tmp_path / "fine.db", log_key_path=tmp_path / "no" / "log.key")
    assert not (tmp_path / "fine.db").exists()
    with pytest.raises(InputError, match="file path, sqlite"):
        Ledger.open("mysql://somewhere/db")
