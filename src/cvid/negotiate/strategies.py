"""Preset strategies, the strategy a scenario's agreement embodies, and name resolution.

The presets encode the strategies the op-ed compares; their numbers are modelling
assumptions, stated here so that an analyst can read, copy and change them in a
``[[strategies]]`` table of a scenario file.
"""

from __future__ import annotations

from cvid.errors import InputError, did_you_mean
from cvid.scenario import (
    PRESET_STRATEGY_NAMES,
    Agreement,
    Scenario,
    StrategySpec,
)

#: Name of the strategy derived from the scenario's own agreement.
AGREEMENT = "agreement"

_PRESETS: dict[str, StrategySpec] = {
    "step-by-step": StrategySpec(
        name="step-by-step",
        description="'Action for action': each declared step is rewarded; pressure eases as "
        "relief flows; a freeze is asked for first; detected cheating snaps pressure back.",
        release_on="declared",
        release_steps="each",
        upfront_concessions=0.1,
        pressure=0.6,
        pressure_relief=1.0,
        demand_first="freeze",
        verification="agreement",
        stall_tolerance_months=18.0,
        on_detection="snap-back",
        source="Six-Party Joint Statement 2005-09-19: 'commitment for commitment, action for "
        "action' (shared research notes); the numbers are cvid assumptions",
    ),
    "libya-model": StrategySpec(
        name="libya-model",
        description="Strategic decision shown first (complete declaration, access anywhere), "
        "pressure kept until verified completion, every step verified, no bargaining on the "
        "end state; a stall of six months or detected cheating ends it.",
        release_on="verified",
        release_steps="completion",
        upfront_concessions=0.0,
        pressure=1.0,
        pressure_relief=1.0,
        demand_first="declaration",
        verification="every-step",
        stall_tolerance_months=6.0,
        on_detection="breakdown",
        source="Libya 2003–04: announcement 2003-12-19, last nuclear shipment 2004-03-06 "
        "(78 days; shared research notes); the numbers are cvid assumptions",
    ),
    "freeze-for-freeze": StrategySpec(
        name="freeze-for-freeze",
        description="A freeze of testing for a suspension of exercises, then relief on "
        "announced steps; pressure low; talks never abandoned.",
        release_on="statement",
        release_steps="each",
        upfront_concessions=0.25,
        pressure=0.4,
        pressure_relief=1.0,
        demand_first="freeze",
        verification="agreement",
        stall_tolerance_months=None,
        on_detection="snap-back",
        source="The 'suspension for suspension' proposal (2017) and the 2018 test freeze with "
        "suspended exercises; the numbers are cvid assumptions",
    ),
    "maximum-pressure": StrategySpec(
        name="maximum-pressure",
        description="Every tool of pressure, a threat of force and no concession before "
        "verified completion; no inspectors until the counterpart decides, so cheating is seen "
        "by national means only.",
        release_on="verified",
        release_steps="completion",
        upfront_concessions=0.0,
        pressure=1.0,
        pressure_relief=1.0,
        demand_first="declaration",
        verification="every-step",
        stall_tolerance_months=None,
        on_detection="breakdown",
        detection_scale=0.25,
        escalation_hazard_per_month=0.002,
        source="cvid assumptions (national technical means taken as a quarter of the "
        "regime's monthly detection probability; a threat of force with a 0.002 monthly chance "
        "of armed conflict at full pressure, about 21% over ten years — a judgement after the "
        "2017 crisis, not a measurement)",
    ),
}

#: The preset strategy names, in the order they are shown.
PRESETS: tuple[str, ...] = PRESET_STRATEGY_NAMES


def preset_strategy(name: str) -> StrategySpec:
    """The preset strategy called ``name`` (InputError if there is none)."""
    try:
        return _PRESETS[name]
    except KeyError:
        raise InputError(
            f"unknown preset strategy '{name}'{did_you_mean(name, list(PRESETS))}", field="strategy"
        ) from None


def libya_model_strategy() -> StrategySpec:
    """The Libya-model strategy: verified completion first, relief after (preset)."""
    return _PRESETS["libya-model"]


#: Verification a Libya-model agreement insists on (lesson 3), used for the variant's regime.
LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR = 24.0
LIBYA_MODEL_NOTICE_HOURS = 2.0


def libya_model_variant(s: Scenario) -> Scenario:
    """The scenario with the verification a Libya-model agreement insists on: anywhere-anytime
    access on two hours' notice, people and documents, and at least 24 challenge inspections a
    year. Program, counterpart and everything else stay as they are."""
    pr = s.agreement.provisions.model_copy(
        update={
            "access": "anywhere-anytime",
            "challenge_notice_hours": min(
                s.agreement.provisions.challenge_notice_hours, LIBYA_MODEL_NOTICE_HOURS
            ),
            "access_to_people": True,
            "access_to_documents": True,
        }
    )
    v = s.verification.model_copy(
        update={
            "challenge_inspections_per_year": max(
                s.verification.challenge_inspections_per_year,
                LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR,
            )
        }
    )
    agreement = s.agreement.model_copy(update={"provisions": pr})
    return s.model_copy(update={"agreement": agreement, "verification": v})


def _weakest_release(agreement: Agreement) -> str:
    levels = ["statement", "declared", "verified"]
    tied = [c.release_on for c in agreement.concessions if c.requires]
    tied = ["statement" if r == "schedule" else r for r in tied]
    if not tied:
        return "verified"
    return min(tied, key=levels.index)


def agreement_strategy(scenario: Scenario) -> StrategySpec:
    """The strategy the scenario's agreement embodies.

    Concessions go as the agreement says (each at the step that completes what it
    ``requires``; those that require nothing at their month), a step counts as done at the
    weakest release condition among the tied concessions (a statement, a declared step or a
    verified one), steps come in the agreement's order, a step can be verified only if the
    agreement names how, pressure is full until relief is paid and falls with it, detected
    cheating ends the agreement, and a stall longer than the longest wait between two of the
    agreement's deadlines (at least three months) ends it in stalemate.
    """
    a = scenario.agreement
    deadlines = sorted({c.deadline_months for c in a.commitments})
    previous = [0.0, *deadlines][: len(deadlines)]
    gaps = [b - x for x, b in zip(previous, deadlines, strict=True)]
    tolerance = max([3.0, *gaps])
    release_on = _weakest_release(a)
    return StrategySpec(
        name=AGREEMENT,
        description=f"As agreed in '{a.name}': concessions on {release_on} steps as tied in "
        "the agreement.",
        release_on=release_on,
        release_steps="agreement",
        upfront_concessions=0.0,
        pressure=1.0,
        pressure_relief=1.0,
        demand_first="agreement",
        verification="agreement",
        stall_tolerance_months=tolerance,
        on_detection="breakdown",
        source="derived from the scenario's agreement by cvid.negotiate.agreement_strategy",
    )


def strategy_names(scenario: Scenario) -> list[str]:
    """Every strategy name usable with this scenario: agreement, presets, then its own."""
    return [AGREEMENT, *PRESETS, *(s.name for s in scenario.strategies)]


def resolve_strategy(scenario: Scenario, name: str) -> StrategySpec:
    """The strategy called ``name``: ``agreement``, a preset, or one in the scenario file."""
    if name == AGREEMENT:
        return agreement_strategy(scenario)
    if name in _PRESETS:
        return _PRESETS[name]
    for s in scenario.strategies:
        if s.name == name:
            return s
    known = strategy_names(scenario)
    raise InputError(
        f"unknown strategy '{name}'{did_you_mean(name, known)}; known: {', '.join(known)}",
        field="strategy",
    )
