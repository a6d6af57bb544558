"""`cvid serve` from the command line: bad input exits 2 with one line; a real server starts,
prints or writes the first admin token once, and serves with it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cvid.cli import app
from tests.web.conftest import free_port, serve, stop


def test_bad_database_arguments_exit_2_with_a_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--db", "ftp://host/x"])
    assert r.exit_code == 2
    assert "expected a file path, sqlite:///PATH or postgresql://URL" in r.output
    foreign = tmp_path / "foreign.db"
    foreign.write_text("hello")
    r = runner.invoke(app, ["serve", "--db", str(foreign)])
    assert r.exit_code == 2
    assert "not a SQLite database" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(app, ["serve", "--db", "postgresql://postgres@127.0.0.1:1/x"])
    assert r.exit_code == 2
    assert "cannot use this database" in r.output
    assert "refused" in r.output


def test_a_bad_witness_policy_exits_2_naming_it(tmp_path: Path) -> None:
    from cvid.ledger.witness import generate_witness_key

    runner = CliRunner()
    db = str(tmp_path / "w.db")
    r = runner.invoke(app, ["serve", "--db", db, "--witness", str(tmp_path / "none.vkey")])
    assert r.exit_code == 2
    assert "none.vkey" in r.output and "file not found" in r.output
    vkey = generate_witness_key("a.example/witness").vkey
    r = runner.invoke(app, ["serve", "--db", db, "--witness", vkey, "--quorum", "2"])
    assert r.exit_code == 2
    assert "quorum 2 is not between 1 and the 1 witnesses" in r.output
    assert "Traceback" not in r.output


def test_existing_admin_token_file_is_not_overwritten(tmp_path: Path) -> None:
    token_file = tmp_path / "admin.token"
    token_file.write_text("keep me\n")
    r = CliRunner().invoke(
        app, ["serve", "--db", str(tmp_path / "s.db"), "--admin-token-file", str(token_file)]
    )
    assert r.exit_code == 2
    assert "cannot create" in r.output
    assert token_file.read_text() == "keep me\n"


@pytest.mark.slow
def test_serve_shows_the_first_admin_token_once_and_it_works(tmp_path: Path) -> None:
    db = tmp_path / "svc.db"
    port = free_port()
    proc = serve(db, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            assert c.get("/api/v1/me").status_code == 401
            time.sleep(0.2)
    finally:
        err = stop(proc)
    line = next(x for x in err.splitlines() if "admin token" in x)
    token = line.rsplit(" ", 1)[-1]
    assert token.startswith("cvid_")
    mode = (tmp_path / "svc.db.logkey").stat().st_mode & 0o777
    assert mode == 0o600  # the ledger's checkpoint key beside the database
    port = free_port()
    proc = serve(db, port)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        ) as c:
            me = c.get("/api/v1/me").json()
        assert me["role"] == "admin"
    finally:
        err = stop(proc)
    assert "admin token" not in err  # not shown again
    assert token not in err
