"""A ledger kept for another agreement is refused, not silently read as "no evidence" (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvid.assess import assess
from cvid.cli.registry import build_app
from cvid.errors import InputError

runner = CliRunner()


@pytest.fixture(scope="module")
def six_party_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ledger") / "sp.db"
    r = runner.invoke(build_app(), ["ledger", "replay", str(db), "six-party-2007"])
    assert r.exit_code == 0, r.output
    return db


def test_assess_refuses_a_ledger_of_another_agreement(six_party_db: Path) -> None:
    with pytest.raises(InputError, match="none of this scenario's agreement 'libya-2003'"):
        assess("libya-2003", simulate=False, ledger=six_party_db)
    r = runner.invoke(
        build_app(), ["assess", "libya-2003", "--no-simulate", "--ledger", str(six_party_db)]
    )
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {six_party_db}: --ledger: the ledger holds records of ")
    assert "'six-party-2007' only" in r.stderr
    assert "Traceback" not in r.output


def test_report_and_status_refuse_it_too(six_party_db: Path, tmp_path: Path) -> None:
    app = build_app()
    out = tmp_path / "r.html"
    r = runner.invoke(
        app,
        [
            "assess",
            "libya-2003",
            "--no-simulate",
            "--ledger",
            str(six_party_db),
            "--report",
            str(out),
        ],
    )
    assert r.exit_code == 2
    assert not out.exists()
    r = runner.invoke(app, ["status", "--ledger", str(six_party_db), "--scenario", "libya-2003"])
    assert r.exit_code == 2
    assert "none of this scenario's agreement 'libya-2003'" in r.stderr


def test_the_right_ledger_and_an_empty_one_are_accepted(six_party_db: Path, tmp_path: Path) -> None:
    result = assess("six-party-2007", simulate=False, ledger=six_party_db)
    assert result.compliance is not None
    empty = tmp_path / "empty.db"
    assert runner.invoke(build_app(), ["ledger", "init", str(empty)]).exit_code == 0
    assert assess("libya-2003", simulate=False, ledger=empty).compliance is not None
