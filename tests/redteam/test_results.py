"""The red team's typed results: JSON that reads back equal, frozen, non-finite numbers as null.

The results come from ``red_team`` on the bundled Libya 2003 scenario (every path exposed,
cheapest change found) and on an agreement with no commitment to evade (no paths).
"""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError

from cvid.redteam import (
    BestPath,
    BudgetSplit,
    DeterringChange,
    MaterialMonth,
    PathReport,
    ProvisionValue,
    RedTeamGame,
    RedTeamResult,
    best_path,
    red_team,
)
from cvid.redteam.paths import Rate
from cvid.results import Result
from cvid.scenario import load_scenario, scenario_from_dict


@pytest.fixture(scope="module")
def libya() -> RedTeamResult:
    return red_team(load_scenario("libya-2003"), top=3)


@pytest.fixture(scope="module")
def no_paths() -> RedTeamResult:
    d = load_scenario("libya-2003").model_dump(mode="json", exclude_none=True)
    agreement = {**d["agreement"], "commitments": [], "concessions": []}
    return red_team(scenario_from_dict({**d, "agreement": agreement}))


def test_red_team_result_round_trips(libya: RedTeamResult, no_paths: RedTeamResult) -> None:
    for r in (libya, no_paths):
        back = RedTeamResult.model_validate_json(r.to_json())
        assert back == r
        assert json.loads(back.to_json()) == json.loads(r.to_json())
    assert libya.cheapest_change is not None and libya.paths and libya.provisions
    assert no_paths.cheapest_change is None and no_paths.paths == ()


def test_every_part_round_trips(libya: RedTeamResult) -> None:
    parts: list[Result] = [
        libya.game,
        libya.game.allocations[0],
        libya.paths[0],
        libya.paths[0].material_by_month[0],
        libya.provisions[0],
    ]
    assert libya.cheapest_change is not None
    parts.append(libya.cheapest_change)
    b = best_path(load_scenario("libya-2003"))
    assert b is not None
    parts.append(b)
    parts.append(Rate(low=1.0, mid=2.0, high=3.0))
    types = (
        RedTeamGame,
        BudgetSplit,
        PathReport,
        MaterialMonth,
        ProvisionValue,
        DeterringChange,
        BestPath,
        Rate,
    )
    for part, kind in zip(parts, types, strict=True):
        assert isinstance(part, kind)
        assert type(part).model_validate_json(part.to_json()) == part


def test_json_keys_are_the_documented_ones(libya: RedTeamResult) -> None:
    d = libya.to_dict()
    assert d["payoff_units"] == "all of the agreement's concessions = 1"
    assert set(d["game"]) >= {"value", "value_bounds", "state_best_payoff_at_reported_mix"}
    assert set(d["game"]["allocations"][0]) == {"challenge_per_year", "routine_per_year"}
    p = d["paths"][0]
    assert {"path", "hidden_items", "hollow_steps"} <= set(p)
    assert not {"label", "hidden", "hollow"} & set(p)
    assert p["path"] == libya.paths[0].label
    assert all(len(pair) == 2 for pair in p["detection_by_month"])
    v = d["provisions"][0]
    assert {"state_payoff_with", "equilibrium_detection_with"} <= set(v)
    assert Rate(low=0.5, mid=1.0, high=2.0).to_dict() == {"low": 0.5, "central": 1.0, "high": 2.0}


def test_results_are_frozen(libya: RedTeamResult) -> None:
    with pytest.raises(ValidationError):
        libya.scenario = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        libya.game.value = 0.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        libya.paths[0].rank = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Rate(low=1.0, mid=2.0, high=3.0).mid = 0.0  # type: ignore[misc]


def test_non_finite_numbers_are_null(libya: RedTeamResult) -> None:
    assert json.loads(Rate(low=math.nan, mid=1.0, high=math.inf).to_json()) == {
        "low": None,
        "central": 1.0,
        "high": None,
    }
    g = libya.game.model_copy(update={"row_regret": math.nan, "value_bounds": (0.0, math.inf)})
    d = json.loads(g.to_json())
    assert d["row_regret"] is None
    assert d["value_bounds"] == [0.0, None]
