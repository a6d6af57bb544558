"""Rule-based checks of the four lessons, one module per lesson. Every threshold comes from
``scenario.thresholds``; every finding names the scenario field it comes from, so a reader can
see exactly which term of the agreement earned the grade.

* :mod:`~cvid.assess.lessons.decision` — lesson 1, a strategic decision shown by acts;
* :mod:`~cvid.assess.lessons.pressure` — lesson 2, pressure held until results;
* :mod:`~cvid.assess.lessons.verification` — lesson 3, verification that reaches a cheater;
* :mod:`~cvid.assess.lessons.end_state` — lesson 4, CVID as the end state;
* :mod:`~cvid.assess.lessons.common` — what they share (verifiability, due months, schedules).
"""

from __future__ import annotations

from cvid.assess.lessons.common import (
    civil_fuel_commitments,
    verifiable,
    verified_completion_months,
    verified_core_months,
    weapons_program_commitments,
)
from cvid.assess.lessons.decision import (
    feasibility_months,
    irreversible_acts,
    ledger_behaviour,
    lesson1,
    program_size_index,
)
from cvid.assess.lessons.end_state import lesson4
from cvid.assess.lessons.pressure import lesson2
from cvid.assess.lessons.verification import (
    left_running,
    lesson3,
    lesson3_quantitative,
    lesson3_red_team,
    lesson3_rules,
    state_best_path,
)
from cvid.assess.scope import NUCLEAR_FACILITY_KINDS, STRATEGIC_MISSILES, covering

__all__ = [
    "NUCLEAR_FACILITY_KINDS",
    "STRATEGIC_MISSILES",
    "civil_fuel_commitments",
    "covering",
    "feasibility_months",
    "irreversible_acts",
    "ledger_behaviour",
    "left_running",
    "lesson1",
    "lesson2",
    "lesson3",
    "lesson3_quantitative",
    "lesson3_red_team",
    "lesson3_rules",
    "lesson4",
    "program_size_index",
    "state_best_path",
    "verifiable",
    "verified_completion_months",
    "verified_core_months",
    "weapons_program_commitments",
]
