"""History: an append refuses to sign a tree that is not the one the log signed before.

The attacker here can write the database but does not hold the log key: they delete or insert
records and rebuild every tree node and the head so that the tree is self-consistent. Before
issue 11 the next legitimate append signed the rewritten tree and `verify` passed from then on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvid.errors import CheckFailed, InputError
from cvid.ledger import Ledger, PartyKey, parse_checkpoint, sign_record, verify_bundle
from cvid.ledger.merkle import CompactRange, leaf_hash, node_position
from tests.ledger.conftest import as_bytes, raw_sql
from tests.ledger.samples import sample_record

N = 20
INSERT = "INSERT INTO ledger_entries (idx, leaf_hash, kind, signer, data) VALUES (?, ?, ?, ?, ?)"


@pytest.fixture
def filled(ledger: Ledger, keys: dict[str, PartyKey], db_url: str) -> tuple[Ledger, str]:
    ledger.append(
        [sample_record("finding", n) for n in range(N)], keys["inspectorate"], batch_size=8
    )
    assert ledger.audit().ok
    return ledger, db_url


def _rebuild(url: str) -> None:
    """What an attacker with write access does after editing records: recompute every leaf
    hash, interior node and the head from the stored records, so the tree is self-consistent
    (only the checkpoints, which need the log key, still say otherwise)."""
    rows = raw_sql(url, "SELECT idx, data FROM ledger_entries ORDER BY idx")
    raw_sql(url, "DELETE FROM ledger_nodes")
    raw_sql(url, "DELETE FROM ledger_entries")
    cr = CompactRange()
    for new_idx, (_, data) in enumerate(rows):
        blob = as_bytes(data)
        lh = leaf_hash(blob)
        rec = json.loads(blob)
        raw_sql(
            url,
            INSERT,
            new_idx,
            lh,
            rec["kind"],
            rec["signer"]["name"],
            blob,
        )
        for level, index, h in cr.append(lh)[1:]:
            raw_sql(
                url,
                "INSERT INTO ledger_nodes (pos, hash) VALUES (?, ?)",
                node_position(level, index),
                h,
            )
    raw_sql(
        url, "UPDATE ledger_head SET tree_size = ?, root_hash = ? WHERE id = 1", cr.size, cr.root()
    )


def _append_refused(led: Ledger, key: PartyKey, match: str) -> None:
    size = led.size
    with pytest.raises(CheckFailed, match=match):
        led.append(sample_record("finding", 999), key)
    assert led.size == size  # nothing written


def test_deleted_record_and_rebuilt_tree_is_refused_at_the_next_append(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    led, url = filled
    raw_sql(url, "DELETE FROM ledger_entries WHERE idx = 7")
    _rebuild(url)
    with Ledger.open(url, log_key=tmp_path / "log.key") as fresh:  # a new process, no memory
        _append_refused(fresh, keys["inspectorate"], "records were removed behind the log")
    _append_refused(led, keys["inspectorate"], "removed")
    report = led.audit()
    assert not report.ok
    # verify keeps failing, and so does an exported bundle checked against a kept checkpoint
    out = led.export(tmp_path / "bundle")
    kept = [n for s, n in led.checkpoints() if s == 16]
    assert not verify_bundle(out, known_checkpoints=kept).ok


def test_inserted_record_and_rebuilt_tree_is_refused(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    """An extra record, validly signed by a party (e.g. replayed from elsewhere), spliced in at
    index 3, the tree rebuilt and the head moved: the next append names the divergence."""
    led, url = filled
    [(data,)] = raw_sql(url, "SELECT data FROM ledger_entries WHERE idx = 3")
    rows = raw_sql(url, "SELECT idx, data FROM ledger_entries ORDER BY idx DESC")
    for idx, _ in rows:  # shift records 3.. up by one (highest first), then duplicate 3
        if int(idx) >= 3:  # type: ignore[call-overload]
            raw_sql(url, "UPDATE ledger_entries SET idx = ? WHERE idx = ?", int(idx) + 1, idx)  # type: ignore[call-overload]
    raw_sql(
        url,
        INSERT,
        3,
        leaf_hash(as_bytes(data)),
        "finding",
        "iaea",
        data,
    )
    _rebuild(url)
    _append_refused(led, keys["inspectorate"], "records were added behind the log")
    assert not led.audit().ok


def test_rewritten_record_with_the_same_count_is_refused(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    _, url = filled
    raw_sql(url, "DELETE FROM ledger_entries WHERE idx = 19")
    [(data,)] = raw_sql(url, "SELECT data FROM ledger_entries WHERE idx = 0")
    raw_sql(
        url,
        INSERT,
        19,
        leaf_hash(as_bytes(data)),
        "finding",
        "iaea",
        data,
    )
    _rebuild(url)
    with Ledger.open(url, log_key=tmp_path / "log.key") as fresh:
        _append_refused(fresh, keys["inspectorate"], "the records were rewritten")


def test_deleted_checkpoint_row_is_refused_and_reported(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    led, url = filled
    raw_sql(url, "DELETE FROM ledger_checkpoints WHERE tree_size = 8")
    with Ledger.open(url, log_key=tmp_path / "log.key") as fresh:
        _append_refused(fresh, keys["inspectorate"], "rows were deleted")
    report = led.audit()
    assert not report.ok
    assert any("checkpoint rows were deleted" in p.what for p in report.problems)


def test_deleting_the_checkpoint_before_the_latest_is_named(
    ledger: Ledger, keys: dict[str, PartyKey], db_url: str
) -> None:
    for n in range(3):
        ledger.append(sample_record("finding", n), keys["inspectorate"])
    raw_sql(db_url, "DELETE FROM ledger_checkpoints WHERE tree_size = 2")
    _append_refused(ledger, keys["inspectorate"], r"signed checkpoints 2-2 .* are missing")


def test_rollback_to_an_older_state_is_refused_never_a_second_root(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    """The attacker truncates the log back to a signed checkpoint (size 16): the database is
    self-consistent again, but the signer remembers it signed size 20. Appending would sign a
    second, different checkpoint of some size between; the log refuses."""
    led, url = filled
    before = {s: parse_checkpoint(n[: n.rfind("\n\n") + 1]).root_hash for s, n in led.checkpoints()}
    raw_sql(url, "DELETE FROM ledger_entries WHERE idx >= 16")
    raw_sql(url, "DELETE FROM ledger_checkpoints WHERE tree_size > 16")
    _rebuild(url)
    with Ledger.open(url, log_key=tmp_path / "log.key") as fresh:
        _append_refused(fresh, keys["inspectorate"], "rolled back or restored")
        for n in range(4):  # try hard to make it sign size 17..20 again
            with pytest.raises(CheckFailed):
                fresh.append(sample_record("finding", 500 + n), keys["inspectorate"])
        after = {
            s: parse_checkpoint(n[: n.rfind("\n\n") + 1]).root_hash for s, n in fresh.checkpoints()
        }
    assert all(before[s] == r for s, r in after.items())


def test_a_checkpoint_note_forged_without_the_key_is_refused(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey]
) -> None:
    led, url = filled
    raw_sql(
        url,
        "UPDATE ledger_checkpoints SET note = ? WHERE tree_size = 20",
        "x\n20\nAAAA\n\n— x AAAA\n",
    )
    _append_refused(led, keys["inspectorate"], "not signed by this log")


def test_known_checkpoints_are_checked_on_a_database(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    led, url = filled
    kept = dict(led.checkpoints())
    assert led.audit(known_checkpoints=[kept[8], kept[16]]).ok
    with pytest.raises(InputError, match="known checkpoint 1"):
        led.audit(known_checkpoints=["not a note\n"])
    # a fork signed by the same key (an operator who deleted the signer's record) contradicts
    # a kept checkpoint of the real log
    other = tmp_path / "other.db"
    with Ledger.create(other, log_key_path=tmp_path / "other.key") as o:
        o.register(keys["inspectorate"].public)
        o.append([sample_record("finding", 1000 + n) for n in range(8)], keys["inspectorate"])
        foreign = o.checkpoint()
    with pytest.raises(InputError, match="does not verify with this log's key"):
        led.audit(known_checkpoints=[foreign])
    # the tree rewritten behind the log's back: a kept checkpoint names it
    raw_sql(url, "DELETE FROM ledger_entries WHERE idx = 2")
    _rebuild(url)
    report = led.audit(known_checkpoints=[kept[8]])
    assert "known checkpoint 1 (size 8)" in [p.where for p in report.problems]


def test_signer_record_survives_a_write_cut_short_and_reads_the_older_format(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    """The signer's record (``<log key>.signed``) is two slots written in place by turns: a
    write cut short (here: the newest slot overwritten with junk) leaves the other slot, an
    older lower bound; the one-document format of earlier versions is still read, and the
    next append rewrites it as slots."""
    led, _ = filled
    path = led.signed_state_path
    assert path is not None and path.stat().st_size == 2 * 4096
    state = led._read_signed_state()
    assert state is not None and state[1] == N  # batches of 8: sizes 8, 16, 20
    data = bytearray(path.read_bytes())
    newest = 0 if json.loads(bytes(data[:4096]).split(b"\n")[0])["tree_size"] == N else 1
    data[newest * 4096 + 10 : newest * 4096 + 60] = b"x" * 50
    path.write_bytes(bytes(data))
    older = led._read_signed_state()
    assert older is not None and older[1] == 16
    led.append(sample_record("finding", 700), keys["inspectorate"])
    after = led._read_signed_state()
    assert after is not None and after[1] == N + 1
    # the format of earlier versions: one JSON document
    body = {"origin": led.origin, "seq": after[0], "tree_size": N + 1, "root_hash": after[2].hex()}
    path.write_text(json.dumps(body) + "\n", encoding="utf-8")
    assert led._read_signed_state() == after
    led.append(sample_record("finding", 701), keys["inspectorate"])
    assert path.stat().st_size == 2 * 4096
    last = led._read_signed_state()
    assert last is not None and last[1] == N + 2
    path.write_bytes(b"not a record")
    with pytest.raises(InputError, match="unreadable"):
        led._read_signed_state()


def test_a_signer_row_changed_after_the_check_is_refused_at_the_append(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey]
) -> None:
    """Submitted records are checked against the parties the handle read last; the append's
    write transaction then confirms that each signer's stored key and role are still those,
    so a parties table changed behind the handle's back is not signed over."""
    led, url = filled
    key = keys["inspectorate"]
    led.submit(sign_record(sample_record("finding", 800), key))  # the parties are read here
    size = led.size
    raw_sql(url, "UPDATE ledger_parties SET public_key = ? WHERE name = ?", bytes(32), key.name)
    with pytest.raises(CheckFailed, match="no longer registered with the key and role"):
        led.submit(sign_record(sample_record("finding", 801), key))
    assert led.size == size
    with pytest.raises(InputError, match="key is not the registered one"):  # read again
        led.submit(sign_record(sample_record("finding", 802), key))
    assert led.size == size


def test_handles_of_one_process_take_turns_and_still_catch_a_rewrite(
    filled: tuple[Ledger, str], keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    """The service's ledger threads each hold a handle and take turns appending: they share
    the checkpoint signed last, so each append starts from it, and a tree rewritten behind
    their back between two appends is still refused by the next one, whichever handle."""
    led, url = filled
    key = keys["inspectorate"]
    with Ledger.open(url, log_key=tmp_path / "log.key") as other:
        assert other._state is led._state
        for n in range(4):
            (led if n % 2 else other).append(sample_record("finding", 900 + n), key)
        assert led._state.signed is not None and led._state.signed.size == led.size == N + 4
        assert led.audit().ok
        raw_sql(url, "DELETE FROM ledger_entries WHERE idx = 3")
        _rebuild(url)
        _append_refused(other, key, "signed checkpoint")
        _append_refused(led, key, "signed checkpoint")
