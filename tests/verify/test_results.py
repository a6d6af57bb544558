"""The verify package's results are frozen typed models (:class:`cvid.results.Result`).

Each one written with ``to_json`` reads back equal with ``model_validate_json``, refuses
assignment, writes the keys the hand-written ``to_dict`` of each class wrote before the move to
pydantic (issue 17; the CLI golden files in tests/golden/cli check the values), and writes a
non-finite number as null.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from cvid.results import Result
from cvid.scenario import load_scenario
from cvid.verify import (
    BalanceSequence,
    DiversionEquilibrium,
    ErrorModel,
    MonteCarloResult,
    SamplingPlan,
    VerificationFigures,
    diversion_equilibrium,
    lesson3_figures,
    monte_carlo_tests,
    muf_covariance,
    muf_d_equilibrium,
    plan_defect_levels,
    plan_sampling,
    total_muf_test,
)
from cvid.verify.adequacy import Adequacy, Gap, adequacy
from cvid.verify.games import DresherSolution, ZeroSumSolution, dresher, solve_zero_sum
from cvid.verify.production import (
    Campaign,
    DeclarationCheck,
    Range,
    compare_declaration,
    example_record_path,
    load_record,
    plutonium_draws,
)


def round_trip(result: Result) -> dict[str, Any]:
    """``result`` through its JSON and back: equal, and the JSON is what ``to_dict`` gives."""
    text = result.to_json()
    assert type(result).model_validate_json(text) == result
    data = json.loads(text)
    assert data == result.to_dict()
    return dict(data)


# --- diversion -----------------------------------------------------------------------------

EQUILIBRIUM_KEYS = [
    "detection_probability",
    "falsified_items",
    "falsified_kg",
    "in_muf_kg",
    "balance_only",
    "falsification_only",
    "independent_union",
    "sigma_muf_minus_d_kg",
]


def test_diversion_equilibrium_round_trip() -> None:
    eq = muf_d_equilibrium(
        diversion_kg=8.0, item_content_kg=2.0, items=100, sample=20, sigma_muf_kg=2.5
    )
    data = round_trip(eq)
    assert list(data) == EQUILIBRIUM_KEYS
    assert data["falsified_items"] == eq.falsified_items
    assert isinstance(data["falsified_items"], int)
    with pytest.raises(ValidationError):
        eq.detection_probability = 1.0  # type: ignore[misc]


def test_diversion_equilibrium_non_finite_is_null() -> None:
    eq = DiversionEquilibrium.model_validate(
        {k: 0 for k in EQUILIBRIUM_KEYS} | {"sigma_muf_minus_d_kg": math.inf}
    )
    assert eq.to_dict()["sigma_muf_minus_d_kg"] is None
    assert json.loads(eq.to_json())["sigma_muf_minus_d_kg"] is None


# --- lesson 3's figures ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["libya-2003", "dprk-2018-libya-model"])
def test_verification_figures_round_trip(name: str) -> None:
    s = load_scenario(name)
    f = lesson3_figures(s)
    data = round_trip(f)
    assert list(data) == list(VerificationFigures.model_fields)
    # The equilibrium is held typed and written as its own JSON object.
    assert f.diversion_equilibrium == diversion_equilibrium(s)
    assert data["diversion_equilibrium"] == diversion_equilibrium(s).to_dict()
    with pytest.raises(ValidationError):
        f.sample_size = 0  # type: ignore[misc]


def test_verification_figures_non_finite_is_null() -> None:
    f = lesson3_figures(load_scenario("libya-2003"))
    g = f.model_copy(update={"sigma_muf_per_sq": math.nan})
    assert g.to_dict()["sigma_muf_per_sq"] is None


# --- sampling -------------------------------------------------------------------------------


def test_sampling_plan_round_trip() -> None:
    p = plan_sampling(100, 3, 0.9)
    data = round_trip(p)
    assert list(data) == [
        "level",
        "fraction_removed",
        "defects",
        "sample_size",
        "sample_size_iaea",
        "detection_probability",
    ]
    with pytest.raises(ValidationError):
        p.sample_size = 1  # type: ignore[misc]
    levels = plan_defect_levels(100, 4.0, 8.0, 0.9)
    assert [lv.fraction_removed for lv in levels] == [1.0, 0.5, 0.05]
    for lv in levels:
        round_trip(lv)


def test_sampling_plan_non_finite_is_null() -> None:
    p = SamplingPlan(
        level="gross",
        fraction_removed=1.0,
        defects=1,
        sample_size=1,
        sample_size_iaea=1,
        detection_probability=math.nan,
    )
    assert p.to_dict()["detection_probability"] is None


# --- material balance -----------------------------------------------------------------------


def _sequence() -> BalanceSequence:
    return BalanceSequence.from_arrays(
        [20.0, 21.0, 22.0, 21.5],
        [10.0, 11.0, 9.0, 10.0],
        [9.5, 10.5, 9.8, 10.2],
        [21.0, 22.0, 21.5, 21.0],
    )


def test_total_muf_test_round_trip() -> None:
    cov = muf_covariance(_sequence(), ErrorModel.uniform(0.01, 0.005))
    for diversion in (None, [0.0, 1.0, 0.0, 0.0]):
        res = total_muf_test([0.1, 0.2, 0.0, -0.1], cov, 0.05, diversion=diversion)
        data = round_trip(res)
        assert list(data) == [
            "statistic",
            "sigma",
            "threshold",
            "alarm",
            "false_alarm_probability",
            "detection_probability",
        ]
        assert isinstance(data["alarm"], bool)
        assert (data["detection_probability"] is None) == (diversion is None)
        with pytest.raises(ValidationError):
            res.alarm = True  # type: ignore[misc]


def test_total_muf_test_non_finite_is_null() -> None:
    cov = muf_covariance(_sequence(), ErrorModel.uniform(0.01, 0.005))
    res = total_muf_test([0.1, 0.2, 0.0, math.inf], cov, 0.05)
    assert res.statistic == math.inf
    assert res.to_dict()["statistic"] is None


def test_monte_carlo_result_round_trip() -> None:
    mc = monte_carlo_tests(
        _sequence(), ErrorModel.uniform(0.01, 0.005), k=0.5, h=3.0, alpha=0.05, replications=500
    )
    data = round_trip(mc)
    assert list(data) == [
        "replications",
        "page_alarm_probability",
        "page_standard_error",
        "total_alarm_probability",
        "total_standard_error",
    ]
    assert data["replications"] == 500
    with pytest.raises(ValidationError):
        mc.replications = 1  # type: ignore[misc]
    nan = MonteCarloResult.model_validate({**data, "page_standard_error": math.nan})
    assert nan.to_dict()["page_standard_error"] is None


# --- verification adequacy --------------------------------------------------------------------

EXAMPLES = (
    "agreed-framework-1994",
    "dprk-2018-libya-model",
    "dprk-2018-step-by-step",
    "libya-2003",
    "six-party-2007",
)


def test_adequacy_round_trip_over_the_examples() -> None:
    results = [
        adequacy(s, c) for s in map(load_scenario, EXAMPLES) for c in s.agreement.commitments
    ]
    assert any(a.gaps for a in results), "the examples should show at least one gap"
    for a in results:
        data = round_trip(a)
        assert list(data) == ["commitment", "verifiable", "gaps", "rows_missing"]
        assert data["verifiable"] == (not a.gaps)
        for g in data["gaps"]:
            assert list(g) == ["target", "target_class", "needs", "source"]
    with pytest.raises(ValidationError):
        results[0].verifiable = False  # type: ignore[misc]


def test_adequacy_without_methods_has_one_gap() -> None:
    gap = Gap(target="x", target_class="any", needs="any method", source="")
    a = Adequacy(commitment="c1", verifiable=False, gaps=(gap,))
    assert a.to_dict() == {
        "commitment": "c1",
        "verifiable": False,
        "gaps": [{"target": "x", "target_class": "any", "needs": "any method", "source": ""}],
        "rows_missing": [],
    }
    with pytest.raises(ValidationError):
        gap.needs = "none"  # type: ignore[misc]


# --- inspection games --------------------------------------------------------------------------


def test_dresher_round_trip() -> None:
    sol = dresher(6, 2, 1.5)
    data = round_trip(sol)
    assert list(data) == [
        "periods",
        "inspections",
        "penalty",
        "value",
        "closed_form_value",
        "inspection_probability",
        "violation_probability",
        "values",
    ]
    assert data["value"] == pytest.approx(data["closed_form_value"], rel=1e-12)
    assert len(data["values"]) == 7
    assert all(len(row) == 3 for row in data["values"])
    with pytest.raises(ValidationError):
        sol.value = 0.0  # type: ignore[misc]


def test_dresher_exact_is_kept_and_written_as_floats() -> None:
    # n = 2, m = 1: value 1/(B + 2) (Avenhaus, von Stengel & Zamir 2002, §3).
    sol = dresher(2, 1, Fraction(1, 3))
    assert sol.value == Fraction(3, 7)
    assert isinstance(sol.value, Fraction)
    data = json.loads(sol.to_json())
    assert data["value"] == pytest.approx(3 / 7)
    assert data["penalty"] == pytest.approx(1 / 3)
    assert all(isinstance(x, float) for row in data["values"] for x in row)
    back = DresherSolution.model_validate_json(sol.to_json())
    assert back.value == pytest.approx(3 / 7)


def test_dresher_non_finite_is_null() -> None:
    sol = dresher(3, 1, 1.0).model_copy(update={"closed_form_value": math.inf})
    assert sol.to_dict()["closed_form_value"] is None


def test_zero_sum_round_trip() -> None:
    sol = solve_zero_sum([[3, -1], [-2, 1]])
    data = round_trip(sol)
    assert list(data) == ["value", "row_strategy", "column_strategy", "row_regret", "column_regret"]
    # [[3, −1], [−2, 1]]: x = (3/7, 4/7), value 1/7 (the 2 × 2 formula).
    assert data["row_strategy"] == pytest.approx([3 / 7, 4 / 7])
    assert data["value"] == pytest.approx(1 / 7)
    assert isinstance(sol.row_strategy, tuple)
    with pytest.raises(ValidationError):
        sol.value = 0.0  # type: ignore[misc]


def test_zero_sum_non_finite_is_null() -> None:
    sol = ZeroSumSolution(
        value=math.nan, row_strategy=(1.0,), column_strategy=(1.0,), row_regret=0, column_regret=0
    )
    assert sol.to_dict()["value"] is None


# --- production against a declaration ----------------------------------------------------------


def test_declaration_check_round_trip_and_shape() -> None:
    meta, campaigns = load_record(example_record_path("dprk-2008"))
    draws, rows = plutonium_draws(
        campaigns, Range.parse(meta["g_per_mwd"], "g"), 5_000, np.random.default_rng(1)
    )
    chk = compare_declaration(draws, meta["declared_kg"], 8.0, "plutonium", rows)
    data = round_trip(chk)
    assert list(data) == [
        "material",
        "declared_kg",
        "significant_quantity_kg",
        "estimate_kg",
        "shortfall_kg",
        "shortfall_sq",
        "probability_shortfall",
        "probability_shortfall_one_sq",
        "replications",
        "campaigns",
    ]
    assert list(data["estimate_kg"]) == ["p05", "median", "p95", "mean"]
    assert list(data["shortfall_sq"]) == ["p05", "median", "p95"]
    # Shortfall = estimate − declared, so the medians differ by the declaration (30.8 kg).
    assert chk.shortfall_kg.median == pytest.approx(chk.estimate_kg.median - 30.8)
    assert chk.shortfall_sq.p95 == pytest.approx(chk.shortfall_kg.p95 / 8.0)
    assert [c["name"] for c in data["campaigns"]] == [c.name for c in campaigns]
    with pytest.raises(ValidationError):
        chk.declared_kg = 0.0  # type: ignore[misc]


def test_declaration_check_non_finite_is_null() -> None:
    c = [Campaign("r", 100.0, Range(20.0, 20.0), Range(0.5, 0.5))]
    draws, _ = plutonium_draws(c, Range(1.0, 1.0), 10, np.random.default_rng(0))
    chk = compare_declaration(draws, 0.5, math.inf)
    assert isinstance(chk, DeclarationCheck)
    assert chk.shortfall_sq.median == 0.0
    data = chk.to_dict()
    assert data["significant_quantity_kg"] is None
    assert data["probability_shortfall_one_sq"] == 0.0
