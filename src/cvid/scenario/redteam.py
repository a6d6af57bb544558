"""Assumptions of the red team (``cvid redteam``): the state's payoffs, the inspectorate's effort.

Payoffs are in units of the agreement's concessions: all of them together are worth 1 to the
state (weighted by ``value_musd`` when every concession has one, else equally). The material
value and the penalty are judgements, not facts: a scenario should set them and say why in
``source``; the red team labels figures computed from these defaults as such.
"""

from __future__ import annotations

from pydantic import Field

from cvid.scenario.common import Model, Probability


class RedTeamAssumptions(Model):
    """Inputs of the red team's inspection game that the rest of the scenario does not give."""

    budget_inspections_per_year: float | None = Field(
        default=None,
        ge=0,
        description="Inspectorate effort a year, in inspections, to allocate between routine "
        "inspections at declared sites and challenge inspections; default: the regime's "
        "routine plus challenge inspections a year.",
    )
    allocation_steps: int = Field(
        default=21,
        ge=2,
        le=201,
        description="Pure allocations of the budget the inspectorate mixes over (shares "
        "0, 1/(n−1), …, 1 of the budget sent to challenge inspections).",
    )
    material_value_per_sq: float = Field(
        default=0.25,
        ge=0,
        description="Assumption: value to the state of one significant quantity kept or made "
        "in breach and never exposed, in units of all the agreement's concessions.",
    )
    penalty: float = Field(
        default=1.0,
        ge=0,
        description="Assumption: the state's loss when a breach is exposed (sanctions back, "
        "concessions stopped), in units of all the agreement's concessions.",
    )
    weapon_sq: float = Field(
        default=1.0,
        gt=0,
        description="Assumption: significant quantities of material in one weapon.",
    )
    short_notice_hours: float = Field(
        default=2.0,
        ge=0,
        description="Notice of a challenge inspection under the 'shorter notice' provision "
        "(Libya 2003–04: inspectors in place, access within hours).",
    )
    extra_challenge_inspections_per_year: float = Field(
        default=12.0,
        gt=0,
        description="Challenge inspections a year the 'more challenge inspections' provision "
        "adds (to the agreement's quota and to the budget).",
    )
    exposure_probability: Probability = Field(
        default=0.5,
        gt=0,
        description="A path counts as exposed at the month its cumulative detection "
        "probability first reaches this level (0.5: the median time to exposure).",
    )
    followup_months: float = Field(
        default=12.0,
        ge=0,
        description="Assumption: months after the agreement's last deadline that the regime "
        "keeps watching; a breach still hidden then counts as never exposed.",
    )
    max_paths: int = Field(
        default=20_000,
        ge=1,
        description="Largest path set solved as one LP; larger sets are solved by column "
        "generation (the LP holds only the paths generated so far).",
    )
    source: str = ""
