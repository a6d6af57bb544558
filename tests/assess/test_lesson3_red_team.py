"""Lesson 3 names what a cheater would do: the state's best path under the agreement from the
red team (issue 15: "`cvid assess` shows the state's best path in lesson 3")."""

from __future__ import annotations

import pytest

from cvid.assess import assess
from cvid.assess.lessons import lesson3_red_team, state_best_path
from cvid.redteam import best_path
from cvid.redteam.analysis import JUDGEMENTS
from cvid.scenario import Scenario, examples, load_scenario

NAMES = [name for name, _ in examples()]


def red_finding(s: Scenario) -> tuple[str, str]:
    a = assess(s, simulate=False)
    hits = [f for f in a.lesson(3).findings if f.message.startswith("Red team")]
    assert len(hits) == 1
    return hits[0].severity, hits[0].message


def with_own_payoffs(s: Scenario) -> Scenario:
    """The same scenario with every red-team judgement set explicitly (same values), so the
    payoffs count as the scenario's own."""
    rt = s.redteam.model_copy(update={k: getattr(s.redteam, k) for k in JUDGEMENTS})
    return s.model_copy(update={"redteam": rt})


def without_verification(s: Scenario) -> Scenario:
    """No verification means at all: no methods, no access, no challenge inspections."""
    cs = [c.model_copy(update={"verification": []}) for c in s.agreement.commitments]
    pr = s.agreement.provisions.model_copy(
        update={"access": "none", "access_to_people": False, "access_to_documents": False}
    )
    ag = s.agreement.model_copy(update={"commitments": cs, "provisions": pr})
    v = s.verification.model_copy(update={"challenge_inspections_per_year": 0.0})
    return s.model_copy(update={"agreement": ag, "verification": v})


@pytest.mark.parametrize("name", NAMES)
def test_lesson3_names_the_red_teams_best_path(name: str) -> None:
    """The finding and the figures carry exactly what cvid.redteam.best_path finds, solved
    here again independently of the lesson's cache."""
    s = load_scenario(name)
    want = best_path(s)
    assert want is not None
    a = assess(s, simulate=False)
    fig = a.lesson(3).figures["red_team"]
    assert fig == want.to_dict()
    _, msg = red_finding(s)
    assert f"'{want.path}'" in msg
    assert f"{want.equilibrium_detection_probability:.2f}" in msg
    # Every built-in payoff is labelled as such (no example sets a [redteam] table).
    assert want.assumptions_defaulted
    assert "built-in assumptions" in msg and "illustrative" in msg


def test_libya_every_path_is_exposed_and_the_finding_passes() -> None:
    """Libya 2003–04: anywhere-anytime access with people and documents; the red team's
    best path is caught with probability 1 and cheating does not pay."""
    sev, msg = red_finding(load_scenario("libya-2003"))
    assert sev == "info"
    assert "equilibrium probability 1.00" in msg
    assert "complying pays more" in msg


def test_step_by_step_cheater_is_never_caught() -> None:
    """DPRK step by step: the warheads are covered by nothing verifiable, so hiding them is
    the best path and is never exposed. Built-in payoffs cap the finding at warn; with the
    payoffs the scenario's own it fails."""
    s = load_scenario("dprk-2018-step-by-step")
    sev, msg = red_finding(s)
    assert sev == "warn"
    assert "'hide warheads'" in msg and "never exposed" in msg
    sev_own, msg_own = red_finding(with_own_payoffs(s))
    assert sev_own == "fail"
    assert "illustrative" not in msg_own


def test_no_verification_means_every_path_undetected_fails_lesson_3() -> None:
    """An agreement without verification means: "every path is undetected" is a finding
    (issue 15's bad-input rule), and it fails lesson 3 whatever the payoffs rest on."""
    s = without_verification(load_scenario("libya-2003"))
    sev, msg = red_finding(s)
    assert sev == "fail"
    assert msg.startswith("Red team: every path is undetected")
    assert assess(s, simulate=False).lesson(3).grade == "fail"


def test_best_path_is_solved_once_per_scenario() -> None:
    s = load_scenario("dprk-2018-libya-model")
    first = state_best_path(s)
    assert state_best_path(s) is first
    again = load_scenario("dprk-2018-libya-model")
    assert state_best_path(again) is first
    assert lesson3_red_team(s)["figures"]["red_team"] == best_path(s).to_dict()  # type: ignore[union-attr]
