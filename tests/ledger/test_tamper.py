"""Tampering with the database behind the ledger's back: the audit must name the place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvid.ledger import Ledger, PartyKey, sign_record
from cvid.ledger.merkle import CompactRange, leaf_hash, node_position
from tests.ledger.conftest import as_bytes, raw_sql
from tests.ledger.samples import sample_record

N = 40


@pytest.fixture
def filled(ledger: Ledger, keys: dict[str, PartyKey], db_url: str) -> tuple[Ledger, str]:
    ledger.append(
        [sample_record("finding", n) for n in range(N)], keys["inspectorate"], batch_size=16
    )
    assert ledger.audit().ok
    return ledger, db_url


def _first(ledger: Ledger) -> str:
    report = ledger.audit()
    assert not report.ok
    return str(report.problems[0])


def test_edited_record_is_named(filled: tuple[Ledger, str]) -> None:
    ledger, url = filled
    [(data,)] = raw_sql(url, "SELECT data FROM ledger_entries WHERE idx = 17")
    record = json.loads(as_bytes(data))
    record["payload"]["measured_quantity"] = 37.5
    raw_sql(url, "UPDATE ledger_entries SET data = ? WHERE idx = 17", json.dumps(record).encode())
    assert _first(ledger).startswith("record 17: data does not match its stored leaf hash")


def test_edited_leaf_hash_is_named(filled: tuple[Ledger, str]) -> None:
    ledger, url = filled
    raw_sql(url, "UPDATE ledger_entries SET leaf_hash = ? WHERE idx = 5", bytes(32))
    assert _first(ledger) == "record 5: data does not match its stored leaf hash"


def test_edited_interior_node_is_named(filled: tuple[Ledger, str]) -> None:
    ledger, url = filled
    raw_sql(url, "UPDATE ledger_nodes SET hash = ? WHERE pos = ?", bytes(32), node_position(2, 3))
    assert _first(ledger).startswith("tree node level 2 index 3 (records 12-15): stored hash")


def test_deleted_record_row_is_named(filled: tuple[Ledger, str]) -> None:
    ledger, url = filled
    raw_sql(url, "DELETE FROM ledger_entries WHERE idx = 23")
    assert _first(ledger).startswith("record 23: missing")


def test_deleted_node_row_is_named(filled: tuple[Ledger, str]) -> None:
    ledger, url = filled
    raw_sql(url, "DELETE FROM ledger_nodes WHERE pos = ?", node_position(3, 1))
    assert _first(ledger) == "tree node level 3 index 1 (records 8-15): missing from the database"


def test_changed_party_key_breaks_every_signature(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey]
) -> None:
    ledger, url = filled
    raw_sql(url, "UPDATE ledger_parties SET public_key = ? WHERE name = 'iaea'", bytes(32))
    assert _first(ledger).startswith("record 0: signer: signer 'iaea' key is not")


def test_edited_checkpoint_note_is_named(filled: tuple[Ledger, str]) -> None:
    ledger, url = filled
    [(note,)] = raw_sql(url, "SELECT note FROM ledger_checkpoints WHERE tree_size = 16")
    raw_sql(
        url,
        "UPDATE ledger_checkpoints SET note = ? WHERE tree_size = 16",
        str(note).replace("\n16\n", "\n15\n"),
    )
    assert _first(ledger).startswith("checkpoint at size 16: signed note does not verify")


def test_consistent_rewrite_without_the_log_key_is_caught_by_checkpoints(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey]
) -> None:
    """An operator who replaces record 9 by another validly signed record and recomputes
    every hash and the head cannot re-sign the checkpoints: those name the rewrite."""
    ledger, url = filled
    other = sign_record(sample_record("finding", 999), keys["inspectorate"])
    from cvid.ledger.records import record_bytes

    data = record_bytes(other)
    raw_sql(
        url,
        "UPDATE ledger_entries SET data = ?, leaf_hash = ? WHERE idx = 9",
        data,
        leaf_hash(data),
    )
    rows = raw_sql(url, "SELECT leaf_hash FROM ledger_entries ORDER BY idx")
    cr = CompactRange()
    for (lh,) in rows:
        for level, index, h in cr.append(as_bytes(lh))[1:]:
            raw_sql(
                url,
                "UPDATE ledger_nodes SET hash = ? WHERE pos = ?",
                h,
                node_position(level, index),
            )
    raw_sql(url, "UPDATE ledger_head SET root_hash = ?", cr.root())
    report = ledger.audit()
    assert not report.ok
    assert [p.where for p in report.problems] == [
        "checkpoint at size 16",
        "checkpoint at size 32",
        "checkpoint at size 40",
    ]
    assert "rewritten" in report.problems[0].what


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_any_single_changed_byte_in_the_database_is_detected(
    tmp_path: Path, keys: dict[str, PartyKey], data: st.DataObject
) -> None:
    """Flip one bit of one byte of a stored record, leaf hash, node hash or checkpoint."""
    base = tmp_path / "base.db"
    if not base.exists():
        with Ledger.create(base, log_key_path=tmp_path / "base.key") as led:
            led.register(keys["inspectorate"].public)
            led.append(
                [sample_record("seal-check", n) for n in range(20)],
                keys["inspectorate"],
                batch_size=7,
            )
    work = tmp_path / "work.db"
    shutil.copy(base, work)
    target = data.draw(
        st.sampled_from(
            [
                ("ledger_entries", "data", "idx"),
                ("ledger_entries", "leaf_hash", "idx"),
                ("ledger_nodes", "hash", "pos"),
                ("ledger_checkpoints", "note", "tree_size"),
            ]
        )
    )
    table, column, key = target
    keys_ = [k for (k,) in raw_sql(str(work), f"SELECT {key} FROM {table} ORDER BY {key}")]
    row = data.draw(st.sampled_from(keys_))
    [(value,)] = raw_sql(str(work), f"SELECT {column} FROM {table} WHERE {key} = ?", row)
    raw = bytearray(value.encode() if isinstance(value, str) else as_bytes(value))
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] ^= 1 << data.draw(st.integers(0, 6))
    new: object = bytes(raw)
    if isinstance(value, str):
        new = bytes(raw).decode("utf-8", errors="replace")
    raw_sql(str(work), f"UPDATE {table} SET {column} = ? WHERE {key} = ?", new, row)
    with Ledger.open(work, log_key=tmp_path / "base.key") as led:
        report = led.audit()
    assert not report.ok
