"""Path enumeration against brute force, and each path's material against hand computation."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings

from cvid.redteam import (
    brute_force_paths,
    build,
    enumerate_paths,
    iter_path_blocks,
    material_sq,
    path_space,
)
from cvid.redteam.paths import PathBlock
from cvid.scenario import SIGNIFICANT_QUANTITY_KG, load_scenario, scenario_from_dict
from cvid.verify import plutonium_kg
from tests.redteam.gen import small_scenarios


@settings(max_examples=60, deadline=None)
@given(small_scenarios(max_commitments=4))
def test_enumeration_equals_brute_force(s: object) -> None:
    space = path_space(s)  # type: ignore[arg-type]
    paths = enumerate_paths(space)
    keys = [paths.key(i) for i in range(len(paths))]
    assert len(keys) == len(set(keys)), "no path twice"
    assert set(keys) == brute_force_paths(space)
    assert space.count() == len(paths)


def test_blocks_cover_the_same_paths_as_one_block() -> None:
    space = path_space(load_scenario("dprk-2018-libya-model"))
    whole = enumerate_paths(space)
    parts = PathBlock.concat(
        list(iter_path_blocks(space, block=37)), len(space.items), len(space.steps)
    )
    assert [whole.key(i) for i in range(len(whole))] == [parts.key(i) for i in range(len(parts))]


def test_libya_candidates() -> None:
    space = path_space(load_scenario("libya-2003"))
    # undeclared before December 2003, covered by the declaration: the hideable items
    assert {it.id for it in space.items} >= {"centrifuge-program", "weapon-design-documents"}
    # fully declared HEU fuel (20 of 20 kg) cannot be hidden
    assert "heu-fuel" not in {it.id for it in space.items}
    # declare and disclose have no hollow form of their own
    assert {st.id for st in space.steps}.isdisjoint({"declare-all", "hand-over-documents"})


def _reactor_scenario() -> dict[str, object]:
    return {
        "meta": {"name": "reactor"},
        "program": {
            "state": "X",
            "as_of": "2020-01-01",
            "facilities": [
                {
                    "id": "r",
                    "name": "reactor",
                    "kind": "reactor",
                    "thermal_power_mw": 25.0,
                    "capacity_factor": 0.8,
                }
            ],
        },
        "agreement": {
            "name": "freeze",
            "start": "2020-01-01",
            "duration_months": 24,
            "commitments": [
                {
                    "id": "freeze",
                    "kind": "freeze",
                    "targets": ["r"],
                    "deadline_months": 6,
                    "verification": ["seals-and-surveillance"],
                }
            ],
        },
    }


def test_hollow_freeze_material_against_hand_computation() -> None:
    """Secret production at a declared reactor after a hollow freeze: Pu = P_th × CF × days ×
    g/MWd ÷ 1000 (cvid.verify.plutonium_kg) for the 18 months after the freeze deadline."""
    s = scenario_from_dict(_reactor_scenario())
    g = build(s)
    hollow = PathBlock(np.zeros((1, 0), bool), np.ones((1, 1), bool), np.array([np.nan]))
    g_per_mwd = s.counterpart.production.plutonium_g_per_mwd.mean
    days = 18 * 365.0 / 12.0
    expected_kg = float(plutonium_kg(25.0, days, 0.8, g_per_mwd))
    assert math.isclose(float(material_sq(g, hollow, unit="kg")[0]), expected_kg, rel_tol=1e-12)
    assert math.isclose(
        float(material_sq(g, hollow)[0]),
        expected_kg / SIGNIFICANT_QUANTITY_KG["plutonium"],
        rel_tol=1e-12,
    )
    # by month 12, six months of production
    at12 = float(material_sq(g, hollow, at=12.0, unit="kg")[0])
    assert math.isclose(at12, expected_kg / 3.0, rel_tol=1e-12)
    # an honest freeze, or a stall before the deadline... the stall keeps producing openly
    honest = PathBlock(np.zeros((1, 0), bool), np.zeros((1, 1), bool), np.array([6.0]))
    assert math.isclose(float(material_sq(g, honest, unit="kg")[0]), expected_kg, rel_tol=1e-12)
