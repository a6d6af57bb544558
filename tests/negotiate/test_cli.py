"""``cvid simulate`` and ``cvid sweep``: CliRunner on the app and real subprocess runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cvid.cli import app

runner = CliRunner()
CVID = str(Path(sys.executable).with_name("cvid"))
DPRK = "dprk-2018-step-by-step"


def test_simulate_json() -> None:
    res = runner.invoke(
        app,
        [
            "simulate",
            DPRK,
            "--strategy",
            "agreement",
            "--strategy",
            "libya-model",
            "--runs",
            "2000",
            "--months",
            "36",
            "--seed",
            "5",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert (d["seed"], d["runs"], d["months"]) == (5, 2000, 36)
    assert list(d["strategies"]) == ["agreement", "libya-model"]
    s = d["strategies"]["libya-model"]
    assert set(s["outcomes"]) == {
        "verified_cvid",
        "breakdown",
        "stalemate",
        "running",
        "exposed",
        "conflict",
    }
    assert s["concessions_to_cheaters"]["mean"] == 0.0


def test_simulate_tables_and_files(tmp_path: Path) -> None:
    plot = tmp_path / "outcomes.png"
    frame = tmp_path / "outcomes.csv"
    res = runner.invoke(
        app,
        [
            "simulate",
            "libya-2003",
            "--runs",
            "500",
            "--months",
            "24",
            "--plot",
            str(plot),
            "--frame",
            str(frame),
        ],
    )
    assert res.exit_code == 0, res.output
    for name in (
        "agreement",
        "step-by-step",
        "libya-model",
        "freeze-for-freeze",
        "maximum-pressure",
    ):
        assert name in res.stdout
    assert "verified CVID" in res.stdout
    assert plot.stat().st_size > 0
    assert (tmp_path / "outcomes-capability.png").stat().st_size > 0
    df = pd.read_csv(frame)
    assert set(df["outcome"]) == {
        "verified_cvid",
        "breakdown",
        "stalemate",
        "running",
        "exposed",
        "conflict",
    }
    assert "ranking" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", DPRK, "--strategy", "libya"], "unknown strategy 'libya'"),
        (["simulate", DPRK, "--runs", "0"], "runs"),
        (["simulate", DPRK, "--detection-probability", "1.2"], "[0, 1]"),
        (["simulate", "no-such-scenario"], "no such file"),
        (["sweep", DPRK, "--vary", "counterpart.nonsense=0:1:3"], "unknown parameter"),
        (["sweep", DPRK, "--vary", "detection_probability=0:1"], "LO:HI:STEPS"),
        (["sweep", DPRK], "at least one --vary"),
        (
            ["sweep", DPRK, "--vary", "detection_probability=0:1:2", "--out", "x.xlsx"],
            ".parquet or .csv",
        ),
        (
            ["sweep", DPRK, "--vary", "counterpart.decision_hazard_base=0:2:2", "--runs", "10"],
            "decision_hazard_base",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output


def test_priors_not_summing_to_one_exit_2(tmp_path: Path) -> None:
    text = Path(str(__import__("cvid.scenario", fromlist=["example_path"]).example_path(DPRK)))
    bad = text.read_text().replace("sincere = 0.15", "sincere = 0.5")
    path = tmp_path / "bad.toml"
    path.write_text(bad)
    res = runner.invoke(app, ["simulate", str(path), "--runs", "10"])
    assert res.exit_code == 2
    assert "sum to 1.35" in res.stderr


def test_sweep_list_parameters() -> None:
    res = runner.invoke(app, ["sweep", DPRK, "--list-parameters", "--json"])
    assert res.exit_code == 0
    names = json.loads(res.stdout)
    assert "detection_probability" in names
    assert "counterpart.prior.sincere" in names


@pytest.mark.slow
def test_sweep_subprocess_writes_table_and_plot(tmp_path: Path) -> None:
    out, plot = tmp_path / "grid.parquet", tmp_path / "grid.svg"
    proc = subprocess.run(
        [
            CVID,
            "sweep",
            DPRK,
            "--vary",
            "detection_probability=0:0.3:3",
            "--vary",
            "strategy.stall_tolerance_months=3:12:2",
            "--strategy",
            "agreement",
            "--strategy",
            "libya-model",
            "--runs",
            "1000",
            "--months",
            "24",
            "--workers",
            "2",
            "--out",
            str(out),
            "--plot",
            str(plot),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert len(d["rows"]) == 3 * 2 * 2
    df = pd.read_parquet(out)
    assert len(df) == 12
    assert {"detection_probability", "strategy.stall_tolerance_months", "strategy"} <= set(
        df.columns
    )
    assert plot.read_text().startswith("<?xml")


@pytest.mark.slow
def test_subprocess_simulate_and_unreachable_scheduler() -> None:
    proc = subprocess.run(
        [CVID, "simulate", "libya-2003", "--runs", "300", "--months", "12", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["runs"] == 300
    proc = subprocess.run(
        [
            CVID,
            "sweep",
            DPRK,
            "--vary",
            "detection_probability=0:1:2",
            "--runs",
            "10",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--timeout",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "no Dask scheduler answered within 1 s" in proc.stderr
    assert proc.stderr.count("\n") <= 2
