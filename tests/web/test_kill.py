"""Reliability: SIGKILL the `cvid serve` process while clients append; after a restart every
acknowledged record is there, unchanged, at its index, in the audit log with who appended it,
and the ledger audit passes."""

from __future__ import annotations

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

from cvid.ledger import generate_party_key, sign_record
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
