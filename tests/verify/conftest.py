"""Shared helpers: a small scenario built in code so tests do not depend on example files."""

from __future__ import annotations

from typing import Any

import pytest

from cvid.scenario import Scenario, scenario_from_dict


def make_scenario(
    provisions: dict[str, Any] | None = None,
    verification: dict[str, Any] | None = None,
    materials: list[dict[str, Any]] | None = None,
) -> Scenario:
    """A minimal valid scenario with the given provisions and regime."""
    data: dict[str, Any] = {
        "meta": {"name": "verify-test"},
        "program": {
            "state": "Testland",
            "as_of": "2020-01-01",
            "materials": materials
            if materials is not None
            else [{"id": "pu", "name": "Separated Pu", "kind": "plutonium", "mass_kg": 30.0}],
        },
        "agreement": {
            "name": "test",
            "duration_months": 24,
            "provisions": provisions or {},
        },
        "verification": verification or {},
    }
    return scenario_from_dict(data)


@pytest.fixture
def scenario_factory() -> Any:
    return make_scenario
