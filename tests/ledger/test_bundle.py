"""Export bundles verified offline, including a fork caught by a checkpoint kept earlier."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cvid.errors import CheckFailed, InputError
from cvid.ledger import Ledger, PartyKey, generate_party_key, verify_bundle
from cvid.ledger.note import verifier_key
from tests.ledger.samples import sample_record


def test_bundle_round_trip_and_tampering(
    ledger: Ledger, keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    ledger.append(
        [sample_record("removal", n) for n in range(30)], keys["inspectorate"], batch_size=8
    )
    kept = ledger.checkpoints()[2][1]  # the checkpoint at size 16, kept by the other party
    out = ledger.export(tmp_path / "bundle")
    report = verify_bundle(out, trusted_key=ledger.verifier_key, known_checkpoints=[kept])
    assert report.ok, report.problems
    assert (report.records, report.signatures, report.tree_size) == (30, 30, 30)
    assert report.root_hash == ledger.root_hash()
    assert report.checkpoints == 2
    with pytest.raises(InputError, match="already exists"):
        ledger.export(tmp_path / "bundle")

    # a verifier who pinned another log key refuses the checkpoint
    other = generate_party_key("x", "admin").public.public_key
    report = verify_bundle(out, trusted_key=verifier_key("test.cvid/ledger", other))
    assert [p.where for p in report.problems] == ["checkpoint"]

    # a dropped record
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    lines = (broken / "records.jsonl").read_bytes().splitlines(keepends=True)
    (broken / "records.jsonl").write_bytes(b"".join(lines[:12] + lines[13:]))
    report = verify_bundle(broken)
    assert not report.ok
    assert report.problems[0].where == "checkpoint"
    assert "is for 30 records, the bundle has 29" in report.problems[0].what

    # a party key swapped in parties.json
    shutil.rmtree(broken)
    shutil.copytree(out, broken)
    parties = json.loads((broken / "parties.json").read_text())
    for p in parties:
        if p["party"] == "iaea":
            p["public_key"] = generate_party_key("iaea", "inspectorate").public.public_key_b64
    (broken / "parties.json").write_text(json.dumps(parties))
    report = verify_bundle(broken)
    assert report.problems[0].where == "record 0 (records.jsonl line 1)"


def test_a_forked_history_is_caught_by_a_kept_checkpoint(
    tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    """Even an operator holding the log key cannot show a party a history that contradicts a
    checkpoint the party kept: the fork's records do not reproduce the kept root."""
    db_url = str(tmp_path / "main.db")  # the fork is made by copying the SQLite file
    log_key = tmp_path / "log.key"
    with Ledger.create(db_url, log_key_path=log_key) as led:
        led.register(keys["inspectorate"].public)
    fork = tmp_path / "fork.db"
    shutil.copy(db_url, fork)
    with Ledger.open(db_url, log_key=log_key) as led:
        led.append([sample_record("finding", n) for n in range(10)], keys["inspectorate"])
        kept = led.checkpoint()
    # An honest signer refuses to fork (it remembers what it signed, beside its key); a
    # dishonest operator deletes that record first.
    with Ledger.open(fork, log_key=log_key) as led, pytest.raises(CheckFailed, match="rolled back"):
        led.append([sample_record("finding", 0)], keys["inspectorate"])
    (tmp_path / "log.key.signed").unlink()
    with Ledger.open(fork, log_key=log_key) as led:
        records = [sample_record("finding", n) for n in range(12)]
        records[5] = sample_record("finding", 500)
        led.append(records, keys["inspectorate"])
        bundle = led.export(tmp_path / "fork-bundle")
        vkey = led.verifier_key
    assert verify_bundle(bundle, trusted_key=vkey).ok  # self-consistent on its own...
    report = verify_bundle(bundle, trusted_key=vkey, known_checkpoints=[kept])
    assert [p.where for p in report.problems] == ["known checkpoint 1 (size 10)"]
    assert "history was rewritten" in report.problems[0].what
