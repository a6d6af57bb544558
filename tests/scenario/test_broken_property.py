"""Property-based: every broken scenario gets a ScenarioError naming a field, never a crash.

Hypothesis mutates a valid scenario (the template of ``cvid scenario new``): it deletes keys,
adds unknown ones, puts values of the wrong type or sign anywhere, and points references at
ids that do not exist. Whatever it produces must either load or raise ScenarioError.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvid.scenario import Scenario, ScenarioError, scenario_from_dict
from cvid.scenario.template import render_template

BASE: dict[str, Any] = tomllib.loads(render_template("base"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(BASE)
junk = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.lists(st.integers(-5, 5) | st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def broken(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = _parent(data, path)
            key = path[-1]
            parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, dict | list):
            continue  # an earlier mutation replaced a table or list by a scalar
        action = draw(st.sampled_from(["delete", "junk", "unknown", "bad-ref", "negate"]))
        if action == "delete":
            del parent[key]
        elif action == "junk":
            parent[key] = draw(junk)
        elif action == "unknown" and isinstance(parent, dict):
            parent[key + draw(st.sampled_from(["s", "_x", "2"]))] = parent[key]
        elif action == "bad-ref":
            parent[key] = draw(st.sampled_from(["no-such-thing", "declar", "relief"]))
        elif action == "negate" and isinstance(parent[key], int | float):
            parent[key] = -abs(parent[key]) - 1
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_broken_scenarios_raise_a_clear_error(data: dict[str, Any]) -> None:
    try:
        result = scenario_from_dict(data, source="broken.toml")
    except ScenarioError as exc:
        text = exc.describe()
        assert text.startswith("broken.toml: ")
        for field, reason in exc.problems:
            assert reason, "every problem has a reason"
            assert field or reason.startswith("invalid TOML"), f"no field path for: {reason}"
            assert "Traceback" not in reason
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_loader(text: str) -> None:
    from cvid.scenario import loads_scenario

    try:
        loads_scenario(text, source="fuzz.toml")
    except ScenarioError as exc:
        assert exc.describe().startswith("fuzz.toml: ")
