"""``cvid plan`` and ``cvid game``: JSON shapes, bad input → exit 2, and real subprocess runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvid.cli import app

runner = CliRunner()
BALANCE = Path(__file__).resolve().parents[2] / "src/cvid/examples/data/sample-balance.csv"
CVID = Path(sys.executable).parent / "cvid"


def run_json(*args: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_plan_sampling_json() -> None:
    out = run_json(
        "plan", "sampling", "--items", "100", "--goal-kg", "8", "--item-kg", "4", "--detect", "0.9"
    )
    assert {"sample_size", "sample_size_iaea", "detection_probability", "defects"} <= set(out)
    assert out["defects"] == 2
    assert out["sample_size"] <= out["sample_size_iaea"]
    assert out["detection_probability"] >= 0.9
    assert [lv["level"] for lv in out["levels"]] == ["gross", "partial", "bias"]


def test_plan_balance_json(tmp_path: Path) -> None:
    out = run_json(
        "plan",
        "balance",
        str(BALANCE),
        "--random-rsd",
        "0.01",
        "--systematic-rsd",
        "0.005",
        "--alpha",
        "0.05",
        "--diversion-kg",
        "2",
        "--pattern",
        "protracted",
        "--replications",
        "5000",
    )
    assert len(out["periods"]) == 12
    assert set(out["periods"][0]) >= {"muf", "sigma_muf", "cumuf", "sitmuf", "page", "alarm"}
    assert len(out["covariance"]) == 12
    assert out["false_alarm_probability"] == pytest.approx(0.05, abs=1e-6)
    assert 0 < out["detection_probability"] < 1
    assert out["total_muf_test"]["detection_probability"] > out["detection_probability"]


def test_plan_balance_alarm_on_loss(tmp_path: Path) -> None:
    f = tmp_path / "b.csv"
    rows = ["beginning_inventory,receipts,shipments,ending_inventory"]
    rows += ["20,10,10,20"] * 5 + ["20,10,10,17"] + ["17,10,10,17"] * 3
    f.write_text("\n".join(rows) + "\n")
    out = run_json(
        "plan",
        "balance",
        str(f),
        "--random-rsd",
        "0.01",
        "--systematic-rsd",
        "0.005",
        "--alpha",
        "0.05",
        "--replications",
        "1000",
    )
    assert out["periods"][5]["muf"] == pytest.approx(3.0)
    assert out["periods"][5]["alarm"] is True
    assert not any(p["alarm"] for p in out["periods"][:5])
    assert out["total_muf_test"]["alarm"] is True


def test_plan_search_and_production_json() -> None:
    out = run_json(
        "plan", "search", "--sites", "20", "--inspections-per-year", "6", "--notice-hours", "12"
    )
    assert out["interval"][0] <= out["probability"] <= out["interval"][1]
    out = run_json("plan", "search", "--scenario", "libya-2003")
    assert 0 <= out["probability"] <= 1
    out = run_json("plan", "production", "--record", "dprk-2008", "--replications", "20000")
    assert out["declared_kg"] == 30.8
    assert out["shortfall_kg"]["p05"] <= out["shortfall_kg"]["median"] <= out["shortfall_kg"]["p95"]
    assert 0 <= out["probability_shortfall_one_sq"] <= out["probability_shortfall"] <= 1
    out = run_json(
        "plan",
        "production",
        "--thermal-mw",
        "25",
        "--days",
        "365",
        "--capacity-factor",
        "0.75",
        "--g-per-mwd",
        "1.0",
        "--declared-kg",
        "0",
    )
    assert out["estimate_kg"]["median"] == pytest.approx(6.84375)


def test_game_commands_json(tmp_path: Path) -> None:
    out = run_json(
        "game",
        "inspection",
        "--gain",
        "1",
        "--penalty",
        "1",
        "--inspection-cost",
        "0.1",
        "--loss-detected",
        "0.5",
        "--loss-undetected",
        "1",
        "--non-detection",
        "0.1",
    )
    assert set(out) >= {
        "inspection_probability",
        "violation_probability",
        "inspector_payoff",
        "inspectee_payoff",
        "leadership",
        "deterrence_detection_probability",
    }
    assert set(out["leadership"]) >= {"inspection_probability", "inspector_payoff"}
    assert out["inspection_probability"] == pytest.approx(1 / (0.9 * 2))
    assert out["deterrence_detection_probability"] == pytest.approx(0.5)
    out = run_json("game", "dresher", "--periods", "3", "--inspections", "1")
    assert out["value"] == pytest.approx(0.5)
    f = tmp_path / "g.csv"
    f.write_text(",left,right\ntop,3,-1\nbottom,-2,1\n")
    out = run_json("game", "matrix", str(f))
    assert out["value"] == pytest.approx(1 / 7)
    assert out["rows"] == ["top", "bottom"]
    assert out["columns"] == ["left", "right"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plan", "sampling", "--items", "10", "--defects", "11", "--detect", "0.9"], "defects"),
        (["plan", "sampling", "--items", "10", "--defects", "2", "--detect", "1.2"], "--detect"),
        (
            [
                "game",
                "inspection",
                "--gain",
                "1",
                "--penalty",
                "1",
                "--inspection-cost",
                "0.1",
                "--loss-detected",
                "0.5",
                "--loss-undetected",
                "1",
                "--non-detection",
                "-0.2",
            ],
            "--non-detection",
        ),
        (
            ["plan", "balance", "MISSING.csv", "--random-rsd", "0.01", "--systematic-rsd", "0"],
            "no such file",
        ),
    ],
)
def test_bad_input_exits_2(args: list[str], needle: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert needle in res.stderr


def test_bad_csv_files_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    missing.write_text("beginning_inventory,receipts,ending_inventory\n1,2,3\n")
    text = tmp_path / "text.csv"
    text.write_text("beginning_inventory,receipts,shipments,ending_inventory\n20,ten,10,20\n")
    zero = tmp_path / "zero.csv"
    zero.write_text("beginning_inventory,receipts,shipments,ending_inventory\n0,0,0,0\n0,0,0,0\n")
    matrix = tmp_path / "m.csv"
    matrix.write_text("1,2\n3,x\n")
    base = ["--random-rsd", "0.01", "--systematic-rsd", "0.005"]
    for args, needle in [
        (["plan", "balance", str(missing), *base], "missing column shipments"),
        (["plan", "balance", str(text), *base], "row 2, column receipts: 'ten' is not a number"),
        (["plan", "balance", str(zero), *base], "singular"),
        (["game", "matrix", str(matrix)], "row 2, column 2: 'x' is not a number"),
    ]:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, res.output
        assert needle in res.stderr
        assert "Traceback" not in res.stderr


def test_subprocess_runs() -> None:
    out = subprocess.run(
        [
            str(CVID),
            "plan",
            "sampling",
            "--items",
            "100",
            "--defects",
            "2",
            "--detect",
            "0.9",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["sample_size"] == 69
    bad = subprocess.run(
        [str(CVID), "game", "dresher", "--periods", "0", "--inspections", "1"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "periods" in bad.stderr
    assert "Traceback" not in bad.stderr
