"""The engine against the scalar reference (tests/negotiate/reference.py), the
model's invariants as properties over generated scenarios and strategies (common random
numbers), and historical backtests with stated tolerances."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cvid.negotiate.engine as engine
from cvid.errors import InputError
from cvid.negotiate import deterrence_threshold, simulate
from cvid.negotiate.compile import compile_strategy
from cvid.negotiate.engine import (
    BREAKDOWN,
    EXPOSED,
    STALEMATE,
    VERIFIED_CVID,
    Compiled,
    block_generator,
    draw_initial,
    run_block,
)
from cvid.negotiate.science import cheats
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


def variant(spec: StrategySpec, **changes: Any) -> StrategySpec:
    return StrategySpec.model_validate({**spec.model_dump(), **changes})


def with_changes(name: str, section: str, **changes: Any) -> Scenario:
    data = load_scenario(name).model_dump(by_alias=True, mode="json", exclude_none=True)
    data.setdefault(section, {}).update(changes)
    return scenario_from_dict(data)


CASES = [
    (DPRK, "agreement", 0.05, {}),
    (DPRK, "step-by-step", 0.1, {}),
    (DPRK, "libya-model", 0.05, {"release_on": "posterior"}),
    (DPRK, "freeze-for-freeze", 0.2, {"on_detection": "renegotiate"}),
    (DPRK, "maximum-pressure", 0.3, {}),
    ("libya-2003", "step-by-step", 0.5, {"release_on": "posterior"}),
    ("six-party-2007", "agreement", 0.1, {}),
    ("six-party-2007", "step-by-step", 0.2, {"on_detection": "snap-back"}),
    # The Agreed Framework's own methods verify none of its steps by the adequacy table, so
    # under its own regime every run just continues; the engine is exercised with every step
    # verified too.
    ("agreed-framework-1994", "agreement", 0.02, {"verification": "every-step"}),
    ("agreed-framework-1994+", "agreement", 0.02, {}),  # with the covert route and reactors
    ("agreed-framework-1994+", "agreement", 0.02, {"verification": "every-step"}),
]


@pytest.mark.parametrize(("scenario", "strategy", "p", "changes"), CASES)
def test_engine_equals_reference_run_by_run(
    scenario: str, strategy: str, p: float, changes: dict[str, Any]
) -> None:
    """Reading the same random numbers, every run ends exactly as in the scalar reference
    (outcome, month, payments, secret production, capability and the final posterior)."""
    sc = _agreed_framework() if scenario.endswith("+") else load_scenario(scenario)
    c = compiled(sc, variant(resolve_strategy(sc, strategy), **changes), p, months=60)
    n = 400
    fast = run_block(c, seed=7, block=3, n=n)
    slow = reference_runs(c, block_generator(7, 3), n)
    assert [r.status for r in slow] == fast.status.tolist()
    assert [r.end_month for r in slow] == fast.end_month.tolist()
    assert [r.counterpart_type for r in slow] == fast.counterpart_type.tolist()
    assert [r.clandestine_months for r in slow] == fast.clandestine_months.tolist()
    assert [r.detections for r in slow] == fast.detections.tolist()
    np.testing.assert_allclose([r.paid for r in slow], fast.paid, atol=1e-12)
    np.testing.assert_allclose([r.paid_to_cheater for r in slow], fast.paid_to_cheater, atol=1e-12)
    np.testing.assert_allclose(
        [r.capability_end_kg for r in slow], fast.capability_end_kg.sum(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(
        [r.capability_peak_kg for r in slow], fast.capability_peak_kg.sum(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose([r.posterior for r in slow], fast.posterior.T, atol=1e-9)
    assert [list(r.first_away) for r in slow] == fast.first_away.T.tolist()
    # the case exercises more than one outcome, or detections under renegotiation
    assert len(set(fast.status.tolist())) >= 2 or fast.detections.any()


def test_deterrence_threshold_is_the_inspection_game_value() -> None:
    """D/(D + B): with gain 1 and penalty 9 the least deterring detection probability is 0.1
    (Avenhaus & Canty 1996, §4.2, the classic g/(g + b)); the engine's vectorized test agrees
    with cvid.verify.games on either side of it."""
    assert deterrence_threshold(1.0, 9.0) == pytest.approx(0.1)
    assert deterrence_threshold(0.0, 1.0) == 0.0
    assert deterrence_threshold(1.0, 0.0) == 1.0
    rng = np.random.default_rng(3)
    p, gain, pen = rng.random(500), rng.random(500), 3 * rng.random(500)
    expected = [pi < deterrence_threshold(g, b) for pi, g, b in zip(p, gain, pen, strict=True)]
    assert cheats(p, gain, pen).tolist() == expected


def test_above_the_threshold_a_rational_cheater_stops() -> None:
    """With detection within the goal above every time-buyer's threshold, none cheats."""
    sc = with_changes(
        DPRK,
        "counterpart",
        cheating_gain={"time-buyer": {"low": 0.05, "high": 0.1}, "hedger": {"low": 0, "high": 0}},
    )
    # threshold of the greediest time-buyer with only the penalty at stake: 0.1/(0.1 + δ·1)
    lo = compiled(sc, "step-by-step", p=0.05)
    hi = compiled(sc, "step-by-step", p=0.2)
    assert run_block(lo, 1, 0, 3000).clandestine_months.sum() > 0
    assert run_block(hi, 1, 0, 3000).clandestine_months.sum() == 0


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    diff = np.asarray(b, float) - np.asarray(a, float)
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size) + 1e-12)


def _random_spec(draw: Any) -> StrategySpec:
    base = resolve_strategy(load_scenario(DPRK), draw(st.sampled_from(PRESETS)))
    return variant(
        base,
        on_detection=draw(st.sampled_from(["breakdown", "snap-back", "renegotiate"])),
        release_on=draw(st.sampled_from(["statement", "declared", "verified", "posterior"])),
        upfront_concessions=draw(st.sampled_from([0.0, 0.1, 0.3])),
    )


@st.composite
def _setting(draw: Any) -> tuple[Scenario, StrategySpec]:
    name = draw(st.sampled_from([DPRK, "six-party-2007", "dprk-2018-libya-model"]))
    sincere = draw(st.floats(0.0, 0.5))
    tb = draw(st.floats(0.0, 1.0 - sincere))
    sc = with_changes(
        name,
        "counterpart",
        prior={"sincere": sincere, "time-buyer": tb, "hedger": 1.0 - sincere - tb},
    )
    return sc, _random_spec(draw)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setting=_setting(), p=st.floats(0.0, 0.4), dp=st.floats(0.02, 0.5))
def test_more_detection_never_helps_a_cheater(
    setting: tuple[Scenario, StrategySpec], p: float, dp: float
) -> None:
    """Common random numbers, any scenario and strategy: raising the detection probability
    never raises secret production nor the concessions paid to states that produced in
    secret, and never raises the chance that a cheater ends rewarded (i.e. never lowers the
    chance that it ends unrewarded). Tolerance: three paired standard errors."""
    sc, spec = setting
    lo = run_block(compile_strategy(sc, spec, p, 48), 11, 0, 3000)
    hi = run_block(compile_strategy(sc, spec, min(1.0, p + dp), 48), 11, 0, 3000)
    for a, b in [
        (lo.clandestine_kg.sum(axis=0), hi.clandestine_kg.sum(axis=0)),
        (
            lo.paid_to_cheater * (lo.clandestine_months > 0),
            hi.paid_to_cheater * (hi.clandestine_months > 0),
        ),
        (
            (lo.clandestine_months > 0) & (lo.paid_to_cheater > 0),
            (hi.clandestine_months > 0) & (hi.paid_to_cheater > 0),
        ),
    ]:
        mean, se = _paired(a, b)
        assert mean <= 3 * se


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setting=_setting(), p=st.floats(0.0, 0.3), extra=st.floats(0.1, 5.0))
def test_a_higher_penalty_never_raises_cheating(
    setting: tuple[Scenario, StrategySpec], p: float, extra: float
) -> None:
    """Raising both types' detection penalty never raises the months of secret production."""
    sc, spec = setting
    cp = sc.counterpart
    harsher = with_changes(
        sc.meta.name,
        "counterpart",
        prior=cp.prior.model_dump(by_alias=True),
        detection_penalty={
            t: cp.per_type("detection_penalty", t) + extra for t in ("time-buyer", "hedger")
        },
    )
    a = run_block(compile_strategy(sc, spec, p, 48), 5, 0, 3000).clandestine_months
    b = run_block(compile_strategy(harsher, spec, p, 48), 5, 0, 3000).clandestine_months
    mean, se = _paired(a, b)
    assert mean <= 3 * se


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_sincere_state_reaches_verified_cvid_under_any_verifying_strategy(data: Any) -> None:
    """A sincere counterpart, under any strategy that can verify every step, reaches verified
    CVID within the horizon with probability ≥ 0.99."""
    name = data.draw(
        st.sampled_from([DPRK, "libya-2003", "six-party-2007", "agreed-framework-1994"])
    )
    sc = with_changes(name, "counterpart", prior={"sincere": 1.0, "time-buyer": 0.0, "hedger": 0.0})
    spec = variant(_random_spec(data.draw), verification="every-step")
    p = data.draw(st.floats(0.0, 1.0))
    r = run_block(compile_strategy(sc, spec, p, 120), 2, 0, 2000)
    assert (r.status == VERIFIED_CVID).mean() >= 0.99


def test_walking_away_keeps_a_later_decision_possible() -> None:
    """After we walk away (exposed or breakdown) a state can still decide and return: some
    runs that were caught end in verified CVID."""
    sc = with_changes(DPRK, "counterpart", decision_hazard_base=0.02)
    c = compiled(sc, "libya-model", p=0.05, months=120)
    r = run_block(c, 3, 0, 5000)
    assert ((r.detections > 0) & (r.status == VERIFIED_CVID)).any()
    assert ((r.status == EXPOSED) | (r.status == BREAKDOWN)).any()


def test_exposed_only_before_concessions() -> None:
    """'exposed' means caught before any concession was paid; paying up front turns every
    detection that ends talks into a breakdown."""
    sc = load_scenario(DPRK)
    spec = resolve_strategy(sc, "libya-model")
    none_paid = run_block(compile_strategy(sc, spec, 0.05, 60), 4, 0, 4000)
    assert (none_paid.status == EXPOSED).any() and not (none_paid.status == BREAKDOWN).any()
    upfront = run_block(
        compile_strategy(sc, variant(spec, upfront_concessions=0.2), 0.05, 60), 4, 0, 4000
    )
    assert (upfront.status == BREAKDOWN).any() and not (upfront.status == EXPOSED).any()


def test_posterior_release_pays_no_one_below_the_threshold() -> None:
    """With release_on = posterior and a threshold of 0.999, a state that never makes the
    strategic decision is never paid (its acts never make us that sure)."""
    sc = with_changes(DPRK, "counterpart", decision_hazard_base=0.0, pressure_sensitivity=0.0)
    spec = variant(
        resolve_strategy(sc, "step-by-step"),
        release_on="posterior",
        min_sincere_probability=0.999,
        upfront_concessions=0.0,
    )
    r = run_block(compile_strategy(sc, spec, 0.05, 60), 1, 0, 3000)
    assert r.paid_to_cheater.max() == 0.0
    assert r.paid[r.counterpart_type == 0].max() > 0.0


def test_scope_at_completion_keeps_what_the_agreement_left() -> None:
    """At verified completion capability keeps the items no verified irreversible step
    covers: zero in Libya (everything removed), positive on the DPRK agreement that leaves
    stocks and an undeclared plant aside."""
    libya = run_block(compiled("libya-2003", "agreement", 0.5, 60), 1, 0, 3000)
    assert libya.capability_end_kg[:, libya.status == VERIFIED_CVID].sum() == pytest.approx(
        0.0, abs=1e-9
    )
    c = compiled(DPRK, variant(resolve_strategy(load_scenario(DPRK), "libya-model")), 0.1, 60)
    assert c.unreachable
    r = run_block(c, 1, 0, 3000)
    won = r.status == VERIFIED_CVID
    assert won.any() and (r.capability_end_kg[:, won].sum(axis=0) > 0).all()


def test_bad_strategy_values_are_refused() -> None:
    """A posterior threshold outside (0, 1) and a negative penalty name their field."""
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="min_sincere_probability"):
            StrategySpec(name="x", min_sincere_probability=bad)
    with pytest.raises(InputError, match="detection_penalty"):
        with_changes(DPRK, "counterpart", detection_penalty={"time-buyer": -1.0})


# --- historical backtests (bundled scenarios, documented defaults) ---------------------------


def test_backtest_libya_verified_completion_within_nine_months() -> None:
    """Libya 2003 under its own agreement: median months to verified completion ≤ 9
    (history: about three months, 2003-12-19 to 2004-03-06)."""
    r = simulate("libya-2003", ["agreement"], runs=5000, seed=1).to_dict()
    s = r["strategies"]["agreement"]
    assert s["months_to_outcome"]["verified_cvid"]["p50"] <= 9
    assert s["outcomes"]["verified_cvid"] >= 0.5
    assert s["unreachable"] == []


#: The Agreed Framework's reactors under construction, for the test scenario when the bundled
#: file does not give their size yet (research notes, cases.md, globalsecurity: the 50 MWe
#: "7–10 weapons a year", i.e. ~40–60 kg Pu, expected 1995; the 200 MWe up to ~220 kg Pu a
#: year, expected 1996; at 0.9–1.0 g Pu/MWd and a capacity factor 0.5–0.8 that is about
#: 150–250 and 600–800 MW(th)). Construction time: from the expected year (month 3 and 15
#: after 1994-10-21) to three and five years, as the DPRK had about half the graphite of the
#: 50 MWe and none of the 200 MWe's (the same notes).
AF_REACTORS: dict[str, dict[str, Any]] = {
    "yongbyon-50mwe": {
        "thermal_power_mw": {"low": 150, "high": 250},
        "capacity_factor": {"low": 0.5, "high": 0.8},
        "operating_from_months": {"low": 3, "high": 36},
    },
    "taechon-200mwe": {
        "thermal_power_mw": {"low": 600, "high": 800},
        "capacity_factor": {"low": 0.5, "high": 0.8},
        "operating_from_months": {"low": 15, "high": 60},
    },
}


def _with_af_facilities(sc: Scenario) -> Scenario:
    """``sc`` (an Agreed Framework scenario) with the covert enrichment route that ended it
    (alleged 2002-10-03/16, events.csv) working in secret from the start, at an unknown
    capacity taken as a range up to 3,000 SWU a year, and the reactors under construction as
    producing unless frozen (AF_REACTORS) where the file gives them no size.

    The route is this test's assumption, not the bundled file's: the file gives the route no
    capacity and no start (the sources say neither; CIA 2002: production "as soon as
    mid-decade"), so under the file alone the simulator has nothing secret to detect. The
    backtest below therefore checks the mechanism — a covert route that works is exposed,
    after concessions, before verified CVID — on this what-if, not the history itself."""
    data = sc.model_dump(by_alias=True, mode="json", exclude_none=True)
    route = [
        f
        for f in data["program"]["facilities"]
        if f["kind"] == "enrichment" and not f.get("declared", True)
    ]
    facilities = [f for f in data["program"]["facilities"] if f not in route]
    data["program"]["facilities"] = facilities
    facilities.append(
        {
            "id": "covert-enrichment",
            "name": "Covert uranium enrichment (alleged 2002)",
            "kind": "enrichment",
            "declared": False,
            "status": "unknown",
            "separative_capacity_swu_per_year": {"low": 0, "high": 3000},
            **{k: v for f in route for k, v in f.items() if k == "intelligence_exposure_per_month"},
        }
    )
    for f in facilities:
        if f["id"] in AF_REACTORS:
            for k, v in AF_REACTORS[f["id"]].items():
                f.setdefault(k, v)
    return scenario_from_dict(data)


def _agreed_framework() -> Scenario:
    """The bundled Agreed Framework with its covert route and reactors (see above)."""
    return _with_af_facilities(load_scenario("agreed-framework-1994"))


def test_reactors_under_construction_produce_unless_frozen() -> None:
    """A declared reactor under construction produces from its drawn completion month while
    talks go on, unless a verified freeze stops it. Without the freeze, a state that never
    decides and stays in talks for 96 months ends with exactly its stocks, the declared
    rates × 96, each reactor's rate × (96 − its completion month) and its secret production;
    with the Agreed Framework's freeze verified from month 1 (a decided state) the reactors
    add nothing."""
    sc = with_changes(
        "agreed-framework-1994", "counterpart", decision_hazard_base=0.0,
        pressure_sensitivity=0.0, prior={"sincere": 0.0, "time-buyer": 0.5, "hedger": 0.5},
    )  # fmt: skip
    sc = _with_af_facilities(sc)
    data = sc.model_dump(by_alias=True, mode="json", exclude_none=True)
    data["agreement"]["commitments"] = [
        c for c in data["agreement"]["commitments"] if c["id"] != "freeze"
    ]
    for concession in data["agreement"]["concessions"]:
        concession["requires"] = [x for x in concession.get("requires", []) if x != "freeze"]
    unfrozen = scenario_from_dict(data)
    c = compile_strategy(unfrozen, resolve_strategy(unfrozen, "agreement"), 0.0, 96)
    n = 2000
    r = run_block(c, 5, 0, n)
    ini = draw_initial(c, block_generator(5, 0), n)
    assert ini.delayed_start.shape == (2, n)
    assert (ini.delayed_start[0] >= 3).all() and (ini.delayed_start[0] <= 36).all()
    assert (ini.delayed_start[1] >= 15).all() and (ini.delayed_start[1] <= 60).all()
    secret = c.clandestine_share[ini.typ] * ini.rate_hidden * r.clandestine_months
    built = np.maximum(96 - ini.delayed_start, 0)  # (2, n)
    expected = (
        ini.stock + ini.rate_declared * 96 + secret + (ini.delayed * built[:, None, :]).sum(0)
    )
    stayed = r.status == 0  # (the others were exposed by intelligence and walked away)
    assert stayed.sum() > n / 4
    np.testing.assert_allclose(r.capability_peak_kg[:, stayed], expected[:, stayed], rtol=1e-12)
    pu = c.production.materials.index("plutonium")
    # 150 MW × 0.5 × 30.4 d × 0.9 g/MWd ≈ 2 kg a month for at least 60 months
    assert (ini.delayed[0, pu] * built[0]).min() > 60 * 2.0
    # with the freeze (verified by some undecided states, a soft step) less is made, never more
    f = compile_strategy(sc, resolve_strategy(sc, "agreement"), 0.0, 96)
    rf = run_block(f, 5, 0, n)
    assert rf.counterpart_type.tolist() == r.counterpart_type.tolist()
    less = r.capability_peak_kg[pu] - rf.capability_peak_kg[pu]
    assert (less >= -1e-9).all() and less.mean() > 0.1 * (ini.delayed[0, pu] * built[0]).mean()


def test_stall_is_counted_from_the_deadline() -> None:
    """A step not yet due is not a stall: with one declaration due at month 40 and a stall
    tolerance of 6 months, a state that says nothing is walked away from at month 46, not at
    month 6 (counted from the last progress, as before)."""
    sc = with_changes(
        DPRK, "counterpart", prior={"sincere": 0.0, "time-buyer": 1.0, "hedger": 0.0},
        statement_probability={"time-buyer": 0.0}, declared_step_probability={"time-buyer": 0.0},
        verified_step_probability={"time-buyer": 0.0},
        hollow_declaration_probability={"time-buyer": 0.0}, decision_hazard_base=0.0,
        pressure_sensitivity=0.0,
    )  # fmt: skip
    data = sc.model_dump(by_alias=True, mode="json", exclude_none=True)
    first = dict(data["agreement"]["commitments"][0], deadline_months=40, after=[])
    data["agreement"]["commitments"] = [first]
    for concession in data["agreement"]["concessions"]:
        concession["requires"] = [x for x in concession.get("requires", []) if x == first["id"]]
    sc = scenario_from_dict(data)
    spec = variant(resolve_strategy(sc, "step-by-step"), stall_tolerance_months=6.0)
    c = compile_strategy(sc, spec, 0.0, 60)
    assert c.deadline.tolist() == [40, 40]
    r = run_block(c, 1, 0, 500)
    assert set(r.status.tolist()) == {STALEMATE}
    assert set(r.end_month.tolist()) == {46}


def test_backtest_agreed_framework_ends_by_intelligence_exposure() -> None:
    """The bundled Agreed Framework under its own agreement, as the file gives it: the covert
    enrichment route has no capacity (the sources give none) but intelligence outside the
    IAEA's frozen-site monitoring can expose it (its intelligence_exposure_per_month, the
    rate estimated from the one exposure on record, 2002-10-03, month 95.4). Verified CVID is
    unreachable and said so; the talks end only by breakdown — heavy fuel oil was paid from
    month 3, so never 'exposed' — and every breakdown is an exposure by intelligence; the
    month on record lies between the 10th and 90th percentiles of the simulated breakdowns.

    Tolerance stated: at the default horizon (120 months) about 0.45 of all runs end in
    breakdown (0.50 of the undecided types) and 0.55 are still in talks, so 'most runs end by
    exposure or breakdown' does NOT hold at 120 months: with the exposure rate calibrated so
    that the record is the median exposure month, one case supports about even odds by month
    120, less the states that decide first. The bound: an undecided type is exposed no more
    often than a state that stays undecided in talks all along, 1 − E[(1 − x)^120] with x
    drawn from the file's estimate (computed here independently by numpy)."""
    sc = load_scenario("agreed-framework-1994")
    res = simulate(sc, ["agreement"], runs=20_000, seed=1)
    a = res.to_dict()["strategies"]["agreement"]
    o = a["outcomes"]
    assert o["verified_cvid"] == 0.0 and a["unreachable"]
    assert o["stalemate"] == o["exposed"] == o["conflict"] == 0.0
    assert o["breakdown"] == pytest.approx(1.0 - o["running"])
    assert a["detections"]["probability_by_intelligence"] >= o["breakdown"]
    on_record = (date(2002, 10, 3) - date(1994, 10, 21)).days / (365.25 / 12)  # 95.4
    months = a["months_to_outcome"]["breakdown"]
    assert months["p10"] < on_record < months["p90"]
    assert 0.35 < o["breakdown"] < 0.55
    [route] = [f for f in sc.program.facilities if not f.declared]
    e = route.intelligence_exposure_per_month
    assert e is not None
    assert e.mode is not None
    x = np.random.default_rng(0).triangular(e.low, e.mode, e.high, 1_000_000)
    stays_undecided = 1.0 - float(np.mean((1.0 - x) ** 120))  # ≈ 0.62
    for typ in ("time-buyer", "hedger"):
        b = a["outcomes_by_type"][typ]
        se = (b["breakdown"] * (1 - b["breakdown"]) / (b["share_of_runs"] * 20_000)) ** 0.5
        assert 0.35 < b["breakdown"] <= stays_undecided + 3 * se
    assert a["outcomes_by_type"]["sincere"]["breakdown"] == 0.0  # a decided state hides nothing


def test_backtest_agreed_framework_with_a_working_route() -> None:
    """The what-if of _with_af_facilities (the route producing up to 3,000 SWU a year, the
    regime able to catch its production, intelligence as in the file): the covert route's
    exposure after concessions were paid is the only way the talks end and, with both
    channels, the most likely outcome (about 0.60 of runs at 120 months; time-buyers about
    0.72); verified CVID stays unreachable."""
    r = simulate(_agreed_framework(), ["agreement"], runs=5000, seed=1).to_dict()
    a = r["strategies"]["agreement"]
    o = a["outcomes"]
    assert o["verified_cvid"] == 0.0 and a["unreachable"]
    assert o["stalemate"] == o["exposed"] == 0.0
    assert o["breakdown"] > 0.5 and o["breakdown"] > o["running"]
    assert a["outcomes_by_type"]["time-buyer"]["breakdown"] > 0.6
    d = a["detections"]
    assert d["probability_any"] >= o["breakdown"] > d["probability_by_intelligence"] > 0.0


def test_af_exposure_rate_is_the_stated_posterior() -> None:
    """The file's intelligence_exposure_per_month is what its comment says: with T the months
    from 1994-10-21 to 2002-10-03 (95.4), the posterior of a waiting-time rate seen once under
    the prior 1/rate is exponential with mean 1/T (scipy.stats.expon); the triangle has that
    mean (to 0.1 %), starts at its 5 % quantile and ends within 5 % of its 95 % quantile."""
    from scipy.stats import expon

    [route] = [
        f for f in load_scenario("agreed-framework-1994").program.facilities if not f.declared
    ]
    e = route.intelligence_exposure_per_month
    assert e is not None and e.mode == e.low
    t = (date(2002, 10, 3) - date(1994, 10, 21)).days / (365.25 / 12)
    post = expon(scale=1.0 / t)
    assert e.mean == pytest.approx(post.mean(), rel=1e-3)
    assert e.low == pytest.approx(post.ppf(0.05), rel=1e-3)
    assert e.high == pytest.approx(post.ppf(0.95), rel=0.05)


def test_exposure_month_is_geometric() -> None:
    """engine.exposure_months inverts the geometric law of the first success of monthly trials
    (scipy.stats.geom.ppf on the same uniforms), with certain and impossible exposure at the
    edges and months + 1 standing for 'not within the horizon'."""
    from scipy.stats import geom

    rng = np.random.default_rng(5)
    u = rng.random(100_000)
    x = rng.uniform(0.001, 0.5, 100_000)
    got = engine.exposure_months(x, u, 10_000)
    assert got.tolist() == np.minimum(geom.ppf(u, x), 10_001).astype(np.int64).tolist()
    edge = engine.exposure_months(np.array([0.0, 1.0, 0.01]), np.array([0.5, 0.5, 0.999]), 60)
    assert edge.tolist() == [61, 1, 61]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    low=st.floats(0.0, 0.2),
    more=st.floats(0.0, 0.3),
    strategy=st.sampled_from(["agreement", "step-by-step", "libya-model", "maximum-pressure"]),
    p=st.sampled_from([0.0, 0.05, 0.3]),
)
def test_more_intelligence_never_pays_a_cheater_more(
    low: float, more: float, strategy: str, p: float
) -> None:
    """Run by run on the same random numbers, a higher monthly chance that intelligence exposes
    the hidden facilities (point values, so both read the same stream) never raises the
    concessions paid to an undecided state nor its months of secret production, under walking
    away on detection: exposure only ever comes earlier, and a run that the higher chance
    does not expose is not exposed by the lower one either and ends exactly as before."""
    results = []
    for x in (low, low + more):
        data = load_scenario(DPRK).model_dump(by_alias=True, mode="json", exclude_none=True)
        data["program"]["facilities"].append(
            {"id": "hidden-route", "name": "Hidden route", "kind": "enrichment",
             "declared": False, "status": "under-construction",
             "intelligence_exposure_per_month": x}
        )  # fmt: skip
        sc = scenario_from_dict(data)
        spec = variant(resolve_strategy(sc, strategy), on_detection="breakdown")
        results.append(run_block(compiled(sc, spec, p, months=60), 3, 0, 2000))
    lo_r, hi_r = results
    assert (hi_r.paid_to_cheater <= lo_r.paid_to_cheater + 1e-12).all()
    assert (hi_r.clandestine_months <= lo_r.clandestine_months).all()
    assert (hi_r.intelligence >= lo_r.intelligence).all()
    same = ~hi_r.intelligence
    assert (hi_r.status[same] == lo_r.status[same]).all()
    assert (hi_r.paid[same] == lo_r.paid[same]).all()


def test_backtest_six_party_stalls_within_two_years() -> None:
    """Six-Party 2007 under its own agreement: in stalemate or breakdown by month 30 in at
    least 80% of runs (history: the declaration of 2008-06 was never verified; inspectors out
    2009-04, about 26 months in), and never verified CVID (the declaration has no means of
    verification)."""
    res = simulate("six-party-2007", ["agreement"], runs=5000, seed=1)
    a = res.strategies["agreement"]
    state = a.occupancy()
    from cvid.negotiate import OUTCOMES

    ended = sum(state[OUTCOMES.index(o), 30] for o in ("stalemate", "breakdown", "exposed"))
    assert ended >= 0.8
    assert a.outcome_probabilities()["verified_cvid"] == 0.0
    assert any("declaration" in x for x in a.unreachable)


@pytest.mark.parametrize(("scenario", "strategy", "p", "changes"), [CASES[3], CASES[4], CASES[9]])
def test_compiled_month_equals_its_python_source(
    scenario: str, strategy: str, p: float, changes: dict[str, Any], monkeypatch: Any
) -> None:
    """The numba-compiled month gives, bit for bit, what its own Python source gives when
    run by the interpreter (``advance_month.py_func``): the compiler changes no arithmetic
    (renegotiation, conflict under maximum pressure, and the exposure by intelligence)."""
    import cvid.negotiate.kernel as kernel

    sc = _agreed_framework() if scenario.endswith("+") else load_scenario(scenario)
    c = compiled(sc, variant(resolve_strategy(sc, strategy), **changes), p, months=24)
    fast = run_block(c, seed=5, block=1, n=300)
    python_source = cast(Any, kernel.advance_month).py_func
    monkeypatch.setattr(kernel, "advance_month", python_source)
    slow = run_block(c, seed=5, block=1, n=300)
    for f in dataclasses.fields(fast):
        a, b = getattr(fast, f.name), getattr(slow, f.name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), f.name
