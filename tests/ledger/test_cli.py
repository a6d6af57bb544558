"""``cvid ledger ...`` through Typer's CliRunner and a few real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.ledger import verify_consistency, verify_inclusion
from tests.ledger.conftest import as_bytes, raw_sql
from tests.ledger.samples import sample_record

runner = CliRunner()
CVID = Path(sys.executable).parent / "cvid"


def run(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["ledger", *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    if "--json" in args and code == 0:
        return json.loads(result.stdout)
    return result


@pytest.fixture
def setup(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A ledger with parties iaea (inspectorate) and dprk (state), keys in tmp_path."""
    run("init", db_url, "--log-key", str(tmp_path / "log.key"), "--origin", "example.org/l")
    for party, role in (("iaea", "inspectorate"), ("dprk", "state")):
        run("keygen", "--party", party, "--role", role, "--out", str(tmp_path))
        out = run("register", db_url, str(tmp_path / f"{party}.pub"), "--json")
        assert out == {"party": party, "role": role, "registered": True}
    return db_url, tmp_path


def _jsonl(path: Path, kind: str, count: int) -> Path:
    path.write_text("".join(json.dumps(sample_record(kind, n)) + "\n" for n in range(count)))
    return path


def test_full_round_trip(setup: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    db, tmp = setup
    monkeypatch.setenv("CVID_LEDGER_LOG_KEY", str(tmp / "log.key"))
    recs = _jsonl(tmp / "in.jsonl", "inspection", 25)
    out = run("append", db, str(recs), "--key", str(tmp / "iaea.key"), "--batch", "10", "--json")
    assert out["indices"] == list(range(25))
    assert out["tree_size"] == 25
    assert out["checkpoint"].startswith("example.org/l\n25\n")

    shown = run("show", db, "7", "--json")
    assert shown["signer"] == "iaea" and shown["role"] == "inspectorate" and shown["verified"]
    assert shown["record"]["time"] == sample_record("inspection", 7)["time"]

    p = run("proof", db, "7", "--size", "20", "--json")
    assert set(p) == {"index", "tree_size", "leaf_hash", "root_hash", "proof"}
    assert p["tree_size"] == 20
    verify_inclusion(
        bytes.fromhex(p["leaf_hash"]),
        7,
        20,
        [bytes.fromhex(h) for h in p["proof"]],
        bytes.fromhex(p["root_hash"]),
    )
    c = run("consistency", db, "20", "25", "--json")
    assert set(c) == {"old_size", "new_size", "old_root", "new_root", "proof"}
    assert c["old_root"] == p["root_hash"]
    verify_consistency(
        20,
        25,
        [bytes.fromhex(h) for h in c["proof"]],
        bytes.fromhex(c["old_root"]),
        bytes.fromhex(c["new_root"]),
    )
    cp = run("checkpoint", db, "--json")
    assert cp["tree_size"] == 25 and cp["root_hash"] == c["new_root"]

    v = run("verify", db, "--json")
    assert v["ok"] and v["records_checked"] == 25 and v["signatures_checked"] == 25
    assert v["checkpoints_checked"] == 4

    bundle = tmp / "bundle"
    e = run("export", db, str(bundle), "--json")
    assert e["files"] == [
        "checkpoint",
        "log.vkey",
        "manifest.json",
        "parties.json",
        "records.jsonl",
    ]
    old = tmp / "old.checkpoint"
    old.write_text(run("checkpoint", db).stdout)
    vb = run(
        "verify",
        "--bundle",
        str(bundle),
        "--log-vkey",
        cp["verifier_key"],
        "--known",
        str(old),
        "--json",
    )
    assert vb["ok"] and vb["records_checked"] == 25

    # the other party tampers with the bundle: verify --bundle exits 1 naming the record
    lines = (bundle / "records.jsonl").read_text().splitlines()
    lines[3] = lines[3].replace('"access":"full"', '"access":"none"')
    (bundle / "records.jsonl").write_text("\n".join(lines) + "\n")
    bad = run("verify", "--bundle", str(bundle), code=1)
    assert "record 3 (records.jsonl line 4)" in bad.stderr


def test_bad_input_exits_2_and_leaves_the_log_unchanged(
    setup: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, tmp = setup
    monkeypatch.setenv("CVID_LEDGER_LOG_KEY", str(tmp / "log.key"))
    run("append", db, str(_jsonl(tmp / "a.jsonl", "finding", 3)), "--key", str(tmp / "iaea.key"))
    before = run("checkpoint", db).stdout
    # the inspected state cannot file findings
    r = run("append", db, str(tmp / "a.jsonl"), "--key", str(tmp / "dprk.key"), code=2)
    assert "may not sign 'finding' records" in r.stderr
    # a record that fails its schema, on line 2
    rec = sample_record("finding")
    rec["payload"] = {**rec["payload"], "result": "fine"}
    bad = tmp / "bad.jsonl"
    bad.write_text(json.dumps(sample_record("finding", 9)) + "\n" + json.dumps(rec) + "\n")
    r = run("append", db, str(bad), "--key", str(tmp / "iaea.key"), code=2)
    assert "bad.jsonl: record 2: payload.result" in r.stderr
    # broken JSON
    (tmp / "broken.jsonl").write_text('{"kind": "finding"}\n{oops\n')
    r = run("append", db, str(tmp / "broken.jsonl"), "--key", str(tmp / "iaea.key"), code=2)
    assert "line 2" in r.stderr
    r = run("proof", db, "2", "--size", "4", code=2)
    assert "beyond the log" in r.stderr
    r = run("consistency", db, "2", "9", code=2)
    assert "beyond the log" in r.stderr
    r = run("show", db, "3", code=2)
    assert "no record 3" in r.stderr
    assert run("checkpoint", db).stdout == before
    r = run("keygen", "--party", "Bad Name", "--role", "state", "--out", str(tmp), code=2)
    assert "party name" in r.stderr
    r = run("keygen", "--party", "x", "--role", "king", "--out", str(tmp), code=2)
    assert "unknown role" in r.stderr


def test_presigned_records_with_a_bad_signature_are_refused(
    setup: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvid.ledger import read_private_key, sign_record

    db, tmp = setup
    monkeypatch.setenv("CVID_LEDGER_LOG_KEY", str(tmp / "log.key"))
    key = read_private_key(tmp / "iaea.key")
    signed = [sign_record(sample_record("observation", n), key) for n in range(3)]
    path = tmp / "signed.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in signed))
    assert run("append", db, str(path), "--json")["indices"] == [0, 1, 2]
    signed[1]["payload"] = {**signed[1]["payload"], "site": "elsewhere"}
    path.write_text("".join(json.dumps(s) + "\n" for s in signed))
    r = run("append", db, str(path), code=2)
    assert "record 2: signature: signature by 'iaea' does not verify" in r.stderr
    assert run("verify", db, "--json")["tree_size"] == 3


def test_verify_exits_1_naming_the_tampered_record(
    setup: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, tmp = setup
    monkeypatch.setenv("CVID_LEDGER_LOG_KEY", str(tmp / "log.key"))
    run(
        "append", db, str(_jsonl(tmp / "a.jsonl", "seal-check", 12)), "--key", str(tmp / "iaea.key")
    )
    [(data,)] = raw_sql(db, "SELECT data FROM ledger_entries WHERE idx = 6")
    raw_sql(
        db,
        "UPDATE ledger_entries SET data = ? WHERE idx = 6",
        as_bytes(data).replace(b"true", b"false"),
    )
    r = run("verify", db, code=1)
    assert "record 6: data does not match its stored leaf hash" in r.stderr
    out = runner.invoke(app, ["ledger", "verify", db, "--json"])
    assert out.exit_code == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False
    assert report["problems"][0] == {
        "where": "record 6",
        "what": "data does not match its stored leaf hash",
    }


def test_foreign_database_file_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00" * 5000)
    r = run("verify", str(junk), code=2)
    assert "not a SQLite database" in r.stderr
    r = run("checkpoint", str(tmp_path / "none.db"), code=2)
    assert "no ledger here" in r.stderr


def test_real_processes(tmp_path: Path) -> None:
    """The installed ``cvid`` script end to end, as a user runs it."""
    db = str(tmp_path / "ev.db")

    def cvid(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CVID), "ledger", *args], capture_output=True, text=True, cwd=tmp_path
        )

    assert cvid("init", db).returncode == 0
    assert (tmp_path / "ev.db.logkey").stat().st_mode & 0o077 == 0
    assert (
        cvid(
            "keygen", "--party", "iaea", "--role", "inspectorate", "--out", str(tmp_path)
        ).returncode
        == 0
    )
    key_text = (tmp_path / "iaea.key").read_text()
    assert (tmp_path / "iaea.key").stat().st_mode & 0o077 == 0
    assert cvid("register", db, str(tmp_path / "iaea.pub")).returncode == 0
    recs = _jsonl(tmp_path / "r.jsonl", "sample-result", 5)
    done = cvid("append", db, str(recs), "--key", str(tmp_path / "iaea.key"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["indices"] == [0, 1, 2, 3, 4]
    private = json.loads(key_text)["private_key"]
    assert private not in done.stdout + done.stderr
    ok = cvid("verify", db)
    assert ok.returncode == 0 and "ok" in ok.stdout
    raw_sql(db, "DELETE FROM ledger_entries WHERE idx = 2")
    bad = cvid("verify", db)
    assert bad.returncode == 1
    assert "record 2: missing" in bad.stderr
    assert "Traceback" not in bad.stderr
