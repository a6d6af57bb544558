"""The one "did you mean" hint that every "unknown …" error carries."""

from __future__ import annotations

import pytest

from cvid.errors import InputError, did_you_mean
from cvid.negotiate import parse_vary
from cvid.scenario import load_scenario


def test_hint_names_the_closest_known_name_or_nothing() -> None:
    known = ["libya-model", "step-by-step", "freeze-for-freeze"]
    assert did_you_mean("libya", known) == " (did you mean 'libya-model'?)"
    assert did_you_mean("zzz", known) == ""
    assert did_you_mean("libya", iter(known)) == " (did you mean 'libya-model'?)"


def test_a_mistyped_sweep_parameter_gets_the_hint() -> None:
    s = load_scenario("dprk-2018-step-by-step")
    with pytest.raises(InputError) as exc:
        parse_vary("counterpart.decision_hazard=0:1:3", s)
    assert exc.value.field == "--vary"
    assert "(did you mean 'counterpart.decision_hazard_base'?)" in exc.value.reason
