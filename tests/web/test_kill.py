"""Reliability: SIGKILL the `cvid serve` process while clients append; after a restart every
acknowledged record is there, unchanged, at its index, in the audit log with who appended it,
and the ledger audit passes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvid.ledger import (
    Ledger,
    generate_party_key,
    parse_checkpoint,
    sign_record,
    write_private_key,
)
from tests.web.conftest import free_port
from tests.web.records import record

pytestmark = pytest.mark.slow
CVID = str(Path(sys.executable).with_name("cvid"))


class Served:
    """`cvid serve` in its own process."""

    def __init__(self, db: str, log_key: Path, token_file: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [CVID, "serve", "--db", db, "--port", str(self.port), "--log-key", str(log_key)]
        if token_file is not None:
            cmd += ["--admin-token-file", str(token_file)]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"cvid serve did not start: {err}")
            time.sleep(0.05)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "kill.db")
    url: str = request.getfixturevalue("pg_database")
    return url


def test_kill_during_appends_loses_no_acknowledged_record(database: str, tmp_path: Path) -> None:
    db = database
    log_key = tmp_path / "log.key"
    token_file = tmp_path / "admin.token"
    server = Served(db, log_key, token_file)
    admin = token_file.read_text().strip()
    keys = [generate_party_key(f"iaea-{i}", "inspectorate") for i in range(2)]
    tokens = []
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {admin}"}) as c:
        for key in keys:
            r = c.post(
                "/api/v1/parties",
                json={"name": key.name, "role": key.role, "public_key": key.public.public_key_b64},
            )
            assert r.status_code == 201, r.text
            tokens.append(r.json()["token"])

    acked: dict[int, dict[str, Any]] = {}
    lock = threading.Lock()

    def appender(n: int, url: str, stop: threading.Event) -> None:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {tokens[n]}"}, timeout=30
        ) as c:
            i = 0
            while not stop.is_set():
                batch = [
                    sign_record(record("seal-check", f"2020-01-01T00:{i % 60:02d}:00Z"), keys[n])
                    for _ in range(1 + i % 3)
                ]
                i += 1
                try:
                    r = c.post("/api/v1/ledger/records", json={"records": batch})
                except httpx.TransportError:
                    return  # the server died: this batch was not acknowledged
                assert r.status_code == 201, r.text
                with lock:
                    for idx, rec in zip(r.json()["indices"], batch, strict=True):
                        acked[idx] = rec

    for cycle in range(3):
        stop = threading.Event()
        threads = [threading.Thread(target=appender, args=(n, server.url, stop)) for n in range(2)]
        for t in threads:
            t.start()
        time.sleep(1.0 + 0.37 * cycle)
        before_kill = len(acked)
        server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert before_kill > 5
        server = Served(db, log_key)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {admin}"}, timeout=60
        ) as c:
            audit = c.get("/api/v1/ledger/audit").json()
            assert audit["ok"], audit["problems"]
            size = audit["tree_size"]
            assert size >= len(acked)
            assert max(acked) < size
            for start in range(0, size, 500):
                page = c.get("/api/v1/ledger/records", params={"start": start, "limit": 500})
                for e in page.json()["records"]:
                    if e["index"] in acked:
                        assert e["record"] == acked[e["index"]]
            assert len([i for i in acked if i < size]) == len(acked)
            # every acknowledged append is in the audit log with who did it
            covered: set[int] = set()
            offset = 0
            while True:
                lines = c.get("/api/v1/audit", params={"limit": 1000, "offset": offset}).json()
                for line in lines:
                    m = re.fullmatch(r"appended records (\d+)\.\.(\d+)", line["detail"])
                    if m and line["status"] == 201:
                        assert line["party"].startswith("iaea-")
                        covered.update(range(int(m[1]), int(m[2]) + 1))
                if len(lines) < 1000:
                    break
                offset += 1000
            assert set(acked) <= covered
            print(f"cycle {cycle}: {len(acked)} acknowledged, {size} in the ledger after restart")
    server.kill()


def _roots_by_size(notes: list[str]) -> dict[int, set[str]]:
    """Tree size → the set of root hashes of the signed checkpoints seen for it."""
    out: dict[int, set[str]] = {}
    for note in notes:
        body = note[: note.rfind("\n\n") + 1]
        cp = parse_checkpoint(body)
        out.setdefault(cp.size, set()).add(cp.root_hash.hex())
    return out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CVID, "ledger", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_external_verify_during_appends_then_kill_loses_nothing_sqlite(tmp_path: Path) -> None:
    """The SQLite loss scenario of issue 11: API appends, an external `cvid ledger verify`
    process, more appends, kill -9, restart. The service used to drop SQLite's locks on the
    file (a plain open()/close() of it), so the verifying process deleted the live WAL and
    acknowledged records vanished; after restart the log signed a second root for a size."""
    db = str(tmp_path / "loss.db")
    log_key = tmp_path / "log.key"
    token_file = tmp_path / "admin.token"
    server = Served(db, log_key, token_file)
    admin = token_file.read_text().strip()
    key = generate_party_key("iaea", "inspectorate")
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {admin}"}) as c:
        r = c.post(
            "/api/v1/parties",
            json={"name": key.name, "role": key.role, "public_key": key.public.public_key_b64},
        )
        assert r.status_code == 201, r.text
        token = r.json()["token"]
    acked: dict[int, dict[str, Any]] = {}
    notes: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def appender() -> None:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as c:
            i = 0
            while not stop.is_set():
                batch = [
                    sign_record(record("seal-check", f"2020-01-01T00:{i % 60:02d}:00Z"), key)
                    for _ in range(1 + i % 3)
                ]
                i += 1
                try:
                    r = c.post("/api/v1/ledger/records", json={"records": batch})
                    cp = c.get("/api/v1/ledger/checkpoint")
                except httpx.TransportError:
                    return
                assert r.status_code == 201, r.text
                with lock:
                    acked.update(zip(r.json()["indices"], batch, strict=True))
                    if cp.status_code == 200:
                        notes.append(cp.json()["note"])

    thread = threading.Thread(target=appender)
    thread.start()
    try:
        time.sleep(1.0)
        verified = _cli("verify", db, "--json")  # an external process reads the same file
        assert verified.returncode in (0, 1), verified.stderr
        time.sleep(1.5)
    finally:
        n_acked = len(acked)
        server.kill()
        stop.set()
        thread.join(timeout=60)
    assert n_acked > 5
    server = Served(db, log_key)
    try:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {admin}"}, timeout=60
        ) as c:
            size = c.get("/api/v1/ledger").json()["tree_size"]
            missing = [i for i in acked if i >= size]
            assert not missing, f"{len(missing)} of {len(acked)} acknowledged records lost"
            for start in range(0, size, 500):
                page = c.get("/api/v1/ledger/records", params={"start": start, "limit": 500})
                for e in page.json()["records"]:
                    if e["index"] in acked:
                        assert e["record"] == acked[e["index"]]
            r = c.post(
                "/api/v1/ledger/records",
                json={"records": [sign_record(record("seal-check", "2020-01-02T00:00:00Z"), key)]},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201, r.text
            notes.append(c.get("/api/v1/ledger/checkpoint").json()["note"])
    finally:
        server.kill()
    audit = _cli("verify", db, "--json")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    with Ledger.open(db) as led:
        notes += [n for _, n in led.checkpoints()]
    split = {s: r for s, r in _roots_by_size(notes).items() if len(r) > 1}
    assert not split, f"two roots signed for one tree size: {split}"


def test_api_verify_api_cli_append_sign_one_root_per_size(tmp_path: Path) -> None:
    """Without any crash: API append, `cvid ledger verify`, API append, `cvid ledger append` on
    the same file used to give two signed checkpoints of size 2 with different roots."""
    db = str(tmp_path / "split.db")
    log_key = tmp_path / "log.key"
    token_file = tmp_path / "admin.token"
    server = Served(db, log_key, token_file)
    try:
        admin = token_file.read_text().strip()
        key = generate_party_key("iaea", "inspectorate")
        write_private_key(key, tmp_path / "iaea.key")
        notes: list[str] = []
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {admin}"}, timeout=60
        ) as c:
            r = c.post(
                "/api/v1/parties",
                json={"name": key.name, "role": key.role, "public_key": key.public.public_key_b64},
            )
            assert r.status_code == 201, r.text
            auth = {"Authorization": f"Bearer {r.json()['token']}"}

            def api_append(n: int) -> None:
                rec = sign_record(record("seal-check", f"2020-01-01T00:0{n}:00Z"), key)
                r = c.post("/api/v1/ledger/records", json={"records": [rec]}, headers=auth)
                assert r.status_code == 201, r.text
                notes.append(c.get("/api/v1/ledger/checkpoint").json()["note"])

            api_append(1)
            assert _cli("verify", db).returncode == 0
            api_append(2)
            rec_file = tmp_path / "rec.json"
            rec_file.write_text(json.dumps(record("seal-check", "2020-01-01T00:03:00Z")))
            out = _cli(
                "append", db, str(rec_file), "--key", str(tmp_path / "iaea.key"),
                "--log-key", str(log_key), "--json",
            )  # fmt: skip
            assert out.returncode == 0, out.stderr
            notes.append(json.loads(out.stdout)["checkpoint"])
            assert json.loads(out.stdout)["indices"] == [2]
            notes.append(c.get("/api/v1/ledger/checkpoint").json()["note"])
            assert c.get("/api/v1/ledger").json()["tree_size"] == 3
    finally:
        server.kill()
    with Ledger.open(db) as led:
        notes += [n for _, n in led.checkpoints()]
        assert led.audit().ok
    split = {s: r for s, r in _roots_by_size(notes).items() if len(r) > 1}
    assert not split, f"two roots signed for one tree size: {split}"
