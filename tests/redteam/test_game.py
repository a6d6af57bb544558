"""The inspection game: value against the LP dual, best-response checks, column generation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from cvid.redteam import build, enumerate_paths, evaluate, solve, thresholds
from cvid.scenario import Scenario, load_scenario
from cvid.verify import InspectionGame, search_model
from tests.redteam.gen import small_scenarios


def _dual_value(u: np.ndarray) -> float:
    """The inspectorate's LP solved independently: min w s.t. U·y ≤ w, Σy = 1, y ≥ 0."""
    n, m = u.shape
    res = optimize.linprog(
        np.r_[np.zeros(m), 1.0],
        A_ub=np.hstack([u, -np.ones((n, 1))]),
        b_ub=np.zeros(n),
        A_eq=np.r_[np.ones(m), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )
    assert res.status == 0
    return float(res.x[-1])


@settings(max_examples=40, deadline=None)
@given(small_scenarios())
def test_value_equals_lp_dual_and_no_one_gains_by_deviating(s: Scenario) -> None:
    g = build(s)
    sol = solve(g)
    u = sol.payoff
    scale = 1.0 + float(np.max(np.abs(u)))
    assert math.isclose(sol.value, _dual_value(u), abs_tol=1e-7 * scale)
    x, y = sol.path_strategy, sol.allocation_strategy
    assert math.isclose(x.sum(), 1.0) and math.isclose(y.sum(), 1.0)
    # best responses: no path beats the value against y (within the refinement's ε), and
    # no allocation holds the state below it against x
    assert float(np.max(u @ y)) <= sol.value + 1e-3 * (1 + abs(sol.value)) + 1e-9
    assert float(np.min(x @ u)) >= sol.value - 1e-7 * scale


def test_column_generation_reaches_the_lp_value() -> None:
    s = load_scenario("dprk-2018-libya-model")
    full = solve(build(s))
    s_cg = s.model_copy(update={"redteam": s.redteam.model_copy(update={"max_paths": 1})})
    cg = solve(build(s_cg))
    assert cg.method == "column-generation" and full.method == "lp"
    assert len(cg.paths) < full.total_paths
    assert cg.lower_bound <= cg.upper_bound + 1e-12
    assert math.isclose(cg.value, full.value, abs_tol=1e-6)
    assert cg.lower_bound - 1e-6 <= full.value <= cg.upper_bound + 1e-6


def test_site_hazard_is_the_search_model_of_cvid_verify() -> None:
    """A hidden item's cumulative hazard τ months after its breach under allocation j is
    −ln(1 − F(τ)), F from cvid.verify's search model at that challenge rate (persistent
    cueing, search without replacement; no national means in this scenario)."""
    from cvid.redteam.model import site_hazard

    s = load_scenario("libya-2003")
    g = build(s)
    times = np.array([0.0, 1.0, 1.5, 3.0, 12.0])
    lam = site_hazard(g, times)
    for i, it in enumerate(g.space.items):
        for j, c in enumerate(g.alloc.challenge):
            model = search_model(s, inspections_per_year=float(c))
            tau = np.maximum(0.0, times - it.breach_month)
            f = np.asarray(model.probability_within(tau))
            assert np.allclose(lam[i, :, j], -np.log1p(-f), rtol=1e-12, atol=1e-15)


def test_thresholds_are_the_inspection_games_deterrence_probability() -> None:
    """Avenhaus & Canty (1996, §4.2): with no false alarms the least deterring detection
    probability is D/(D + B)."""
    gain = np.array([0.0, 0.5, 1.0, 4.75])
    thr = thresholds(gain, 1.0)
    assert thr[0] == 0.0
    for d, t in zip(gain[1:], thr[1:], strict=True):
        assert math.isclose(t, d / (d + 1.0))
        game = InspectionGame(
            gain=d,
            penalty=1.0,
            inspection_cost=0,
            loss_detected=0,
            loss_undetected=1,
            non_detection=0,
        )
        assert math.isclose(t, float(game.deterrence_detection_probability() or 0))
    assert np.all(thresholds(gain[1:], 0.0) == 1.0)


def test_payoff_of_a_stall_is_concessions_before_it_minus_the_penalty() -> None:
    s = load_scenario("dprk-2018-step-by-step")
    g = build(s)
    paths = enumerate_paths(g.space)
    ev = evaluate(g, paths)
    stalls = np.flatnonzero(
        ~np.isnan(paths.stall) & ~paths.hidden.any(axis=1) & ~paths.hollow.any(axis=1)
    )
    assert stalls.size
    for i in stalls:
        m = paths.stall[i]
        before = float(g.conc.weight[g.conc.release < m].sum())
        assert np.allclose(ev.payoff[i], before - g.penalty)
        assert np.allclose(ev.detection[i], 1.0)


def test_budget_below_zero_is_refused() -> None:
    from cvid.errors import InputError
    from cvid.redteam import red_team

    with pytest.raises(InputError, match="non-negative"):
        red_team(load_scenario("libya-2003"), budget=-1.0)


@settings(max_examples=30, deadline=None)
@given(small_scenarios(), st.floats(0.001, 0.5))
def test_intelligence_exposure_adds_a_hazard_and_never_helps_the_state(
    s: Scenario, x: float
) -> None:
    """A hidden facility's intelligence_exposure_per_month x adds −ln(1 − x)·t to its
    cumulative hazard (t months since the agreement's start) under every allocation and
    nothing to the other items; the cheater's value of the game never rises with it."""
    from hypothesis import assume

    from cvid.redteam.model import site_hazard
    from cvid.scenario import scenario_from_dict

    data = s.model_dump(by_alias=True, mode="json", exclude_none=True)
    hidden = {f["id"] for f in data["program"]["facilities"] if not f.get("declared", True)}
    assume(hidden)
    for f in data["program"]["facilities"]:
        if f["id"] in hidden:
            f["intelligence_exposure_per_month"] = x
    exposed = scenario_from_dict(data)
    g0, g1 = build(s), build(exposed)
    assert [it.id for it in g0.space.items] == [it.id for it in g1.space.items]
    assume(any(it.kind == "facility" and it.id in hidden for it in g0.space.items))
    times = np.array([0.0, 1.0, 6.0, 24.0, 60.0])
    l0, l1 = site_hazard(g0, times), site_hazard(g1, times)
    for i, it in enumerate(g0.space.items):
        extra = -math.log1p(-x) * times if it.kind == "facility" and it.id in hidden else 0 * times
        np.testing.assert_allclose(l1[i], l0[i] + extra[:, None], rtol=1e-12, atol=1e-12)
    v0, v1 = solve(g0).value, solve(g1).value
    assert v1 <= v0 + 1e-6 * (1.0 + abs(v0))
