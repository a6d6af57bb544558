"""Our negotiating strategy, as written in a scenario file (``[[strategies]]`` tables).

Used by :mod:`cvid.negotiate`, which also defines the preset strategies (``step-by-step``,
``libya-model``, ``freeze-for-freeze``, ``maximum-pressure``) with these same fields and the
strategy the scenario's own agreement embodies (``agreement``). A strategy says

- when a step of the agreement counts as done and its concessions are released: on a
  statement, on a declared step, or only on a verified step (``release_on``), and which steps
  carry concessions (``release_steps``: each step, only irreversible ones, or all at verified
  completion), plus a share of the package given up front;
- what pressure is held (sanctions and other costs, 0–1) and how much of it each share of the
  package paid takes away;
- what is demanded first (a complete declaration and access, a freeze, or the agreement's own
  order);
- how long stalling is tolerated before walking away, and what a detected violation does.
  A detection always suspends concessions, restores and escalates pressure and is recorded;
  then we walk away (``breakdown``: talks end, pressure stays, a later strategic decision
  can still bring the state back), snap back (talks go on under full pressure, a second
  detection ends them) or renegotiate (talks go on, concessions suspended and pressure
  escalated for ``renegotiation_months``);
- whether concessions wait for our belief that the state has decided (``release_on =
  "posterior"`` with ``min_sincere_probability``), and whether the strategy threatens force
  (``escalation_hazard_per_month``: a monthly chance of armed conflict at full pressure).

Example::

    [[strategies]]
    name = "verify-first"
    release_on = "verified"
    release_steps = "irreversible"
    pressure = 0.9
    demand_first = "declaration"
    stall_tolerance_months = 6
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cvid.scenario.common import Id, Model, Probability

#: Level an act of the counterpart must reach for a step to count: weakest to strongest.
ReleaseOn = Literal["statement", "declared", "verified", "posterior"]
ReleaseSteps = Literal["each", "irreversible", "completion", "agreement"]
DemandFirst = Literal["agreement", "declaration", "freeze", "dismantlement"]
StepVerification = Literal["agreement", "every-step"]
OnDetection = Literal["breakdown", "snap-back", "renegotiate"]

#: Names of the preset strategies of :mod:`cvid.negotiate`, and ``agreement`` (the strategy
#: the scenario's own agreement embodies); a strategy in a scenario file may not reuse them.
PRESET_STRATEGY_NAMES: tuple[str, ...] = (
    "step-by-step",
    "libya-model",
    "freeze-for-freeze",
    "maximum-pressure",
)
RESERVED_STRATEGY_NAMES: tuple[str, ...] = ("agreement", *PRESET_STRATEGY_NAMES)


class StrategySpec(Model):
    """A negotiating strategy: when concessions go, what pressure stays, when to walk away."""

    name: Id = Field(description="Name used with --strategy; must not be a preset's name.")
    description: str = ""
    release_on: ReleaseOn = Field(
        default="verified",
        description="Weakest act that counts a step as done and releases its concessions: "
        "a statement, a declared step, or a verified step; 'posterior': a declared step "
        "counts, and its concessions go once our posterior probability that the state has "
        "made the strategic decision reaches min_sincere_probability.",
    )
    min_sincere_probability: float = Field(
        default=0.9,
        gt=0,
        lt=1,
        description="With release_on = 'posterior': the posterior probability of a sincere "
        "(decided) state at which concessions are released; strictly between 0 and 1.",
    )
    release_steps: ReleaseSteps = Field(
        default="each",
        description="Which steps carry concessions: each step, only irreversible steps "
        "(dismantle, remove, destroy), all of them at verified completion, or as the "
        "agreement ties its concessions to commitments ('agreement').",
    )
    upfront_concessions: Probability = Field(
        default=0.0, description="Share of the concession package given at the start (0–1)."
    )
    pressure: Probability = Field(
        default=1.0,
        description="Pressure held while no concession is paid (0 = none, 1 = all tools).",
    )
    pressure_relief: Probability = Field(
        default=1.0,
        description="Share of the pressure that the whole package, once paid, takes away "
        "(pressure = pressure × (1 − pressure_relief × share paid)).",
    )
    demand_first: DemandFirst = Field(
        default="agreement",
        description="Steps asked for first: the agreement's order (by deadline), a complete "
        "declaration with access, a freeze, or dismantlement.",
    )
    verification: StepVerification = Field(
        default="agreement",
        description="'agreement': a step can be verified only if the agreement names how; "
        "'every-step': every step is verified (effective verification is insisted on).",
    )
    stall_tolerance_months: float | None = Field(
        default=12.0,
        gt=0,
        description="Months without a step counted done after which we walk away (stalemate), "
        "counted from the later of the last progress and the deadline of the step asked; "
        "omit for never.",
    )
    on_detection: OnDetection = Field(
        default="breakdown",
        description="What we do when cheating is detected (concessions are suspended and "
        "pressure restored and escalated in every case): walk away ('breakdown'; pressure "
        "stays on), snap back (talks go on, a second detection ends them) or renegotiate "
        "(talks go on; suspension lasts renegotiation_months).",
    )
    renegotiation_months: float = Field(
        default=6.0,
        gt=0,
        description="With on_detection = 'renegotiate': months concessions stay suspended and "
        "pressure escalated after a detection.",
    )
    escalation_hazard_per_month: Probability = Field(
        default=0.0,
        description="Monthly chance of armed conflict while the strategy threatens force, at "
        "full pressure (scaled by the pressure in force); 0 for strategies that threaten none.",
    )
    detection_scale: Probability = Field(
        default=1.0,
        description="Multiplies the regime's monthly detection probability: 1 when the "
        "scenario's regime applies in full, less when the strategy runs without inspectors.",
    )
    source: str = ""
