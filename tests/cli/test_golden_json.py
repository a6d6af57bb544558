"""The ``--json`` output of every computing command on the bundled examples, against golden files.

Written before issue 17's moves (typed results, ``verify/analysis.py``, the ``compliance/``
split) so that each move is shown to leave every command's JSON content unchanged. Floats are
compared to 1e-9 relative (the same run on another BLAS may differ in the last bits); every
other value, every key and every list length must be equal.

Values that are not the command's result are normalized before the comparison: the temporary
folder becomes ``<tmp>``, the bundled examples' folder ``<examples>`` and the package's
folder ``<package>``; a ledger's random
origin and the keys and notes signed under it are listed per case in :data:`VOLATILE`.

After an intended change of output, regenerate with
``CVID_UPDATE_GOLDEN=1 pytest tests/cli/test_golden_json.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cvid.cli import app

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cli"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "cvid"
EXAMPLES_DIR = PACKAGE_DIR / "examples"
UPDATE = os.environ.get("CVID_UPDATE_GOLDEN") == "1"
EXAMPLES = (
    "agreed-framework-1994",
    "dprk-2018-libya-model",
    "dprk-2018-step-by-step",
    "libya-2003",
    "six-party-2007",
)
STREAMS = ("libya-2003", "six-party-2007")
MATRIX_CSV = ",left,right\ntop,3,-1\nbottom,-2,1\n"
BALANCE = str(EXAMPLES_DIR / "data" / "sample-balance.csv")

#: name → arguments after ``cvid`` (``{tmp}`` is the session's temporary folder).
CASES: dict[str, list[str]] = {
    "examples": ["examples"],
    "data-list": ["data", "list"],
    "data-show-dprk-nuclear-tests": ["data", "show", "dprk-nuclear-tests"],
    "ledger-kinds": ["ledger", "kinds"],
    "plan-sampling-goal": [
        *("plan", "sampling", "--items", "100", "--goal-kg", "8", "--item-kg", "4"),
        *("--detect", "0.9"),
    ],
    "plan-sampling-defects": [
        *("plan", "sampling", "--items", "50", "--defects", "3", "--detect", "0.95"),
    ],
    "plan-balance": [
        *("plan", "balance", BALANCE, "--random-rsd", "0.01", "--systematic-rsd", "0.005"),
        *("--diversion-kg", "2", "--pattern", "protracted", "--replications", "2000"),
    ],
    "plan-balance-abrupt": [
        *("plan", "balance", BALANCE, "--random-rsd", "0.02", "--systematic-rsd", "0.01"),
        *("--diversion-kg", "3", "--at-period", "4", "--calibration-periods", "6"),
        *("--replications", "2000", "--seed", "3"),
    ],
    "plan-balance-no-loss": [
        *("plan", "balance", BALANCE, "--random-rsd", "0.01", "--systematic-rsd", "0.005"),
        *("--replications", "2000"),
    ],
    "plan-search": ["plan", "search"],
    "plan-search-managed": [
        *("plan", "search", "--access", "managed", "--sites", "40", "--cueing", "0.1"),
        *("--conceal-hours", "48", "--months", "24"),
    ],
    "plan-production-dprk-2008": [
        *("plan", "production", "--record", "dprk-2008", "--replications", "20000"),
    ],
    "plan-production-reactor": [
        *("plan", "production", "--thermal-mw", "20:25", "--days", "900"),
        *("--capacity-factor", "0.6:0.8", "--declared-kg", "30", "--replications", "20000"),
    ],
    "plan-production-swu": [
        *("plan", "production", "--swu", "8000:12000", "--declared-kg", "20"),
        *("--replications", "20000"),
    ],
    "game-inspection": [
        *("game", "inspection", "--gain", "1", "--penalty", "1", "--inspection-cost", "0.1"),
        *("--loss-detected", "0.5", "--loss-undetected", "1", "--non-detection", "0.1"),
        *("--false-alarm", "0.05", "--false-alarm-cost", "0.2"),
        *("--false-alarm-cost-inspectee", "0.1"),
    ],
    "game-dresher": ["game", "dresher", "--periods", "6", "--inspections", "2"],
    "game-matrix": ["game", "matrix", "{tmp}/matrix.csv"],
}
for _name in EXAMPLES:
    CASES[f"scenario-validate-{_name}"] = ["scenario", "validate", _name]
    CASES[f"assess-{_name}"] = ["assess", _name]
    CASES[f"plan-search-{_name}"] = ["plan", "search", "--scenario", _name]
    CASES[f"simulate-{_name}"] = ["simulate", _name, "--runs", "300"]
    CASES[f"redteam-{_name}"] = ["redteam", _name]
CASES["simulate-sensitivity-libya-2003"] = [
    *("simulate", "libya-2003", "--sensitivity", "-s", "agreement", "-s", "libya-model"),
    *("--runs", "60", "--trajectories", "2", "--parameter", "counterpart.prior.sincere=0.1:0.5"),
    *("--parameter", "detection_probability=0:0.3"),
]
CASES["sweep-libya-2003"] = [
    *("sweep", "libya-2003", "--runs", "100", "--workers", "1", "-s", "agreement"),
    *("--vary", "counterpart.prior.sincere=0.2:0.8:2"),
]
CASES["sweep-parameters-libya-2003"] = ["sweep", "libya-2003", "--list-parameters"]
for _name in STREAMS:
    db = f"{{tmp}}/{_name}.db"
    CASES[f"ledger-replay-{_name}"] = ["ledger", "replay", f"{{tmp}}/replay-{_name}.db", _name]
    CASES[f"status-{_name}"] = ["status", "--ledger", db, "--scenario", _name, "--at", "2010-01-01"]
    CASES[f"status-beliefs-{_name}"] = [
        *("status", "--ledger", db, "--scenario", _name, "--at", "2010-01-01", "--beliefs"),
    ]
    CASES[f"ledger-show-{_name}"] = ["ledger", "show", db, "2"]
    CASES[f"ledger-proof-{_name}"] = ["ledger", "proof", db, "3"]
    CASES[f"ledger-consistency-{_name}"] = ["ledger", "consistency", db, "4", "9"]
    CASES[f"ledger-verify-{_name}"] = ["ledger", "verify", db]
    CASES[f"ledger-checkpoint-{_name}"] = ["ledger", "checkpoint", db]
CASES["status-libya-2003-mid"] = [
    *("status", "--ledger", "{tmp}/libya-2003.db", "--scenario", "libya-2003"),
    *("--at", "2004-01-15"),
]

#: Keys (at any depth) whose values depend on the ledger's random origin, the clock or timing.
VOLATILE: dict[str, frozenset[str]] = {
    "ledger-checkpoint-libya-2003": frozenset({"origin", "verifier_key", "note"}),
    "ledger-checkpoint-six-party-2007": frozenset({"origin", "verifier_key", "note"}),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder holding the matrix CSV and one replayed ledger per evidence stream."""
    tmp = tmp_path_factory.mktemp("golden")
    (tmp / "matrix.csv").write_text(MATRIX_CSV, encoding="utf-8")
    for stream in STREAMS:
        res = CliRunner().invoke(app, ["ledger", "replay", str(tmp / f"{stream}.db"), stream])
        assert res.exit_code == 0, res.output
    return tmp


def normalize(value: Any, tmp: str, volatile: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: "<volatile>" if k in volatile else normalize(v, tmp, volatile)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [normalize(v, tmp, volatile) for v in value]
    if isinstance(value, str):
        return (
            value.replace(tmp, "<tmp>")
            .replace(str(EXAMPLES_DIR), "<examples>")
            .replace(str(PACKAGE_DIR), "<package>")
        )
    return value


def assert_same(got: Any, want: Any, path: str = "$") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert sorted(got) == sorted(want), f"{path}: keys differ"
        for k in want:
            assert_same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list), path
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert isinstance(got, int | float), path
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), path
    else:
        assert got == want, path
        assert type(got) is type(want), f"{path}: {type(got).__name__} != {type(want).__name__}"


def run(name: str, tmp: Path) -> Any:
    argv = [a.replace("{tmp}", str(tmp)) for a in CASES[name]]
    res = CliRunner().invoke(app, [*argv, "--json"])
    assert res.exit_code == 0, f"cvid {' '.join(argv)} --json: {res.output}"
    return normalize(json.loads(res.stdout), str(tmp), VOLATILE.get(name, frozenset()))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_matches_golden(name: str, workdir: Path) -> None:
    got = run(name, workdir)
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with CVID_UPDATE_GOLDEN=1"
    assert_same(got, json.loads(path.read_text(encoding="utf-8")))


def test_every_golden_file_has_a_case() -> None:
    """A golden file whose case was removed would otherwise go unchecked."""
    stale = sorted(p.stem for p in GOLDEN.glob("*.json") if p.stem not in CASES)
    assert stale == []
