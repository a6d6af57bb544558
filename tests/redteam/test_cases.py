"""The red team on the bundled cases, bad input, the CLI (--json, --report) and best_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.errors import InputError
from cvid.redteam import best_path, path_space, red_team
from cvid.scenario import load_scenario, scenario_from_dict

runner = CliRunner()


def test_libya_every_path_is_exposed_before_any_concession_is_paid() -> None:
    s = load_scenario("libya-2003")
    n = path_space(s).count()
    r = red_team(s, top=n, provision_values=False, change=False)
    assert len(r.paths) == n > 100
    first_release = 2.3  # travel ban lifted, the first concession (libya-2003.toml)
    for p in r.paths:
        assert p.time_to_exposure_months is not None, p.label
        assert p.concessions_before_exposure == (), p.label
        if p.stall_month is None:
            assert (
                p.time_to_exposure_months < first_release or p.first_breach_month >= first_release
            )
    assert r.game.value < r.game.compliance_payoff  # cheating does not pay in Libya


def _unverified() -> dict[str, Any]:
    return {
        "meta": {"name": "no-means"},
        "program": {
            "state": "X",
            "as_of": "2020-01-01",
            "facilities": [
                {"id": "r", "name": "reactor", "kind": "reactor", "thermal_power_mw": 20},
                {
                    "id": "secret",
                    "name": "hidden plant",
                    "kind": "enrichment",
                    "declared": False,
                    "separative_capacity_swu_per_year": 5000,
                },
            ],
        },
        "agreement": {
            "name": "words only",
            "start": "2020-01-01",
            "duration_months": 24,
            "provisions": {"access": "none"},
            "commitments": [
                {
                    "id": "freeze",
                    "kind": "freeze",
                    "targets": ["all-facilities"],
                    "deadline_months": 3,
                },
                {"id": "declare", "kind": "declare", "targets": ["all"], "deadline_months": 1},
            ],
            "concessions": [
                {
                    "id": "aid",
                    "kind": "economic-aid",
                    "month": 6,
                    "requires": ["freeze"],
                    "release_on": "declared",
                }
            ],
        },
        "verification": {"routine_inspections_per_year": 0, "challenge_inspections_per_year": 0},
    }


def test_an_agreement_without_verification_means_is_a_finding_not_an_error() -> None:
    s = scenario_from_dict(_unverified())
    r = red_team(s)
    assert any(f.startswith("every path is undetected") for f in r.findings)
    covert = [p for p in r.paths if p.stall_month is None]
    assert covert and all(p.detection_probability == 0.0 for p in covert)
    assert r.game.value > r.game.compliance_payoff
    bp = best_path(s)
    assert bp is not None and bp.every_path_undetected


def test_cli_json_and_report(tmp_path: Path) -> None:
    out = tmp_path / "rt.html"
    res = runner.invoke(
        app, ["redteam", "libya-2003", "--json", "--top", "3", "--report", str(out)]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert set(d) >= {"game", "paths", "provisions", "cheapest_change", "findings", "assumptions"}
    assert len(d["paths"]) == 3
    assert d["game"]["equilibrium_detection_probability"] > 0.9
    assert {p["provision"] for p in d["provisions"]} >= {
        "anywhere-anytime",
        "access-to-people",
        "access-to-documents",
        "shorter-notice",
        "more-challenge-inspections",
    }
    html = out.read_text()
    assert html.count("<svg") == 2 and "http" not in html.split("<body>")[1].replace(
        "http://www.w3.org", ""
    )
    assert "Value of each verification provision" in html


def test_cli_bad_budget_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["redteam", "libya-2003", "--budget", "-3"])
    assert res.exit_code == 2
    assert "--budget" in res.output and "non-negative" in res.output
    bad = tmp_path / "bad.toml"
    from cvid.scenario import example_path

    bad.write_text(
        example_path("libya-2003").read_text() + "\n[redteam]\nbudget_inspections_per_year = -5\n"
    )
    res = runner.invoke(app, ["redteam", str(bad)])
    assert res.exit_code == 2
    assert "redteam.budget_inspections_per_year" in res.output


def test_red_team_refuses_a_negative_budget_in_the_library() -> None:
    with pytest.raises(InputError):
        red_team(load_scenario("libya-2003"), budget=float("-inf"))


def test_best_path_for_lesson_3() -> None:
    bp = best_path(load_scenario("dprk-2018-step-by-step"))
    assert bp is not None
    assert bp.payoff > bp.compliance_payoff
    assert bp.assumptions_defaulted  # the bundled scenario does not set [redteam]
    d = bp.to_dict()
    assert d["path"] and d["material_sq"]["central"] >= 0


def test_an_agreement_without_commitments_has_no_paths() -> None:
    d = _unverified()
    agreement = dict(d["agreement"])
    agreement["commitments"] = []
    agreement["concessions"] = []
    r = red_team(scenario_from_dict({**d, "agreement": agreement}))
    assert r.game.total_paths == 0 and r.paths == ()
    assert any("no commitment" in f for f in r.findings)
    assert best_path(scenario_from_dict({**d, "agreement": agreement})) is None


def test_column_generation_on_a_large_path_set_prices_every_path() -> None:
    """A doubled DPRK Libya-model agreement (263,296 paths) is solved by column generation;
    the best reply scanned over every path certifies the value (bounds meet)."""
    from cvid.redteam import build, solve

    s = load_scenario("dprk-2018-libya-model")
    d = s.model_dump(by_alias=True, mode="json")
    extra = [{**c, "id": c["id"] + "-b", "after": []} for c in d["agreement"]["commitments"]]
    d["agreement"]["commitments"] += extra
    big = scenario_from_dict(d)
    assert path_space(big).count() > big.redteam.max_paths
    sol = solve(build(big))
    assert sol.method == "column-generation"
    assert abs(sol.upper_bound - sol.lower_bound) <= 1e-6 * (1 + abs(sol.lower_bound))
