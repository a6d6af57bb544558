"""`cvid cases list|show|backtest` through the real Typer app; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from cvid.cases import bundled_catalog_path, load_catalog
from cvid.cli import app

runner = CliRunner()
CASES_DIR = bundled_catalog_path().parent


def test_list_json() -> None:
    result = runner.invoke(app, ["cases", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == load_catalog().names()
    for r in rows:
        assert r["outcome"]["source"].strip()
        assert r["years"]


def test_list_table() -> None:
    result = runner.invoke(app, ["cases", "list"])
    assert result.exit_code == 0
    assert "taiwan-1976" in result.stdout and "reversed" in result.stdout


def test_show_validates_and_names_the_outcome_source() -> None:
    result = runner.invoke(app, ["cases", "show", "south-africa-1989", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"]["kind"] == "verified-disarmament"
    assert "GC(XXXVII)/1075" in data["outcome"]["source"]
    # 8 records, plus the IAEA's after-the-fact verification of the dismantlement of the
    # devices and of the Circle facility's work (GC(XXXVII)/1075; IAEA Bulletin 37/1).
    assert data["evidence"]["records"] == 10
    assert data["evidence"]["by_source_kind"]["estimate"] == 1
    text = runner.invoke(app, ["cases", "show", "iran-jcpoa-2015"])
    assert text.exit_code == 0
    assert "reversed" in text.stdout and "CRS R43333" in text.stdout


def test_backtest_json_and_report(tmp_path: Path) -> None:
    out = tmp_path / "bt.html"
    args = ["cases", "backtest", "--json", "--runs", "100", "--no-sensitivity", "--no-evidence"]
    result = runner.invoke(app, [*args, "--report", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["cases"]) == 14 and len(data["scored"]) == 12
    assert data["sensitivity"] is None
    assert all(c["grades_with_evidence"] is None for c in data["cases"])
    assert set(data["spearman_grades"]) == {"rho", "p_value", "n"}
    assert data["brier_base_rate"] >= 0
    assert out.read_text().startswith("<!doctype html>")


def test_backtest_text_with_sensitivity() -> None:
    result = runner.invoke(
        app,
        [
            "cases",
            "backtest",
            "--runs",
            "100",
            "--sensitivity-runs",
            "100",
            "--case",
            "libya-2003",
            "--case",
            "six-party-2007",
            "--case",
            "iraq-1991",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Spearman, lesson score vs outcome" in result.stdout
    assert "Brier score" in result.stdout
    assert "Sensitivity:" in result.stdout


def _one_line_error(result: Result) -> str:
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out
    return str(out)


def test_unknown_case_exits_2() -> None:
    out = _one_line_error(runner.invoke(app, ["cases", "show", "iraq"]))
    assert "no case named 'iraq'" in out and "iraq-1991" in out


def test_outcome_without_source_exits_2(tmp_path: Path) -> None:
    cat = tmp_path / "catalog.toml"
    cat.write_text(
        '[[case]]\nname = "libya-2003"\nyears = "2003"\nscenario = "libya-2003"\n'
        '[case.outcome]\nkind = "verified-disarmament"\nsummary = "done"\n',
        encoding="utf-8",
    )
    out = _one_line_error(runner.invoke(app, ["cases", "list", "--catalog", str(cat)]))
    assert str(cat) in out and "case[0].outcome.source" in out
    assert "must name its source" in out


def test_estimate_without_uncertainty_exits_2(tmp_path: Path) -> None:
    lines = (CASES_DIR / "iraq-1991.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[4])  # the HEU removal, a measurement; relabel it an estimate
    rec["basis"]["kind"] = "estimate"
    rec["basis"]["method"] = "a reconstruction"
    (tmp_path / "bad.jsonl").write_text(lines[0] + "\n" + json.dumps(rec) + "\n")
    cat = tmp_path / "catalog.toml"
    cat.write_text(
        '[[case]]\nname = "iraq-1991"\nyears = "1991"\nscenario = "iraq-1991"\n'
        'evidence = "bad.jsonl"\n[case.outcome]\nkind = "collapsed"\nsummary = "s"\n'
        'source = "IAEA 2003-01-27"\n',
        encoding="utf-8",
    )
    out = _one_line_error(runner.invoke(app, ["cases", "show", "iraq-1991", "--catalog", str(cat)]))
    assert "bad.jsonl: line 2" in out and "estimate must carry its own uncertainty" in out


def test_bad_report_name_and_unknown_dataset_exit_2(tmp_path: Path) -> None:
    out = _one_line_error(
        runner.invoke(
            app,
            [
                "cases",
                "backtest",
                "--runs",
                "10",
                "--no-sensitivity",
                "--report",
                str(tmp_path / "r.pdf"),
            ],
        )
    )
    assert "--report" in out
    out = _one_line_error(runner.invoke(app, ["data", "show", "no-such-dataset"]))
    assert "no bundled dataset 'no-such-dataset'" in out
