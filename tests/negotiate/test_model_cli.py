"""The new surfaces of ``cvid simulate``: unreachable diagnosis, ranking with uncertainty,
the sensitivity analysis and its tornado plot, ``explain``, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.errors import InputError
from cvid.negotiate import explain, parse_parameter, sensitivity, simulate
from cvid.scenario import Scenario, example_path, load_scenario, scenario_from_dict

runner = CliRunner()
DPRK = "dprk-2018-step-by-step"


def _with_test_site_verified() -> Scenario:
    data = load_scenario(DPRK).model_dump(by_alias=True, mode="json", exclude_none=True)
    for c in data["agreement"]["commitments"]:
        if c["id"] == "close-test-site":
            c["verification"] = ["on-site-inspection"]
    return scenario_from_dict(data)


def test_unreachable_is_named_not_shown_as_a_distribution() -> None:
    """The step-by-step agreement's test-site closure has no means of verification: the
    result names it, the ranking marks the strategy unreachable, and the table says
    'impossible by construction' instead of '0.000 ± 0.000'. Giving the step a method removes
    that reason (and never turns the remaining diagnosis into a bare 0.00 distribution)."""
    r = simulate(DPRK, ["agreement", "libya-model"], runs=1000, months=36, seed=1).to_dict()
    reasons = r["strategies"]["agreement"]["unreachable"]
    assert any("close-test-site" in x for x in reasons)
    entry = next(x for x in r["ranking"] if x["strategy"] == "agreement")
    assert not entry["reachable"]
    res = runner.invoke(app, ["simulate", DPRK, "-s", "agreement", "-n", "1000", "-t", "36"])
    assert res.exit_code == 0, res.output
    assert "close-test-site" in res.stdout
    assert "unreachable by construction" in res.stdout
    assert "impossible by construction" in res.stdout
    fixed = simulate(_with_test_site_verified(), ["agreement"], runs=1000, months=36, seed=1)
    d = fixed.to_dict()["strategies"]["agreement"]
    assert not any("close-test-site" in x for x in d["unreachable"])
    rank = fixed.to_dict()["ranking"][0]
    assert rank["reachable"] == (not d["unreachable"])


def test_ranking_carries_monte_carlo_uncertainty() -> None:
    r = simulate("libya-2003", runs=2000, months=36, seed=2).to_dict()
    ranks = [x["rank"] for x in r["ranking"]]
    assert ranks == sorted(ranks)
    for x in r["ranking"]:
        assert x["standard_error"] > 0 or x["verified_cvid"] in (0.0, 1.0)
        for other in x["tied_with"]:
            y = next(z for z in r["ranking"] if z["strategy"] == other)
            assert y["rank"] == x["rank"]


def test_explain_is_generated_from_the_result() -> None:
    res = simulate("libya-2003", ["agreement", "step-by-step"], runs=2000, months=36, seed=2)
    text = explain(res)
    d = res.to_dict()
    best = d["ranking"][0]
    assert f"'{best['strategy']}'" in text
    assert f"{best['verified_cvid']:.2f}" in text
    assert "threshold D/(D + B)" in text
    assert "Intelligence outside" not in text  # Libya's file states no such channel
    af = simulate("agreed-framework-1994", ["agreement"], runs=2000, seed=2)
    share = af.to_dict()["strategies"]["agreement"]["detections"]["probability_by_intelligence"]
    assert share > 0.2
    assert f"exposes the hidden facilities in {100 * share:.0f}% of runs under 'agreement'" in (
        explain(af)
    )


def test_sensitivity_ranks_parameters_and_draws_a_tornado(tmp_path: Path) -> None:
    plot = tmp_path / "tornado.svg"
    res = runner.invoke(
        app,
        [
            "simulate", DPRK, "--sensitivity", "-s", "libya-model", "-n", "300", "-t", "24",
            "--trajectories", "2",
            "--parameter", "counterpart.prior.sincere=0.05:0.5",
            "--parameter", "counterpart.decided_step_probability=0.4:0.95",
            "--plot", str(plot), "--json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    rows = d["indices"]["libya-model"]
    assert [x["rank"] for x in rows] == [1, 2]
    assert rows[0]["mu_star"] >= rows[1]["mu_star"]
    assert rows[0]["parameter"] == "counterpart.prior.sincere"  # more sincere states, more CVID
    assert plot.read_text().startswith("<?xml")


@pytest.mark.slow
def test_sensitivity_in_two_processes_equals_one() -> None:
    """The points are independent simulations from one seed: a pool of two worker processes
    gives exactly the serial result."""
    params = {
        "counterpart.decision_hazard_base": (0.0005, 0.005),
        "detection_probability": (0.0, 0.3),
    }
    kwargs = {"runs": 400, "months": 24, "seed": 3, "trajectories": 2}
    one = sensitivity(DPRK, ["libya-model"], params, workers=1, **kwargs)  # type: ignore[arg-type]
    two = sensitivity(DPRK, ["libya-model"], params, workers=2, **kwargs)  # type: ignore[arg-type]
    assert one.to_dict() == two.to_dict()
    with pytest.raises(InputError, match="worker"):
        sensitivity(DPRK, ["libya-model"], params, workers=0, **kwargs)  # type: ignore[arg-type]


def test_sensitivity_api_refuses_unknown_parameter() -> None:
    with pytest.raises(InputError, match=r"unknown sensitivity parameter 'counterpart\.nope'"):
        sensitivity(DPRK, ["agreement"], {"counterpart.nope": (0.0, 1.0)}, runs=10)
    assert parse_parameter("a.b=0:1") == ("a.b", (0.0, 1.0))


def _bad_file(tmp_path: Path, old: str, new: str, append: str = "") -> Path:
    text = example_path(DPRK).read_text()
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "bad.toml"
    path.write_text(text + append)
    return path


@pytest.mark.parametrize(
    ("old", "new", "append", "message"),
    [
        ("", "", '\n[[strategies]]\nname = "mine"\nrelease_on = "posterior"\n'
         "min_sincere_probability = 1.0\n", "min_sincere_probability"),
        ("economic_vulnerability = 0.4", "economic_vulnerability = 0.4\n"
         "detection_penalty = { time-buyer = -1 }", "", "detection_penalty"),
        ("", "", '\n[[pressure.instruments]]\nid = "x"\nkind = "bribery"\nshare = 0.5\n', "kind"),
        ("", "", '\n[[pressure.instruments]]\nid = "x"\nkind = "interdiction"\nshare = 1.5\n',
         "share"),
    ],
)  # fmt: skip
def test_bad_model_input_exits_2_naming_the_field(
    tmp_path: Path, old: str, new: str, append: str, message: str
) -> None:
    path = _bad_file(tmp_path, old, new, append)
    res = runner.invoke(app, ["simulate", str(path), "--runs", "10"])
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output


def test_unknown_sensitivity_parameter_exits_2() -> None:
    res = runner.invoke(
        app, ["simulate", DPRK, "--sensitivity", "--parameter", "counterpart.nope=0:1"]
    )
    assert res.exit_code == 2, res.output
    assert "counterpart.nope" in res.stderr


@pytest.mark.slow
def test_simulate_sensitivity_workers_gives_the_same_json() -> None:
    """``cvid simulate --sensitivity --workers N``: the same JSON for one and two workers."""
    args = [
        "simulate", DPRK, "--sensitivity", "-s", "libya-model", "-n", "200", "-t", "12",
        "--trajectories", "2", "--parameter", "detection_probability=0:0.3",
        "--parameter", "counterpart.decision_hazard_base=0.0005:0.005", "--json",
    ]  # fmt: skip
    outs = []
    for n in ("1", "2"):
        res = runner.invoke(app, [*args, "--workers", n])
        assert res.exit_code == 0, res.output
        outs.append(json.loads(res.stdout))
    assert outs[0] == outs[1]
    assert outs[0]["runs"] == 200


@pytest.mark.parametrize("n", ["0", "-1"])
def test_simulate_workers_below_one_exits_2(n: str) -> None:
    res = runner.invoke(app, ["simulate", DPRK, "--sensitivity", "--workers", n])
    assert res.exit_code == 2, res.output
    assert "--workers" in res.stderr and "at least one worker" in res.stderr
    assert "Traceback" not in res.output


def test_simulate_workers_without_sensitivity_exits_2() -> None:
    res = runner.invoke(app, ["simulate", DPRK, "-n", "10", "--workers", "2"])
    assert res.exit_code == 2, res.output
    assert "--workers" in res.stderr and "only with --sensitivity" in res.stderr
