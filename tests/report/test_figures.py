"""The data behind every figure (not its pixels): golden files, and independent computations.

Golden files (tests/report/golden/<example>.json) hold the data of the lesson figures of each
bundled example; a change in a figure's numbers shows up here and must be looked at. After an
intended change, regenerate them with ``CVID_UPDATE_GOLDEN=1 pytest tests/report``.

The simulation's figures are not in the golden files (their numbers belong to
``cvid.negotiate``'s own tests); they are checked against the SimulationResult they come from.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import hypergeom, norm

from cvid.assess import Assessment, Report, assess
from cvid.assess import figures as P
from cvid.scenario import Scenario, load_scenario
from tests.report.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CVID_UPDATE_GOLDEN") == "1"


def _assessed(name: str) -> tuple[Scenario, Assessment]:
    s = load_scenario(name)
    return s, assess(s, simulate=False)


def lesson_figures(name: str) -> dict[str, Any]:
    s = load_scenario(name)
    a = assess(s, simulate=False)
    figs = [
        P.timeline_data(s, a),
        P.concessions_data(s, a),
        P.sample_size_data(s, a),
        P.inspections_data(s),
        P.notice_data(s),
        P.site_search_data(s),
        P.sigma_muf_data(s, a),
        P.end_state_data(a),
    ]
    return {f.id: json.loads(json.dumps(f.to_dict()["data"])) for f in figs}


def assert_same(got: Any, want: Any, path: str = "") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert sorted(got) == sorted(want), path
        for k in want:
            assert_same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), path
    else:
        assert got == want, path


@pytest.mark.parametrize("name", EXAMPLES)
def test_figure_data_matches_golden(name: str) -> None:
    got = lesson_figures(name)
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with CVID_UPDATE_GOLDEN=1"
    assert_same(got, json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", EXAMPLES)
def test_sample_size_curve_is_the_hypergeometric_detection_probability(name: str) -> None:
    """P(detect) = 1 − P(no falsified item in the sample) = 1 − h(0; N, M, n) (Avenhaus &
    Canty 1996, ch. 2), computed here with scipy's hypergeometric distribution."""
    d = P.sample_size_data(*_assessed(name)).data
    n = np.asarray(d["n"], dtype=int)
    want = 1.0 - hypergeom.pmf(0, d["items"], d["defects"], n)
    np.testing.assert_allclose(d["detection_probability"], want, rtol=1e-9, atol=1e-12)
    # The planned sample is the smallest that reaches the goal.
    k = d["sample_size"]
    assert want[k] >= d["detection_goal"] > want[k - 1]


@pytest.mark.parametrize("name", EXAMPLES)
def test_sigma_muf_figure_agrees_with_the_closed_form(name: str) -> None:
    """P_D = Φ(SQ/σ − z₁₋α) (Avenhaus & Canty 1996, eq. 3.22): the area of N(SQ, σ) above the
    threshold z₁₋α σ, and the plotted densities integrate to one."""
    d = P.sigma_muf_data(*_assessed(name)).data
    sig, sq, alpha = d["sigma_muf_kg"], d["significant_quantity_kg"], d["false_alarm_probability"]
    assert d["threshold_kg"] == pytest.approx(norm.ppf(1 - alpha) * sig)
    assert d["detection_probability"] == pytest.approx(norm.sf(d["threshold_kg"], sq, sig))
    x = np.asarray(d["muf_kg"])
    for key in ("density_no_diversion", "density_one_sq_diverted"):
        assert np.trapezoid(d[key], x) == pytest.approx(1.0, abs=1e-3)
    assert d["sigma_muf_limit_kg"] == pytest.approx(sq / 3.2897072539029444)


@pytest.mark.parametrize("name", EXAMPLES)
def test_lesson_figures_agree_with_the_assessment(name: str) -> None:
    s = load_scenario(name)
    a = assess(s, simulate=False)
    tl = P.timeline_data(s, a).data
    assert tl["verified_completion_months"] == a.lesson(1).figures["verified_completion_months"]
    assert len(tl["commitments"]) == len(s.agreement.commitments)
    deadlines = [r["deadline_month"] for r in tl["commitments"]]
    assert deadlines == sorted(deadlines)
    assert all(r["start_month"] <= r["deadline_month"] for r in tl["commitments"])

    cd = P.concessions_data(s, a).data
    early = {r["id"] for r in cd["concessions"] if r["early"]}
    assert early == set(a.lesson(2).figures["early_concessions"])
    for key in ("share_concessions_released", "share_commitments_verified"):
        series = np.asarray(cd[key])
        assert np.all(np.diff(series) >= 0) and series[0] >= 0 and series[-1] <= 1
    assert cd["share_concessions_released"][-1] == 1.0

    items = P.end_state_items(a)
    l4 = a.lesson(4).figures
    assert len(items) == l4["items_in_scope"]
    strong = [i for i in items if i["status"] == "irreversible-verified"]
    assert len(strong) == l4["items_irreversibly_covered"]
    uncovered = {u["item"] for u in l4["uncovered_items"]}
    assert uncovered == {i["id"] for i in items if i["status"] != "irreversible-verified"}

    site = P.site_search_data(s).data
    assert np.interp(12, site["months"], site["probability"]) == pytest.approx(
        a.lesson(3).figures["undeclared_site_probability_1y"]
    )
    assert all(
        lo <= p <= hi
        for lo, p, hi in zip(*(site[k] for k in ("low", "probability", "high")), strict=True)
    )


def test_libya_schedule_against_its_benchmark() -> None:
    """Libya 2003–04: the whole program removed within about four months (GOV/2004/33);
    the scenario's last verified step is due at month 3, 0.75 of the benchmark."""
    s = load_scenario("libya-2003")
    d = P.timeline_data(s, assess(s, simulate=False)).data
    assert d["libya_benchmark_months"] == 4
    assert d["verified_completion_months"] == 2.7  # the AP signed 2004-03-10 (UN News)
    assert all(r["verified"] for r in d["commitments"])


@pytest.mark.parametrize("name", EXAMPLES)
def test_simulation_figures_come_from_the_simulation(reports: dict[str, Report], name: str) -> None:
    from tests.report.conftest import RUNS

    sim = assess(name, runs=RUNS, seed=7).simulation_result
    assert sim is not None
    out = reports[name].figures["simulation-outcomes"].data
    assert out["runs"] == RUNS and out["seed"] == 7
    for strategy, r in sim.strategies.items():
        final = r.outcome_probabilities()
        reached = r.to_dict()["reached_by_horizon"]
        assert set(out["strategies"][strategy]) == {
            "verified_cvid",
            "exposed",
            "breakdown",
            "stalemate",
            "conflict",
        }
        for outcome in ("verified_cvid", "exposed", "breakdown", "stalemate", "conflict"):
            series = out["strategies"][strategy][outcome]
            p = np.asarray(series["probability"])
            measure, expected = r.series(outcome)
            assert series["measure"] == measure == out["measures"][outcome]
            np.testing.assert_allclose(p, expected, atol=1e-12)
            se = np.sqrt(p[-1] * (1 - p[-1]) / r.runs)
            assert series["standard_error"][-1] == pytest.approx(se)
            if measure == "reached by month t":
                # verified CVID, exposure, breakdown, conflict: reached by month t
                assert np.all(np.diff(p) >= -1e-12), "a cumulative probability never falls"
                assert p[-1] == pytest.approx(reached[outcome])
                assert p[-1] >= final[outcome] - 1e-12
            else:  # stalemate: the state at month t (talks may resume)
                assert p[-1] == pytest.approx(final[outcome])
        assert out["measures"]["verified_cvid"] == "reached by month t"
        assert out["measures"]["breakdown"] == "reached by month t"
        assert out["measures"]["stalemate"] == "state at month t"
        # verified CVID is absorbing: reached by the horizon is the outcome probability
        assert reached["verified_cvid"] == pytest.approx(final["verified_cvid"])
        # the states at each month add up to one
        np.testing.assert_allclose(r.occupancy().sum(axis=0), 1.0, atol=1e-12)
    cap = reports[name].figures["simulation-capability"].data["strategies"]
    paid = reports[name].figures["simulation-concessions"].data["strategies"]
    d = sim.to_dict()["strategies"]
    for strategy, v in cap.items():
        for key in ("end", "peak"):
            assert v[key]["p10"] <= v[key]["p50"] <= v[key]["p90"]
        assert v["end"]["mean"] == pytest.approx(d[strategy]["capability_kg"]["end"]["mean"])
        assert paid[strategy]["to_cheaters_mean"] <= paid[strategy]["paid_mean"] + 1e-12
        assert 0 <= paid[strategy]["to_cheaters_probability_any"] <= 1
        assert not math.isnan(paid[strategy]["paid_standard_error"])
