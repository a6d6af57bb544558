"""``cvid.verify.analysis``: the planning use cases return frozen typed results that the CLI
prints unchanged (the CLI's JSON is compared with golden files in tests/cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from scipy.stats import hypergeom

from cvid.errors import InputError
from cvid.scenario import load_scenario
from cvid.verify import (
    balance_analysis,
    manual_search_model,
    production_check,
    read_balance_csv,
    sampling_analysis,
    search_model,
    search_plan,
)

BALANCE = Path(__file__).resolve().parents[2] / "src/cvid/examples/data/sample-balance.csv"


def test_sampling_is_the_smallest_hypergeometric_sample() -> None:
    """P(detect) = 1 − h(0; N, M, n) (Avenhaus & Canty 1996, ch. 2), computed with scipy:
    the plan's n reaches the goal and n − 1 does not."""
    out = sampling_analysis(100, 0.9, goal_kg=8, item_kg=4)
    n, m = out.sample_size, out.defects
    assert m == 2
    assert 1 - hypergeom.pmf(0, 100, m, n) == pytest.approx(out.detection_probability)
    assert out.detection_probability >= 0.9 > 1 - hypergeom.pmf(0, 100, m, n - 1)
    assert [lv.level for lv in out.levels] == ["gross", "partial", "bias"]
    with pytest.raises(ValidationError):
        out.sample_size = 1  # type: ignore[misc]


def test_sampling_refuses_both_kinds_of_goal() -> None:
    with pytest.raises(InputError, match="not both") as err:
        sampling_analysis(10, 0.9, defects=2, goal_kg=8, item_kg=4)
    assert err.value.field == "--defects"


def test_balance_without_loss_has_no_detection_figures() -> None:
    out = balance_analysis(
        read_balance_csv(BALANCE), random_rsd=0.01, systematic_rsd=0.005, replications=500
    )
    assert out.diversion is None and out.detection_probability is None
    assert out.monte_carlo.detection is None
    assert "detection" not in json.loads(out.to_json())["monte_carlo"]
    # h is chosen for a false-alarm probability alpha over the horizon
    assert out.false_alarm_probability == pytest.approx(0.05, abs=1e-6)
    assert out.page_test.false_alarm_probability == out.false_alarm_probability


def test_search_parts_add_up_to_the_probability() -> None:
    """P(find) = P(cued, found) + P(uncued, found) at the mid concealment time."""
    for model in (search_model(load_scenario("libya-2003")), manual_search_model(sites=20)):
        out = search_plan(model, 12)
        assert out.cued + out.uncued == pytest.approx(out.probability)
        assert out.interval[0] <= out.probability <= out.interval[1]
        assert len(out.curve.months) == len(out.curve.probability) == 25


def test_production_without_declaration_leaves_shortfall_unknown() -> None:
    out = production_check(thermal_mw="20", days=100, replications=2000)
    assert out.declared_kg is None and out.shortfall_kg is None
    assert out.probability_shortfall is None
    # 20 MW(th) × 100 d × 0.9–1.0 g/MWd = 1.8–2.0 kg
    assert 1.8 <= out.estimate_kg.p05 <= out.estimate_kg.median <= out.estimate_kg.p95 <= 2.0
