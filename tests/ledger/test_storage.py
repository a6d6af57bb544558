"""Storage: the database file is read only through SQLite, one engine per database per process,
damaged and foreign files refused cleanly, and the audit reads one snapshot."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.errors import InputError
from cvid.ledger import Ledger, PartyKey, acquire_engine, release_engine, write_private_key
from tests.ledger.samples import sample_record

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _count_in_other_process(db: Path) -> int:
    """Open the file with sqlite3 in another process (as `cvid ledger verify`, a backup job or
    the sqlite3 shell would), read, close: the last user of a WAL database checkpoints it and
    deletes the -wal file when it believes no one else has it open."""
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute('SELECT count(*) FROM ledger_entries').fetchone()[0]); c.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def test_reopening_in_process_keeps_sqlite_locks(tmp_path: Path, keys: dict[str, PartyKey]) -> None:
    """Before issue 11 every Ledger.open read the file's magic with open()/close(), which drops
    every POSIX lock the process holds on it: another process then deleted the live WAL and
    this process's later commits went into an unlinked file (acknowledged, then lost)."""
    db = tmp_path / "evidence.db"
    with Ledger.create(db) as led:
        led.register(keys["inspectorate"].public)
    first = Ledger.open(db)
    try:
        first.append(sample_record("seal-check", 0), keys["inspectorate"])
        second = Ledger.open(db)  # the service opens the ledger again (a lane, an assessment)
        second.close()
        assert _count_in_other_process(db) == 1
        first.append(sample_record("seal-check", 1), keys["inspectorate"])
        assert _count_in_other_process(db) == 2  # the second commit is in the real file
    finally:
        first.close()
    with Ledger.open(db) as led:
        assert led.size == 2 and led.audit().ok


def test_one_engine_per_database_shared_and_released(tmp_path: Path) -> None:
    db = tmp_path / "evidence.db"
    Ledger.create(db).close()
    a, b = Ledger.open(db), Ledger.open(str(db.resolve()))
    engine = acquire_engine(f"sqlite:///{db}")
    try:
        assert a._engine is b._engine is engine
    finally:
        a.close()
        b.close()
    again = acquire_engine(db)
    assert again is engine  # still held by the third user
    release_engine(engine)
    release_engine(again)
    fresh = acquire_engine(db)
    assert fresh is not engine  # the last user closed it; a new one is made
    release_engine(fresh)


def test_foreign_sqlite_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(InputError, match="not a cvid ledger"):
        Ledger.open(other)
    r = runner.invoke(app, ["ledger", "verify", str(other)])
    assert r.exit_code == 2 and "not a cvid ledger" in r.stderr
    assert other.read_bytes() == before
    conn = sqlite3.connect(other)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never WAL
    finally:
        conn.close()
    assert not Path(str(other) + "-wal").exists()


@pytest.mark.parametrize("command", ["verify", "append", "checkpoint"])
def test_a_folder_as_the_database_is_a_clear_error(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    args = [command, str(folder)]
    if command == "append":
        rec = tmp_path / "r.json"
        rec.write_text("{}")
        args.append(str(rec))
    r = runner.invoke(app, ["ledger", *args])
    assert r.exit_code == 2, r.output
    assert "is a folder, not a ledger file" in r.stderr
    assert "Traceback" not in r.output


@pytest.mark.parametrize("cut", [1, 17, 512, 1000, 2000])
def test_truncated_file_is_refused_before_any_write(
    tmp_path: Path, keys: dict[str, PartyKey], cut: int
) -> None:
    db = tmp_path / "evidence.db"
    with Ledger.create(db, log_key_path=tmp_path / "log.key") as led:
        led.register(keys["inspectorate"].public)
        led.append([sample_record("inspection", n) for n in range(200)], keys["inspectorate"])
    data = db.read_bytes()
    db.write_bytes(data[:-cut])
    damaged = db.read_bytes()
    write_private_key(keys["inspectorate"], tmp_path / "iaea.key")
    rec = tmp_path / "r.json"
    rec.write_text(json.dumps(sample_record("seal-check", 5)))
    r = runner.invoke(
        app,
        ["ledger", "append", str(db), str(rec), "--key", str(tmp_path / "iaea.key"),
         "--log-key", str(tmp_path / "log.key")],
    )  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "damaged database file" in r.stderr and "Traceback" not in r.output
    assert db.read_bytes() == damaged  # nothing written
    r = runner.invoke(app, ["ledger", "verify", str(db)])
    assert r.exit_code == 2 and "damaged database file" in r.stderr


def test_audit_of_a_file_cut_at_a_page_boundary_fails(
    tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    """A cut of whole pages passes the size check; SQLite's own quick_check in the audit and
    the recomputed tree catch it."""
    db = tmp_path / "evidence.db"
    with Ledger.create(db) as led:
        led.register(keys["inspectorate"].public)
        led.append([sample_record("inspection", n) for n in range(300)], keys["inspectorate"])
    data = db.read_bytes()
    db.write_bytes(data[: len(data) - 4096])
    try:
        with Ledger.open(db) as led:
            assert not led.audit().ok
    except InputError as exc:  # or refused at open: either way not silently accepted
        assert "damaged" in str(exc) or "malformed" in str(exc)


@pytest.mark.postgres
def test_postgres_audit_under_concurrent_appends_is_clean(
    tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    """Before issue 11 the audit's queries each saw a different committed state (READ
    COMMITTED): every audit during appends reported tampering. Now one REPEATABLE READ READ
    ONLY snapshot: clean every time."""
    from tests.ledger.conftest import PgSchema, postgres_unavailable

    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    schema = PgSchema()
    try:
        log_key = tmp_path / "log.key"
        with Ledger.create(schema.url, log_key_path=log_key) as led:
            led.register(keys["inspectorate"].public)
            led.append([sample_record("seal-check", n) for n in range(500)], keys["inspectorate"])
        party = tmp_path / "iaea.key"
        write_private_key(keys["inspectorate"], party)
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.writer", schema.url, str(log_key), str(party),
             "10000", "100000", "10"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert writer.stdout is not None
            writer.stdout.readline()  # appends are under way
            sizes = []
            with Ledger.open(schema.url) as led:
                for _ in range(6):
                    report = led.audit()
                    assert report.ok, report.problems[:3]
                    sizes.append(report.tree_size)
                    time.sleep(0.05)
            assert writer.poll() is None, "the writer finished too early to test anything"
            assert sizes[-1] > sizes[0]  # the audits ran while the log grew
        finally:
            writer.kill()
            writer.communicate(timeout=30)
    finally:
        schema.drop()
