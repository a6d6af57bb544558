"""The public API: simulate(), results, strategies, compile rules, production rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from cvid.errors import InputError
from cvid.negotiate import (
    OUTCOMES,
    PRESETS,
    SimulationResult,
    agreement_strategy,
    libya_model_strategy,
    plot_capability,
    plot_outcomes,
    resolve_strategy,
    simulate,
    strategy_names,
)
from cvid.negotiate.compile import compile_strategy, is_hard, ordered_commitments
from cvid.negotiate.engine import BLOCK_SIZE, block_sizes, empty_summary, simulate_block
from cvid.negotiate.production import production_model
from cvid.negotiate.simulation import CUMULATIVE_OUTCOMES, compile_all, run_blocks
from cvid.scenario import ScenarioError, examples, load_scenario, loads_scenario

DPRK = "dprk-2018-step-by-step"


@pytest.mark.parametrize("name", [n for n, _ in examples()])
def test_every_bundled_example_simulates_with_every_strategy(name: str) -> None:
    r = simulate(name, runs=400, months=36, seed=1)
    d = r.to_dict()
    assert set(d["strategies"]) == set(strategy_names(load_scenario(name)))
    for s in d["strategies"].values():
        assert math.isclose(sum(s["outcomes"].values()), 1.0)
        assert 0.0 <= s["detection_probability"] <= 1.0


def test_json_shape_is_the_documented_one() -> None:
    d = simulate(DPRK, ["agreement", "libya-model"], runs=1000, months=48, seed=3).to_dict()
    assert {"seed", "runs", "months", "strategies"} <= set(d)
    assert (d["seed"], d["runs"], d["months"]) == (3, 1000, 48)
    for s in d["strategies"].values():
        assert set(s["outcomes"]) == set(OUTCOMES)
        assert set(OUTCOMES) >= {"exposed", "conflict", "verified_cvid", "breakdown"}
        assert math.isclose(sum(s["outcomes"].values()), 1.0)
        assert set(s["standard_errors"]) == set(s["outcomes"])
        for t in ("sincere", "time-buyer", "hedger"):
            c = s["clandestine_production"][t]
            assert {"mean", "p10", "p50", "p90"} <= set(c["kg"])
            assert {"mean", "p10", "p50", "p90"} <= set(c["significant_quantities"])
            assert len(s["posterior"][t]) == 49
        for m in range(49):
            assert math.isclose(sum(s["posterior"][t][m] for t in s["posterior"]), 1.0)
        assert isinstance(s["unreachable"], list)
        assert set(s["outcomes_by_type"]) == {"sincere", "time-buyer", "hedger"}
        for q in s["months_to_outcome"].values():
            assert q is None or {"p10", "p50", "p90", "mean"} <= set(q)
        assert {"end", "peak"} <= set(s["capability_kg"])
        assert {"mean", "p10", "p50", "p90"} <= set(s["concessions_paid"])
        assert {"mean", "p10", "p50", "p90"} <= set(s["concessions_to_cheaters"])


def test_standard_errors_are_binomial() -> None:
    r = simulate(DPRK, ["libya-model"], runs=2500, months=36, seed=2).strategies["libya-model"]
    for outcome, p in r.outcome_probabilities().items():
        assert math.isclose(r.standard_errors()[outcome], math.sqrt(p * (1 - p) / 2500))


def test_quantiles_match_numpy_on_the_same_runs() -> None:
    """Quantiles read from the summary's histograms equal numpy's lower quantiles of the
    per-run values (months are integers; shares sit on a 1/1000 grid)."""
    from cvid.negotiate.engine import run_block

    sc = load_scenario(DPRK)
    compiled = compile_all(sc, ["step-by-step"], 60, 0.05)
    c = compiled["step-by-step"]
    runs = run_block(c, 0, 0, 3000)
    d = simulate(DPRK, ["step-by-step"], runs=3000, months=60, seed=0, detection_probability=0.05)
    s = d.to_dict()["strategies"]["step-by-step"]
    for q in (10, 50, 90):
        ended = runs.end_month[runs.status == 2]
        assert s["months_to_outcome"]["breakdown"][f"p{q}"] == np.quantile(
            ended, q / 100, method="inverted_cdf"
        )
        assert s["clandestine_months"][f"p{q}"] == np.quantile(
            runs.clandestine_months, q / 100, method="inverted_cdf"
        )
        paid = np.quantile(runs.paid, q / 100, method="inverted_cdf")
        assert abs(s["concessions_paid"][f"p{q}"] - paid) <= 1e-3
        cap = np.quantile(runs.capability_end_kg.sum(axis=0), q / 100, method="inverted_cdf")
        width = c.production.capability_bound_kg(60) / 1023
        assert abs(s["capability_kg"]["end"][f"p{q}"] - cap) <= width
    assert math.isclose(s["capability_kg"]["end"]["mean"], runs.capability_end_kg.sum(0).mean())


def test_same_seed_same_numbers_different_seed_different() -> None:
    a = simulate(DPRK, ["agreement"], runs=3000, months=36, seed=9).to_dict()
    b = simulate(DPRK, ["agreement"], runs=3000, months=36, seed=9).to_dict()
    c = simulate(DPRK, ["agreement"], runs=3000, months=36, seed=10).to_dict()
    assert a == b
    assert a["strategies"] != c["strategies"]


def test_numbers_do_not_depend_on_how_blocks_are_split() -> None:
    """Blocks merged in one pass, in two halves, or in reverse order give the same summary."""
    sc = load_scenario(DPRK)
    compiled = compile_all(sc, ["agreement", "step-by-step"], 24, 0.1)
    blocks = list(enumerate(block_sizes(3 * BLOCK_SIZE // 2 + 17)))
    assert [size for _, size in blocks] == [BLOCK_SIZE, BLOCK_SIZE // 2 + 17]
    whole = run_blocks(compiled, 5, blocks)
    first, second = run_blocks(compiled, 5, blocks[:1]), run_blocks(compiled, 5, blocks[1:])
    reverse = run_blocks(compiled, 5, blocks[::-1])
    for name in compiled:
        merged = empty_summary(compiled[name]).merge(second[name]).merge(first[name])
        for other in (merged, reverse[name]):
            np.testing.assert_array_equal(whole[name].outcome_month, other.outcome_month)
            np.testing.assert_array_equal(whole[name].paid_hist, other.paid_hist)
            for key in whole[name].sums:
                assert whole[name].total(key) == other.total(key)  # exactly


def test_strategies_face_the_same_counterparts() -> None:
    """Common random numbers: the type of each run does not depend on the strategy."""
    sc = load_scenario(DPRK)
    compiled = compile_all(sc, ["agreement", "libya-model"], 12, 0.1)
    a = simulate_block(compiled["agreement"], 1, 0, 5000)
    b = simulate_block(compiled["libya-model"], 1, 0, 5000)
    np.testing.assert_array_equal(a.outcome_by_type.sum(axis=1), b.outcome_by_type.sum(axis=1))


def test_frame_is_probability_over_time() -> None:
    """The frame has each outcome as the state at month t (these sum to 1) and, for the
    outcomes reported cumulatively, as reached by month t: never falling, equal to the state
    for the absorbing ones, at least the state otherwise, and at the horizon the JSON's
    ``reached_by_horizon``."""
    r = simulate(
        DPRK, ["libya-model", "maximum-pressure"], runs=2000, months=60, seed=4,
        detection_probability=0.1,
    )  # fmt: skip
    df = r.to_frame()
    assert isinstance(df, pd.DataFrame)
    assert set(df.columns) == {
        "strategy", "month", "outcome", "measure", "probability", "standard_error",
    }  # fmt: skip
    n_series = len(OUTCOMES) + len(CUMULATIVE_OUTCOMES)
    assert len(df) == 2 * n_series * 61
    state = df[df["measure"] == "state at month t"]
    reached = df[df["measure"] == "reached by month t"]
    assert set(reached["outcome"]) == set(CUMULATIVE_OUTCOMES)
    total = state.groupby(["strategy", "month"])["probability"].sum()
    np.testing.assert_allclose(total, 1.0)
    key = ["strategy", "outcome", "month"]
    s_idx = state.set_index(key)["probability"].sort_index()
    for (name, outcome), part in reached.groupby(["strategy", "outcome"]):
        p = part.sort_values("month")["probability"].to_numpy()
        assert (np.diff(p) >= -1e-12).all(), (name, outcome)
        in_state = s_idx.xs((name, outcome)).sort_index().to_numpy()
        assert (p >= in_state - 1e-12).all()
        if outcome in ("verified_cvid", "conflict"):
            np.testing.assert_allclose(p, in_state, atol=1e-12)
    # some runs walk away and come back (stalemate here): the two measures differ
    libya = r.strategies["libya-model"]
    came_back = libya.cumulative()[1:, -1] - libya.occupancy()[1:, -1]
    assert came_back.min() >= -1e-12 and came_back.max() > 0.05
    last = state[state["month"] == 60].set_index(["strategy", "outcome"])["probability"]
    last_reached = reached[reached["month"] == 60].set_index(["strategy", "outcome"])
    for name, s in r.to_dict()["strategies"].items():
        for outcome, p in s["outcomes"].items():
            assert math.isclose(last[(name, outcome)], p, abs_tol=1e-12)
        for outcome in CUMULATIVE_OUTCOMES:
            got = last_reached.loc[(name, outcome), "probability"]
            assert math.isclose(got, s["reached_by_horizon"][outcome], abs_tol=1e-12)
            assert s["reached_by_horizon"][outcome] >= s["outcomes"][outcome] - 1e-12
    summary = r.summary_frame()
    assert list(summary["strategy"]) == ["libya-model", "maximum-pressure"]


def test_plots_draw_every_strategy() -> None:
    r = simulate(DPRK, ["agreement", "libya-model"], runs=500, months=24, seed=4)
    fig = plot_outcomes(r)
    assert len(fig.axes) == len(OUTCOMES)
    assert len(fig.axes[0].get_lines()) == 2
    fig2 = plot_capability(r)
    assert len(fig2.axes) == 1


def test_detection_probability_per_month_is_used() -> None:
    """Detection only in month 5: talks end by detection in month 5 and no other month (the
    states know it: cheating that month is deterred for most, not for all)."""
    p = np.zeros(12)
    p[4] = 0.05
    r = simulate(
        DPRK, ["libya-model"], runs=4000, months=12, seed=1, detection_probability=p
    ).strategies["libya-model"]
    caught = r.summary.outcome_month[OUTCOMES.index("exposed")]
    assert caught[5] > 0
    assert caught.sum() == caught[5]


def test_regime_detection_probability_comes_from_verify() -> None:
    from cvid.verify import monthly_detection_probability

    sc = load_scenario("dprk-2018-libya-model")
    r = simulate(sc, ["agreement"], runs=100, months=12, seed=0)
    expected = monthly_detection_probability(sc)
    assert math.isclose(r.strategies["agreement"].detection_probability, expected)


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError, match=r"unknown strategy 'libya'.*did you mean 'libya-model'"):
        simulate(DPRK, ["libya"], runs=10)
    with pytest.raises(InputError, match="runs"):
        simulate(DPRK, runs=0)
    with pytest.raises(InputError, match="months"):
        simulate(DPRK, months=0)
    with pytest.raises(InputError, match="seed"):
        simulate(DPRK, seed=-1)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        simulate(DPRK, runs=10, detection_probability=1.5)
    with pytest.raises(InputError, match="monthly values"):
        simulate(DPRK, runs=10, months=12, detection_probability=[0.1, 0.2])


SCENARIO = """
[meta]
name = "t"
[program]
state = "X"
as_of = 2020-01-01
[agreement]
name = "A"
duration_months = 12
[[agreement.commitments]]
id = "declare"
kind = "declare"
deadline_months = 1
verification = ["document-review"]
"""


def test_priors_that_do_not_sum_to_one_are_refused() -> None:
    bad = SCENARIO + "[counterpart.prior]\nsincere = 0.5\ntime-buyer = 0.4\nhedger = 0.3\n"
    with pytest.raises(ScenarioError, match=r"sum to 1\.2"):
        loads_scenario(bad)


def test_probabilities_outside_unit_interval_are_refused() -> None:
    with pytest.raises(ScenarioError, match=r"counterpart\.decided_step_probability"):
        loads_scenario(SCENARIO + "[counterpart]\ndecided_step_probability = 1.5\n")
    with pytest.raises(ScenarioError, match="hedger"):
        loads_scenario(SCENARIO + "[counterpart.verified_step_probability]\nhedger = -0.1\n")
    with pytest.raises(ScenarioError, match="nested"):
        loads_scenario(SCENARIO + "[counterpart.verified_step_probability]\nhedger = 0.9\n")
    with pytest.raises(ScenarioError, match="unknown counterpart type 'cheater'"):
        loads_scenario(SCENARIO + "[counterpart.clandestine_share]\ncheater = 0.5\n")


def test_custom_strategies_in_the_scenario_file() -> None:
    text = SCENARIO + (
        '[[strategies]]\nname = "verify-first"\nrelease_on = "verified"\n'
        'release_steps = "irreversible"\ndemand_first = "declaration"\n'
    )
    sc = loads_scenario(text)
    assert "verify-first" in strategy_names(sc)
    assert resolve_strategy(sc, "verify-first").release_steps == "irreversible"
    r = simulate(sc, ["verify-first"], runs=200, months=12, detection_probability=0.1)
    assert "verify-first" in r.strategies
    clash = SCENARIO + '[[strategies]]\nname = "libya-model"\n'
    with pytest.raises(ScenarioError, match="preset"):
        loads_scenario(clash)
    twice = SCENARIO + '[[strategies]]\nname = "a"\n[[strategies]]\nname = "a"\n'
    with pytest.raises(ScenarioError, match="duplicate"):
        loads_scenario(twice)


def test_agreement_strategy_reads_the_agreement() -> None:
    step = agreement_strategy(load_scenario(DPRK))
    assert step.release_on == "declared"  # relief on declared steps in that deal
    assert step.release_steps == "agreement"
    libya = agreement_strategy(load_scenario("libya-2003"))
    assert libya.release_on == "verified"
    assert libya_model_strategy().release_steps == "completion"
    assert libya_model_strategy().release_on == "verified"
    assert set(PRESETS) == {"step-by-step", "libya-model", "freeze-for-freeze", "maximum-pressure"}


def test_agreement_tranches_follow_the_concessions() -> None:
    """DPRK step-by-step: six concessions without values (equal shares): the exercise
    suspension is up front (month 0, requires nothing), the others at the step that completes
    what they require."""
    sc = load_scenario(DPRK)
    c = compile_strategy(sc, agreement_strategy(sc), 0.1, 60)
    assert math.isclose(c.upfront, 1 / 6)
    assert math.isclose(c.upfront + c.tranche.sum() + c.scheduled.sum(), 1.0)
    by_step = dict(zip(c.step_ids, c.tranche, strict=True))
    assert math.isclose(by_step["freeze-yongbyon"], 2 / 6)  # relief and liaison offices
    assert math.isclose(by_step["close-test-site"], 1 / 6)  # end-of-war declaration
    assert by_step["dismantle-weapons"] == 0.0


def test_demand_first_reorders_steps() -> None:
    sc = load_scenario(DPRK)
    libya = ordered_commitments(sc, libya_model_strategy())
    assert libya[0].kind == "declare"
    freeze = ordered_commitments(sc, resolve_strategy(sc, "step-by-step"))
    assert [c.kind for c in freeze[:2]] == ["freeze", "freeze"]
    agreed = ordered_commitments(sc, agreement_strategy(sc))
    deadlines = [c.deadline_months for c in agreed]
    assert deadlines == sorted(deadlines)


def test_hard_steps() -> None:
    sc = load_scenario("libya-2003")
    kinds = {c.id: is_hard(c) for c in sc.agreement.commitments}
    assert kinds["declare-all"]  # a complete declaration exposes the hidden program
    assert kinds["access-all"]
    step = load_scenario(DPRK)
    hard = {c.id: is_hard(c) for c in step.agreement.commitments}
    assert not hard["freeze-yongbyon"]
    assert not hard["declare-facilities"]  # a partial declaration
    assert hard["dismantle-yongbyon"]


def test_production_rates_from_facilities() -> None:
    """Yongbyon 5 MWe at 20–25 MWt, capacity factor 0.5–0.8, 0.9–1.0 g/MWd gives 3.3–7.3 kg
    Pu a year (research notes: 5–7 kg a year at full operation); HEU at ~0.9 assay with 0.3 %
    tails takes about 193 SWU per kg of product (value-function closed form)."""
    sc = load_scenario(DPRK)
    p = production_model(sc)
    pu = next(r for r in p.rates if r.facility_id == "yongbyon-5mwe")
    low = 20 * 0.5 * 0.9 * 365 / 1000
    high = 25 * 0.8 * 1.0 * 365 / 1000
    draws = pu.sample(np.random.default_rng(0), 10_000) * 12
    assert low - 1e-9 <= draws.min() and draws.max() <= high + 1e-9
    assert math.isclose(pu.high * 12, high)

    # SWU per kg of product by the value function V(x) = (2x − 1) ln(x / (1 − x)), written out
    # here independently: F/P = (xp − xt)/(xf − xt), T/P = F/P − 1
    def v(x: float) -> float:
        return (2 * x - 1) * math.log(x / (1 - x))

    xp, xf, xt = 0.9, 0.00711, 0.003
    fp = (xp - xt) / (xf - xt)
    swu = v(xp) + (fp - 1) * v(xt) - fp * v(xf)
    assert 190 < swu < 196
    heu = next(r for r in p.rates if r.facility_id == "yongbyon-enrichment")
    assert math.isclose(heu.high, 16000 / 12 / swu * 0.9)
    assert p.materials == ("plutonium", "heu")
    hidden = [r.facility_id for r in p.rates if not r.declared]
    assert hidden == ["second-enrichment-site"]


def test_simulation_result_is_frozen() -> None:
    r = simulate(DPRK, ["agreement"], runs=100, months=6)
    assert isinstance(r, SimulationResult)
    # a frozen pydantic model refuses assignment with a ValidationError ("frozen_instance")
    with pytest.raises(ValidationError, match="frozen"):
        r.runs = 5  # type: ignore[misc]


def test_memory_does_not_grow_with_runs() -> None:
    """Runs are simulated in fixed blocks and reduced to histograms: the peak of traced
    allocations for 4× the runs stays within 10 % (numpy reports its buffers to tracemalloc)."""
    import tracemalloc

    peaks = []
    for runs in (40_000, 160_000):
        tracemalloc.start()
        simulate(DPRK, ["step-by-step"], runs=runs, months=60, detection_probability=0.05)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.1 * peaks[0]
    assert peaks[0] < 64 * 2**20


def test_minimal_scenarios_simulate() -> None:
    """No program items and no concessions: capability stays zero; an agreement without
    commitments is one verified dismantlement of everything; a one-month horizon works."""
    bare = SCENARIO.split("[[agreement.commitments]]")[0]
    sc = loads_scenario(
        bare + "[counterpart.prior]\nsincere = 1.0\ntime-buyer = 0.0\nhedger = 0.0\n"
    )
    assert sc.agreement.commitments == []
    r = simulate(sc, ["libya-model", "agreement"], runs=3000, months=24, detection_probability=0.1)
    q = sc.counterpart.decided_step_probability
    for name, s in r.to_dict()["strategies"].items():
        assert s["capability_kg"]["end"]["mean"] == 0.0
        assert s["capability_kg"]["peak"]["p90"] == 0.0
        assert s["steps"] == ["dismantle-everything"]
        # a sincere state completes the single step in month m with probability
        # q(1 − q)^(m − 1); it is walked away from if it fails `tol` months in a row after
        # the step's deadline (month 1), i.e. it has months 1 .. tol + 1
        tol = int(r.strategies[name].spec.stall_tolerance_months or 23) + 1
        p_cvid = 1 - (1 - q) ** tol
        se = math.sqrt(p_cvid * (1 - p_cvid) / 3000)
        assert abs(s["outcomes"]["verified_cvid"] - p_cvid) <= 4.5 * se + 1e-12, name
        mean = sum(m * q * (1 - q) ** (m - 1) for m in range(1, tol + 1)) / p_cvid
        assert abs(s["months_to_outcome"]["verified_cvid"]["mean"] - mean) < 0.05, name
    one = simulate(DPRK, ["agreement"], runs=500, months=1, detection_probability=0.5)
    assert one.months == 1
    assert math.isclose(sum(one.to_dict()["strategies"]["agreement"]["outcomes"].values()), 1.0)
