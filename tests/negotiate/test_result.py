"""The simulator's typed results: frozen, strict, and read back from their own JSON intact."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from cvid.negotiate import (
    SensitivityResult,
    SimulationResult,
    StrategyResult,
    SweepResult,
    explain,
    sensitivity,
    simulate,
)
from cvid.results import jsonable
from cvid.scenario import examples

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cli"


@pytest.mark.parametrize("name", [n for n, _ in examples()])
def test_simulation_result_round_trips_through_its_json(name: str) -> None:
    r = simulate(name, runs=150, months=48, seed=4)
    text = r.to_json()
    back = SimulationResult.model_validate_json(text)
    assert back == r
    assert back.to_json() == text
    assert back.to_dict() == r.to_dict() == json.loads(text)
    assert back.summary_frame().equals(r.summary_frame())
    assert explain(back) == explain(r)
    for n, s in r.strategies.items():
        b = back.strategies[n]
        assert b.runs == s.runs == 150
        assert b.spec == s.spec
        assert b.outcome_probabilities() == s.outcome_probabilities()
        assert b.standard_errors() == s.standard_errors()
        np.testing.assert_array_equal(b.posterior(), s.posterior())
    assert [x.strategy for x in back.ranking] == [x.strategy for x in r.ranking]


def test_json_read_back_has_no_per_month_curves() -> None:
    """What the JSON does not hold is refused with a reason, not made up."""
    r = simulate("libya-2003", ["agreement"], runs=50, months=24, seed=0)
    back = SimulationResult.model_validate_json(r.to_json())
    assert len(r.to_frame()) > 0
    with pytest.raises(ValueError, match="read from JSON"):
        back.to_frame()
    with pytest.raises(ValueError, match="read from JSON"):
        back.strategies["agreement"].series("verified_cvid")
    alone = StrategyResult.model_validate(r.strategies["agreement"].to_dict())
    with pytest.raises(ValueError, match="number of runs"):
        _ = alone.runs


def test_results_are_frozen_and_refuse_unknown_or_missing_fields() -> None:
    r = simulate("libya-2003", ["agreement"], runs=50, months=24, seed=0)
    with pytest.raises(ValidationError):
        r.runs = 10  # type: ignore[misc]
    with pytest.raises(ValidationError):
        r.strategies["agreement"].detection_probability = 0.5  # type: ignore[misc]
    data = r.to_dict()
    data["strategies"]["agreement"]["outcomes"]["surrender"] = 0.0
    with pytest.raises(ValidationError, match="surrender"):
        SimulationResult.model_validate(data)
    data = r.to_dict()
    del data["strategies"]["agreement"]["outcomes_by_type"]["time-buyer"]
    with pytest.raises(ValidationError, match="time-buyer"):
        SimulationResult.model_validate(data)


def test_non_finite_figures_are_written_as_null() -> None:
    r = simulate("libya-2003", ["agreement"], runs=50, months=24, seed=0)
    data = r.to_dict()
    data["strategies"]["agreement"]["capability_kg"]["end"]["p90"] = float("nan")
    odd = SimulationResult.model_validate(data)
    end = json.loads(odd.to_json())["strategies"]["agreement"]["capability_kg"]["end"]
    assert end["p90"] is None


def test_sensitivity_result_round_trips() -> None:
    s = sensitivity(
        "libya-2003",
        ["agreement"],
        {"counterpart.prior.sincere": (0.1, 0.5)},
        runs=40,
        months=36,
        trajectories=2,
        workers=1,
    )
    back = SensitivityResult.model_validate_json(s.to_json())
    assert back == s
    assert back.to_dict() == s.to_dict()
    assert [i.rank for i in back.indices["agreement"]] == [1]
    assert back.parameters == {"counterpart.prior.sincere": (0.1, 0.5)}


@pytest.mark.parametrize(
    ("model", "golden"),
    [
        (SweepResult, "sweep-libya-2003"),
        (SensitivityResult, "simulate-sensitivity-libya-2003"),
        (SimulationResult, "simulate-libya-2003"),
    ],
)
def test_golden_json_reads_back_to_itself(
    model: type[SweepResult | SensitivityResult | SimulationResult], golden: str
) -> None:
    """The stored ``--json`` output of each command validates and writes back the same."""
    text = (GOLDEN / f"{golden}.json").read_text(encoding="utf-8")
    result = model.model_validate_json(text)
    assert jsonable(result) == json.loads(text)


def test_sweep_frame_from_json() -> None:
    """A sweep read from JSON gives the same table: varied parameters first, then the row."""
    text = (GOLDEN / "sweep-libya-2003.json").read_text(encoding="utf-8")
    result = SweepResult.model_validate_json(text)
    frame = result.frame
    assert list(frame.columns[:3]) == ["counterpart.prior.sincere", "strategy", "running"]
    assert frame["counterpart.prior.sincere"].tolist() == [0.2, 0.8]
    assert [a.name for a in result.axes] == ["counterpart.prior.sincere"]
    assert result.axes[0].values == (0.2, 0.8)
    assert frame.to_dict(orient="records") == json.loads(text)["rows"]
