"""The [pressure] table: instruments of statecraft, checked on load with clear errors."""

from __future__ import annotations

import pytest

from cvid.scenario import ScenarioError, loads_scenario
from cvid.scenario.template import render_template

PRESSURE = """
[[pressure.instruments]]
id = "unsc"
kind = "un-sanctions"
enforcer = "UN Security Council"
share = {share}
continues = true

[[pressure.instruments]]
id = "psi"
kind = "{kind}"
enforcer = "US and partners"
share = 0.3
continues = false
erosion_per_month = 0.05
"""


def load(share: str = "0.4", kind: str = "interdiction"):  # type: ignore[no-untyped-def]
    return loads_scenario(render_template("t") + PRESSURE.format(share=share, kind=kind), "s.toml")


def test_instruments_load_and_sum() -> None:
    p = load().pressure
    assert not p.is_default()
    assert p.total_share() == pytest.approx(0.7)
    assert p.continuing_share() == pytest.approx(0.4)
    assert p.kinds() == {"un-sanctions", "interdiction"}


def test_no_table_is_the_default() -> None:
    assert loads_scenario(render_template("t"), "s.toml").pressure.is_default()


@pytest.mark.parametrize(
    ("share", "kind", "field", "reason"),
    [
        ("1.4", "interdiction", "pressure.instruments[0].share", "less than or equal to 1"),
        ("0.9", "interdiction", "pressure", "more than 1"),
        ("0.4", "bombing", "pressure.instruments[1].kind", "interdiction"),
    ],
)
def test_bad_instruments_name_the_field(share: str, kind: str, field: str, reason: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load(share, kind)
    assert any(f.startswith(field) and reason in r for f, r in info.value.problems), (
        info.value.problems
    )
