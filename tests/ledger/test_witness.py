"""Witnesses: C2SP tlog-cosignature (cosignature/v1) lines, a witness that only cosigns a log
that grows consistently, a witness policy in `verify`, and a split view caught by comparing."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

from cvid.cli import app
from cvid.errors import CheckFailed
from cvid.ledger import Ledger, PartyKey, verify_bundle, write_private_key
from cvid.ledger.note import split_note, verifier_key
from cvid.ledger.witness import (
    Cosignature,
    WitnessState,
    compare_states,
    cosign_checkpoint,
    cosignatures_of,
    generate_witness_key,
    parse_witness_vkey,
)
from tests.ledger.samples import sample_record

runner = CliRunner()


def _cli(*args: str, code: int = 0) -> Any:
    r = runner.invoke(app, ["ledger", *args])
    assert r.exit_code == code, (r.stdout, r.stderr)
    if "--json" in args:
        return json.loads(r.stdout)
    return r


def test_cosignature_line_matches_the_c2sp_format(ledger: Ledger) -> None:
    """Independent computation from C2SP tlog-cosignature: key ID SHA-256(name ‖ 0x0A ‖ 0x04 ‖
    key)[:4]; blob = key ID ‖ u64 big-endian timestamp ‖ Ed25519 signature over
    "cosignature/v1\\ntime <t>\\n" followed by the checkpoint body."""
    w = generate_witness_key("witness.example.com/w1")
    note = ledger.checkpoint()
    cos = w.cosign(note, timestamp=1679315147)
    name, blob64 = cos.line.removeprefix("\u2014 ").split(" ")
    assert name == "witness.example.com/w1"
    blob = base64.b64decode(blob64)
    assert len(blob) == 76
    pub = w.public_key
    assert blob[:4] == hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    assert int.from_bytes(blob[4:12], "big") == 1679315147
    body = note[: note.rfind("\n\n") + 1]
    message = b"cosignature/v1\ntime 1679315147\n" + body.encode()
    Ed25519PublicKey.from_public_bytes(pub).verify(blob[12:], message)  # raises if wrong
    vname, vpub = parse_witness_vkey(w.vkey)
    assert (vname, vpub) == (name, pub)
    assert base64.b64decode(w.vkey.split("+", 2)[2])[0] == 0x04
    assert Cosignature.from_line(cos.line) == cos
    # the log's own signature line is not taken for a cosignature
    assert cosignatures_of(note) == []


def test_witness_cosigns_a_growing_log_and_the_ledger_serves_the_cosignatures(
    ledger: Ledger, keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    w = generate_witness_key("iaea.example/witness")
    state = WitnessState.create(tmp_path / "w.json", w)
    first = cosign_checkpoint(state, w, ledger.checkpoint(), log_vkey=ledger.verifier_key)
    assert first.old_size is None and first.checkpoint.size == 0
    ledger.append([sample_record("finding", n) for n in range(5)], keys["inspectorate"])
    ledger.add_cosignature(first.note, w.vkey)
    # from size 0 there is nothing to prove; from 5 on, a consistency proof is needed
    second = cosign_checkpoint(state, w, ledger.checkpoint(), log_vkey=ledger.verifier_key)
    ledger.add_cosignature(second.note, w.vkey)
    ledger.append([sample_record("finding", n) for n in range(5, 12)], keys["inspectorate"])
    note = ledger.checkpoint(cosigned=False)
    with pytest.raises(CheckFailed, match="no consistency proof"):
        cosign_checkpoint(state, w, note, log_vkey=ledger.verifier_key)
    proof = ledger.consistency_proof(5, 12).proof
    third = cosign_checkpoint(state, w, note, log_vkey=ledger.verifier_key, proof=proof)
    assert third.old_size == 5
    assert ledger.add_cosignature(third.note, w.vkey) == 12
    assert ledger.add_cosignature(third.note, w.vkey) == 12  # idempotent
    served = ledger.checkpoint()
    assert split_note(served)[1][-1] == third.cosignature.line
    assert [c["witness"] for c in ledger.cosignatures()] == ["iaea.example/witness"]
    assert ledger.witnessed_checkpoint() == served
    # reloaded from its file, the state remembers
    again = WitnessState.load(tmp_path / "w.json")
    assert again.logs[ledger.origin].size == 12
    assert sorted(again.logs[ledger.origin].history) == [0, 5, 12]


def test_witness_refuses_a_bad_proof_a_shrink_and_another_root(
    ledger: Ledger, keys: dict[str, PartyKey], tmp_path: Path
) -> None:
    w = generate_witness_key("w.example/1")
    state = WitnessState.create(tmp_path / "w.json", w)
    ledger.append([sample_record("finding", n) for n in range(6)], keys["inspectorate"])
    six = ledger.checkpoint()
    cosign_checkpoint(state, w, six, log_vkey=ledger.verifier_key)
    ledger.append([sample_record("finding", n) for n in range(6, 9)], keys["inspectorate"])
    nine = ledger.checkpoint()
    bad = [bytes(32)] * len(ledger.consistency_proof(6, 9).proof)
    with pytest.raises(CheckFailed, match="does not verify"):
        cosign_checkpoint(state, w, nine, log_vkey=ledger.verifier_key, proof=bad)
    good = ledger.consistency_proof(6, 9).proof
    cosign_checkpoint(state, w, nine, log_vkey=ledger.verifier_key, proof=good)
    with pytest.raises(CheckFailed, match="smaller than the size 9"):
        cosign_checkpoint(state, w, six, log_vkey=ledger.verifier_key)
    other = generate_witness_key("w.example/2")
    wrong = verifier_key(ledger.origin, other.public_key)
    with pytest.raises(CheckFailed, match="pinned the log key"):
        cosign_checkpoint(state, w, nine, log_vkey=wrong, proof=good)
    assert len(WitnessState.load(tmp_path / "w.json").logs[ledger.origin].refused) == 2


def _forked_log(tmp_path: Path, keys: dict[str, PartyKey]) -> tuple[Path, Path, Path]:
    """A log whose operator (holding the log key) keeps two versions: main and a fork from
    size 4 with record 5 replaced, both signed, both of size 8."""
    main, log_key = tmp_path / "main.db", tmp_path / "log.key"
    with Ledger.create(main, log_key_path=log_key, origin="example.org/log") as led:
        led.register(keys["inspectorate"].public)
        led.append([sample_record("finding", n) for n in range(4)], keys["inspectorate"])
    fork = tmp_path / "fork.db"
    shutil.copy(main, fork)
    with Ledger.open(main, log_key=log_key) as led:
        led.append([sample_record("finding", n) for n in range(4, 8)], keys["inspectorate"])
    (tmp_path / "log.key.signed").unlink()  # the dishonest operator erases its own record
    with Ledger.open(fork, log_key=log_key) as led:
        records = [sample_record("finding", n) for n in range(4, 8)]
        records[1] = sample_record("finding", 500)
        led.append(records, keys["inspectorate"])
    return main, fork, log_key


def test_split_view_is_detected_when_two_witnesses_compare(
    tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    main, fork, _ = _forked_log(tmp_path, keys)
    wa, wb = generate_witness_key("a.example/w"), generate_witness_key("b.example/w")
    sa = WitnessState.create(tmp_path / "a.json", wa)
    sb = WitnessState.create(tmp_path / "b.json", wb)
    with Ledger.open(main) as m, Ledger.open(fork) as f:
        vkey = m.verifier_key
        # both witnesses saw size 4 (the common past), then each is shown its own size 8
        four = dict(m.checkpoints())[4]
        cosign_checkpoint(sa, wa, four, log_vkey=vkey)
        cosign_checkpoint(sb, wb, four, log_vkey=vkey)
        cosign_checkpoint(sa, wa, m.checkpoint(), log_vkey=vkey, proof=m.consistency_proof(4).proof)
        cosign_checkpoint(sb, wb, f.checkpoint(), log_vkey=vkey, proof=f.consistency_proof(4).proof)
        main_root, fork_root = m.root_hash(), f.root_hash()
    assert main_root != fork_root  # each witness alone saw a consistent log
    [split] = compare_states(sa, sb)
    assert (split.origin, split.size) == ("example.org/log", 8)
    assert {split.root_a, split.root_b} == {main_root, fork_root}
    assert "split view of log example.org/log at tree size 8" in str(split)
    r = _cli("witness", "compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), code=1)
    assert "split view" in r.stdout
    out = _cli("witness", "compare", str(tmp_path / "a.json"), str(tmp_path / "a.json"), "--json")
    assert out == {"ok": True, "split_views": []}
    # and a witness shown the other branch afterwards refuses it, keeping the evidence
    with Ledger.open(fork) as f, pytest.raises(CheckFailed, match="already cosigned size 8"):
        cosign_checkpoint(sa, wa, f.checkpoint(), log_vkey=vkey)


def test_cli_witness_flow_and_verify_policy(
    tmp_path: Path, keys: dict[str, PartyKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, log_key = tmp_path / "e.db", tmp_path / "log.key"
    with Ledger.create(db, log_key_path=log_key) as led:
        led.register(keys["inspectorate"].public)
        led.append([sample_record("finding", n) for n in range(3)], keys["inspectorate"])
    ws = {}
    for w in ("a", "b", "c"):
        ws[w] = _cli(
            "witness", "init", "--name", f"{w}.example/witness",
            "--key", str(tmp_path / f"{w}.key"),
            "--state", str(tmp_path / f"{w}.json"), "--vkey-out", str(tmp_path / f"{w}.vkey"),
            "--json",
        )  # fmt: skip
    policy = ["--witness", str(tmp_path / "a.vkey"), "--witness", str(tmp_path / "b.vkey")]
    r = _cli("verify", str(db), *policy, "--quorum", "1", code=1)
    assert "no checkpoint is cosigned by 1 of the 2 given witnesses" in r.stdout
    out = _cli("witness", "cosign", "--key", str(tmp_path / "a.key"), "--state",
               str(tmp_path / "a.json"), "--ledger", str(db), "--json")  # fmt: skip
    assert out["tree_size"] == 3 and out["stored"] and out["old_size"] is None
    rep = _cli("verify", str(db), *policy, "--quorum", "1", "--json")
    assert rep["ok"] and rep["witnessed_size"] == 3 and rep["witness_quorum"] == "1 of 2"
    _cli("verify", str(db), *policy, code=1)  # default quorum: all of them
    with Ledger.open(db, log_key=log_key) as led:
        led.append([sample_record("finding", n) for n in range(3, 7)], keys["inspectorate"])
    _cli("witness", "cosign", "--key", str(tmp_path / "b.key"), "--state",
         str(tmp_path / "b.json"), "--ledger", str(db))  # fmt: skip
    out = _cli("witness", "cosign", "--key", str(tmp_path / "a.key"), "--state",
               str(tmp_path / "a.json"), "--ledger", str(db), "--json")  # fmt: skip
    assert out["old_size"] == 3 and out["tree_size"] == 7
    rep = _cli("verify", str(db), *policy, "--json")
    assert rep["witnessed_size"] == 7
    # bundles carry the cosignatures of their checkpoint
    _cli("export", str(db), str(tmp_path / "bundle"))
    assert verify_bundle(
        tmp_path / "bundle", witnesses=[ws["a"]["vkey"], ws["b"]["vkey"]], quorum=2
    ).ok
    rep = _cli("verify", "--bundle", str(tmp_path / "bundle"), *policy,
               "--witness", str(tmp_path / "c.vkey"), "--quorum", "3", code=1)  # fmt: skip
    assert "cosigned by 2 of the 3 given witnesses" in rep.stdout
    # a checkpoint file and a proof file, as a witness without database access gets them
    with Ledger.open(db, log_key=log_key) as led:
        led.append([sample_record("finding", 9)], keys["inspectorate"])
    cp = tmp_path / "cp.txt"
    cp.write_text(_cli("checkpoint", str(db), "--json")["note"])
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(_cli("consistency", str(db), "7", "8", "--json")))
    r = _cli("witness", "cosign", "--key", str(tmp_path / "b.key"), "--state",
             str(tmp_path / "b.json"), "--checkpoint", str(cp), "--proof", str(proof))  # fmt: skip
    assert "cosignature/v1" not in r.stdout and "b.example/witness" in r.stdout
    _cli("witness", "show", str(tmp_path / "b.json"))
    # bad input is exit 2
    _cli("verify", str(db), "--quorum", "2", code=2)
    _cli("verify", str(db), "--witness", str(tmp_path / "missing.vkey"), code=2)
    _cli("witness", "cosign", "--key", str(tmp_path / "a.key"), "--state",
         str(tmp_path / "nope.json"), "--ledger", str(db), code=2)  # fmt: skip


def test_cli_witness_refuses_a_fork_exit_1(tmp_path: Path, keys: dict[str, PartyKey]) -> None:
    main, fork, _ = _forked_log(tmp_path, keys)
    _cli("witness", "init", "--name", "a.example/w", "--key", str(tmp_path / "a.key"),
         "--state", str(tmp_path / "a.json"))  # fmt: skip
    args = [
        "witness",
        "cosign",
        "--key",
        str(tmp_path / "a.key"),
        "--state",
        str(tmp_path / "a.json"),
    ]
    _cli(*args, "--ledger", str(main))
    r = _cli(*args, "--ledger", str(fork), code=1)
    assert "refused to cosign" in r.stderr and "split view" in r.stderr
    refused = WitnessState.load(tmp_path / "a.json").logs["example.org/log"].refused
    assert len(refused) == 1 and refused[0]["note"].startswith("example.org/log\n8\n")


def test_sign_prints_a_signed_record_that_append_accepts(
    tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    db, log_key = tmp_path / "e.db", tmp_path / "log.key"
    with Ledger.create(db, log_key_path=log_key) as led:
        led.register(keys["inspectorate"].public)
    write_private_key(keys["inspectorate"], tmp_path / "iaea.key")
    rec = tmp_path / "r.json"
    rec.write_text(json.dumps(sample_record("inspection", 1)))
    r = _cli("sign", str(rec), "--key", str(tmp_path / "iaea.key"))
    signed = json.loads(r.stdout)
    assert signed["signer"]["name"] == "iaea" and "signature" in signed
    with Ledger.open(db) as led:
        assert led.size == 0  # signing appends nothing
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps(sample_record("finding", n)) + "\n" for n in range(3)))
    _cli("sign", str(many), "--key", str(tmp_path / "iaea.key"), "--out", str(tmp_path / "s.json"))
    assert len(json.loads((tmp_path / "s.json").read_text())) == 3
    signed_file = tmp_path / "one.json"
    signed_file.write_text(r.stdout)
    out = _cli("append", str(db), str(signed_file), "--log-key", str(log_key), "--json")
    assert out["indices"] == [0]
    with Ledger.open(db) as led:
        assert led.get(0).record == signed
    _cli("sign", str(rec), "--key", str(tmp_path / "nokey.key"), code=2)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "gossip"}))
    _cli("sign", str(bad), "--key", str(tmp_path / "iaea.key"), code=2)
