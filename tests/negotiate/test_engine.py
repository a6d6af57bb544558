"""The vectorized engine against the scalar reference (tests/negotiate/reference.py), and the
model's logic on cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvid.negotiate.compile import compile_strategy
from cvid.negotiate.engine import (
    BREAKDOWN,
    STALEMATE,
    VERIFIED_CVID,
    Compiled,
    block_generator,
    draw_initial,
    run_block,
)
from cvid.negotiate.strategies import PRESETS, resolve_strategy
from cvid.scenario import Scenario, StrategySpec, load_scenario, scenario_from_dict
from tests.negotiate.reference import reference_runs

DPRK = "dprk-2018-step-by-step"


def compiled(
    scenario: str | Scenario, strategy: str | StrategySpec, p: float = 0.05, months: int = 60
) -> Compiled:
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    spec = resolve_strategy(sc, strategy) if isinstance(strategy, str) else strategy
    return compile_strategy(sc, spec, p, months)


def with_counterpart(name: str, **changes: object) -> Scenario:
    data = load_scenario(name).model_dump(by_alias=True, mode="json", exclude_none=True)
    data["counterpart"].update(changes)
    return scenario_from_dict(data)


CASES = [
    (DPRK, "agreement", 0.05),
    (DPRK, "step-by-step", 0.1),
    (DPRK, "libya-model", 0.05),
    (DPRK, "freeze-for-freeze", 0.2),
    (DPRK, "maximum-pressure", 0.3),
    ("dprk-2018-libya-model", "agreement", 0.02),
    ("libya-2003", "step-by-step", 0.5),
    ("six-party-2007", "agreement", 0.1),
    ("agreed-framework-1994", "freeze-for-freeze", 0.0),
]


@pytest.mark.parametrize(("scenario", "strategy", "p"), CASES)
def test_engine_equals_reference_run_by_run(scenario: str, strategy: str, p: float) -> None:
    """Reading the same random numbers, every run ends exactly as in the scalar reference."""
    c = compiled(scenario, strategy, p, months=60)
    n = 600
    fast = run_block(c, seed=7, block=3, n=n)
    slow = reference_runs(c, block_generator(7, 3), n)
    assert [r.status for r in slow] == fast.status.tolist()
    assert [r.end_month for r in slow] == fast.end_month.tolist()
    assert [r.counterpart_type for r in slow] == fast.counterpart_type.tolist()
    assert [r.clandestine_months for r in slow] == fast.clandestine_months.tolist()
    np.testing.assert_allclose([r.paid for r in slow], fast.paid, atol=1e-12)
    np.testing.assert_allclose([r.paid_to_cheater for r in slow], fast.paid_to_cheater, atol=1e-12)
    np.testing.assert_allclose(
        [r.capability_end_kg for r in slow], fast.capability_end_kg.sum(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(
        [r.capability_peak_kg for r in slow], fast.capability_peak_kg.sum(axis=0), rtol=1e-12
    )
    assert len(set(fast.status.tolist())) >= 2  # the case exercises more than one outcome


def _z(a: np.ndarray, b: np.ndarray) -> float:
    """Difference of two sample means in units of its Monte Carlo standard error."""
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    diff = abs(a.mean() - b.mean())
    return 0.0 if se == 0 and diff == 0 else float(diff / se) if se > 0 else float("inf")


@pytest.mark.parametrize(("scenario", "strategy", "p"), CASES[:6])
def test_engine_agrees_with_reference_in_distribution(
    scenario: str, strategy: str, p: float
) -> None:
    """Independent streams: each outcome probability and the means of capability, concessions,
    concessions to cheaters and clandestine months agree within 4.5 Monte Carlo standard
    errors of their difference (a false alarm has probability ~7e-6 per comparison)."""
    c = compiled(scenario, strategy, p, months=48)
    fast = run_block(c, seed=11, block=0, n=20_000)
    slow = reference_runs(c, np.random.default_rng(12345), 3_000)
    status = np.array([r.status for r in slow])
    for outcome in range(4):
        assert _z((fast.status == outcome).astype(float), (status == outcome).astype(float)) < 4.5
    pairs = [
        (fast.capability_end_kg.sum(axis=0), [r.capability_end_kg for r in slow]),
        (fast.paid, [r.paid for r in slow]),
        (fast.paid_to_cheater, [r.paid_to_cheater for r in slow]),
        (fast.clandestine_months.astype(float), [r.clandestine_months for r in slow]),
        (fast.end_month.astype(float), [r.end_month for r in slow]),
    ]
    for a, b in pairs:
        assert _z(np.asarray(a, float), np.asarray(b, float)) < 4.5


def test_perfect_verification_catches_a_time_buyer_in_its_first_month_of_cheating() -> None:
    sc = with_counterpart(DPRK, prior={"sincere": 0.0, "time-buyer": 1.0, "hedger": 0.0})
    for name in ("agreement", "libya-model", "maximum-pressure"):
        spec = resolve_strategy(sc, name).model_copy(update={"detection_scale": 1.0})
        r = run_block(compile_strategy(sc, spec, 1.0, 36), seed=3, block=0, n=4000)
        cheated = r.clandestine_months > 0
        assert cheated.sum() > 3000  # most never decide in month 1
        assert (r.status[cheated] == BREAKDOWN).all()
        assert (r.end_month[cheated] == 1).all()
        assert (r.clandestine_months[cheated] == 1).all()
        # those who decided in month 1 never cheated and were never caught
        assert (r.status[~cheated] != BREAKDOWN).all()


def test_snap_back_tolerates_one_detection_then_breaks_down() -> None:
    sc = with_counterpart(
        DPRK,
        prior={"sincere": 0.0, "time-buyer": 1.0, "hedger": 0.0},
        decision_hazard_base=0.0,
        pressure_sensitivity=0.0,
    )
    spec = resolve_strategy(sc, "step-by-step")
    assert spec.on_detection == "snap-back"
    r = run_block(compile_strategy(sc, spec, 1.0, 24), seed=4, block=0, n=2000)
    assert (r.status == BREAKDOWN).all()
    assert (r.end_month == 2).all()


STRICT = [
    StrategySpec(name="after-completion", release_on="verified", release_steps="completion"),
    StrategySpec(name="on-irreversible", release_on="verified", release_steps="irreversible"),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=st.sampled_from(["dprk-2018-step-by-step", "dprk-2018-libya-model", "six-party-2007"]),
    strict=st.sampled_from(STRICT),
    p=st.floats(0.0, 1.0),
    hazard=st.floats(0.0, 0.2),
    sensitivity=st.floats(0.0, 0.3),
    verified=st.floats(0.0, 0.5),
    seed=st.integers(0, 2**32),
)
def test_no_concession_before_verification_means_none_to_a_cheater(
    scenario: str,
    strict: StrategySpec,
    p: float,
    hazard: float,
    sensitivity: float,
    verified: float,
    seed: int,
) -> None:
    """Concessions only on verified completion (or verified irreversible steps, which an
    undecided state never lets be verified): whatever the parameters, no run ever pays a
    state that has not made the strategic decision."""
    sc = with_counterpart(
        scenario,
        decision_hazard_base=hazard,
        pressure_sensitivity=sensitivity,
        verified_step_probability={"time-buyer": verified, "hedger": verified},
    )
    r = run_block(compile_strategy(sc, strict, p, 36), seed=seed, block=0, n=1000)
    assert (r.paid_to_cheater == 0).all()
    assert r.paid.max() <= 1.0 + 1e-12


def test_step_by_step_pays_cheaters() -> None:
    """The opposite case, so the test above can fail: paying on declared steps does pay."""
    r = run_block(compiled(DPRK, "step-by-step"), seed=1, block=0, n=2000)
    assert (r.paid_to_cheater > 0).mean() > 0.5


def _no_production(name: str) -> Scenario:
    data = load_scenario(name).model_dump(by_alias=True, mode="json", exclude_none=True)
    for f in data["program"]["facilities"]:
        f.pop("thermal_power_mw", None)
        f.pop("separative_capacity_swu_per_year", None)
    return scenario_from_dict(data)


@pytest.mark.parametrize("strategy", ["agreement", *PRESETS])
def test_zero_production_never_grows_capability(strategy: str) -> None:
    sc = _no_production(DPRK)
    c = compiled(sc, strategy)
    assert c.production.rates == ()
    r = run_block(c, seed=5, block=1, n=3000)
    stock, *_ = draw_initial(c, block_generator(5, 1), 3000)[1:2]
    np.testing.assert_array_equal(r.capability_peak_kg, stock)
    end = r.capability_end_kg
    assert ((end == 0) | (end == stock)).all()
    assert (end.sum(axis=0)[r.status == VERIFIED_CVID] == 0).all()


def test_production_grows_capability_when_nothing_stops_it() -> None:
    """With production and no agreement progress at all, capability grows by rate × months."""
    sc = with_counterpart(
        DPRK,
        prior={"sincere": 0.0, "time-buyer": 1.0, "hedger": 0.0},
        decision_hazard_base=0.0,
        pressure_sensitivity=0.0,
        statement_probability={"time-buyer": 0.0},
        declared_step_probability={"time-buyer": 0.0},
        verified_step_probability={"time-buyer": 0.0},
        hollow_declaration_probability={"time-buyer": 0.0},
    )
    spec = StrategySpec(name="patient", stall_tolerance_months=None)
    c = compile_strategy(sc, spec, 0.0, 30)
    r = run_block(c, seed=6, block=0, n=500)
    _, stock, declared, hidden = draw_initial(c, block_generator(6, 0), 500)
    assert (r.status == 0).all()
    expected = stock + declared * 30 + 1.0 * hidden * 30  # time-buyer clandestine share 1
    np.testing.assert_allclose(r.capability_end_kg, expected, rtol=1e-12)


def test_stalemate_after_stall_tolerance() -> None:
    """A counterpart that never acts is walked away from exactly at the stall tolerance."""
    sc = with_counterpart(
        "libya-2003",
        prior={"sincere": 0.0, "time-buyer": 1.0, "hedger": 0.0},
        decision_hazard_base=0.0,
        pressure_sensitivity=0.0,
        statement_probability={"time-buyer": 0.0},
        declared_step_probability={"time-buyer": 0.0},
        verified_step_probability={"time-buyer": 0.0},
        hollow_declaration_probability={"time-buyer": 0.0},
    )
    for tolerance in (1, 5, 9):
        spec = StrategySpec(name="impatient", stall_tolerance_months=tolerance)
        r = run_block(compile_strategy(sc, spec, 0.0, 24), seed=1, block=0, n=200)
        assert (r.status == STALEMATE).all()
        assert (r.end_month == tolerance).all()


def test_sincere_counterpart_under_libya_model_completes_at_geometric_pace() -> None:
    """A decided state completes each of K verified steps with probability q a month, so the
    month of verified CVID is a sum of K geometric variables: mean K/q (closed form)."""
    sc = with_counterpart("libya-2003", prior={"sincere": 1.0, "time-buyer": 0.0, "hedger": 0.0})
    spec = resolve_strategy(sc, "libya-model").model_copy(update={"stall_tolerance_months": None})
    c = compiled(sc, spec, months=120)
    r = run_block(c, seed=2, block=0, n=20_000)
    q, k = c.decided_step, c.steps
    assert (r.status == VERIFIED_CVID).all()
    mean, var = k / q, k * (1 - q) / q**2
    assert abs(r.end_month.mean() - mean) < 4.5 * np.sqrt(var / r.end_month.size)
    assert r.end_month.min() == k


@settings(max_examples=20, deadline=None)
@given(p_low=st.floats(0.0, 1.0), p_high=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_breakdown_never_falls_as_detection_rises(p_low: float, p_high: float, seed: int) -> None:
    """With the same random numbers, raising the monthly detection probability can only bring
    a detection earlier, so every run that broke down still does (on_detection=breakdown)."""
    p_low, p_high = sorted((p_low, p_high))
    low = run_block(compiled(DPRK, "agreement", p_low, 36), seed=seed, block=0, n=800)
    high = run_block(compiled(DPRK, "agreement", p_high, 36), seed=seed, block=0, n=800)
    assert not ((low.status == BREAKDOWN) & (high.status != BREAKDOWN)).any()
    assert (high.end_month[low.status == BREAKDOWN] <= low.end_month[low.status == BREAKDOWN]).all()


def test_seed_sequence_spawn_matches_block_streams() -> None:
    """Block i reads child i of SeedSequence(seed), so any split of blocks gives the same
    numbers."""
    children = np.random.SeedSequence(42).spawn(4)
    for i, child in enumerate(children):
        a = np.random.Generator(np.random.PCG64(child)).random(5)
        b = block_generator(42, i).random(5)
        np.testing.assert_array_equal(a, b)


def test_reference_is_not_trivially_equal_across_seeds() -> None:
    """Guard for the run-by-run test: different streams give different runs."""
    c = compiled(DPRK, "agreement")
    a = reference_runs(c, block_generator(1, 0), 200)
    b = reference_runs(c, block_generator(2, 0), 200)
    assert [r.end_month for r in a] != [r.end_month for r in b]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=st.sampled_from(
        [
            "dprk-2018-step-by-step",
            "dprk-2018-libya-model",
            "libya-2003",
            "six-party-2007",
            "agreed-framework-1994",
        ]
    ),
    release_on=st.sampled_from(["statement", "declared", "verified"]),
    release_steps=st.sampled_from(["each", "irreversible", "completion", "agreement"]),
    upfront=st.floats(0.0, 1.0),
    pressure=st.floats(0.0, 1.0),
    relief=st.floats(0.0, 1.0),
    demand_first=st.sampled_from(["agreement", "declaration", "freeze", "dismantlement"]),
    verification=st.sampled_from(["agreement", "every-step"]),
    tolerance=st.one_of(st.none(), st.floats(0.5, 40.0)),
    snap_back=st.booleans(),
    p=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32),
)
def test_invariants_hold_for_any_strategy(
    scenario: str,
    release_on: str,
    release_steps: str,
    upfront: float,
    pressure: float,
    relief: float,
    demand_first: str,
    verification: str,
    tolerance: float | None,
    snap_back: bool,
    p: float,
    seed: int,
) -> None:
    """Whatever the strategy: shares paid lie in [0, 1] and the part paid to cheaters never
    exceeds them; verified CVID leaves no capability and needs a decided (never a cheating)
    end; capability at the end never exceeds its peak nor falls below the starting stock
    otherwise; secret production never outlasts the run; and the engine still equals the
    scalar reference run by run."""
    spec = StrategySpec(
        name="fuzz",
        release_on=release_on,  # type: ignore[arg-type]
        release_steps=release_steps,  # type: ignore[arg-type]
        upfront_concessions=upfront,
        pressure=pressure,
        pressure_relief=relief,
        demand_first=demand_first,  # type: ignore[arg-type]
        verification=verification,  # type: ignore[arg-type]
        stall_tolerance_months=tolerance,
        on_detection="snap-back" if snap_back else "breakdown",
    )
    c = compiled(scenario, spec, p, months=30)
    assert c.upfront + c.tranche.sum() + c.scheduled.sum() <= 1.0 + 1e-9  # the package
    r = run_block(c, seed=seed, block=0, n=300)
    assert ((r.paid >= -1e-12) & (r.paid <= 1 + 1e-9)).all()
    assert (r.paid_to_cheater <= r.paid + 1e-12).all()
    end = r.capability_end_kg.sum(axis=0)
    peak = r.capability_peak_kg.sum(axis=0)
    cvid = r.status == VERIFIED_CVID
    assert (end[cvid] == 0).all()
    assert (end <= peak + 1e-9).all()
    _, stock, _, _ = draw_initial(c, block_generator(seed, 0), 300)
    assert (peak >= stock.sum(axis=0) - 1e-9).all()
    assert (r.clandestine_months <= r.end_month).all()
    assert ((r.end_month >= 1) & (r.end_month <= 30)).all()
    slow = reference_runs(c, block_generator(seed, 0), 300)
    assert [x.status for x in slow] == r.status.tolist()
    assert [x.end_month for x in slow] == r.end_month.tolist()
