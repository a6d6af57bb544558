"""Thresholds of the lesson checks: the judgement calls of an assessment, kept as data."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from cvid.scenario.common import Model, Probability

Severity = Literal["fail", "warn", "info"]


class FeasibilityBasis(Model):
    """The reference for how long verified elimination of a program takes, scaled by size.

    Default: Hecker, Carlin & Serbin, "A technically-informed roadmap for North Korea's
    denuclearization" (Stanford CISAC, 28 May 2018): about 6–10 years (72–120 months) to
    eliminate the DPRK's program of 2018, taken here as about 30 warheads, 20–40 kg of
    plutonium and 250–500 kg of HEU (≈ 400 kg of fissile material) and six nuclear sites
    in operation (the 5 MWe reactor, reprocessing, two enrichment plants, the test site,
    the fuel-fabrication and conversion complex). The estimate for another program is that
    range times its size index, the mean of its ratios to the reference (warheads, kg of
    direct-use material, operating reactors, enrichment, reprocessing, conversion,
    fuel-fabrication plants and test sites), and never below the Libya benchmark. The
    linear scaling is cvid's assumption; the reference is the published estimate."""

    reference_warheads: float = Field(default=30.0, ge=0, description="Warheads.")
    reference_fissile_kg: float = Field(
        default=400.0, ge=0, description="kg of plutonium and HEU (U-235)."
    )
    reference_facilities: float = Field(
        default=6.0, ge=0, description="Nuclear facilities in operation."
    )
    months_low: float = Field(default=72.0, ge=0, description="Fastest elimination, months.")
    months_high: float = Field(default=120.0, ge=0, description="Slowest elimination, months.")
    source: str = (
        "Hecker, Carlin & Serbin, Stanford CISAC roadmap, 2018-05-28: 6–10 years for the DPRK"
    )

    @model_validator(mode="after")
    def _ordered(self) -> FeasibilityBasis:
        if self.months_high < self.months_low:
            raise ValueError(
                f"months_high ({self.months_high:g}) is below months_low ({self.months_low:g})"
            )
        return self


class LessonThresholds(Model):
    """Where a lesson check turns from pass to warn to fail. Defaults follow the Libya case."""

    libya_benchmark_months: float = Field(
        default=4.0,
        gt=0,
        description="Libya 2003–04: announcement 2003-12-19 to last nuclear shipment 2004-03-06.",
    )
    completion_pass_months: float = Field(
        default=6.0,
        gt=0,
        description="Verified completion by this month passes lesson 1 ('months, not years').",
    )
    completion_warn_months: float = Field(
        default=12.0, gt=0, description="Verified completion later than this fails lesson 1."
    )
    first_milestone_months: float = Field(
        default=3.0,
        gt=0,
        description="Concrete acts (full declaration, access, documents) due by this month.",
    )
    detection_goal: Probability = Field(
        default=0.9, description="Detection probability a regime should reach (IAEA 'high')."
    )
    detection_warn: Probability = Field(
        default=0.5, description="Below this detection probability lesson 3 fails."
    )
    max_notice_hours_anywhere_anytime: float = Field(
        default=24.0, ge=0, description="Longest notice still counted as 'anytime' access."
    )
    without_anywhere_anytime: Severity = Field(
        default="fail",
        description="Lesson 3 finding when access is not anywhere-anytime: 'if this condition "
        "is not met, any negotiated agreement will fail'.",
    )
    without_access_to_people: Severity = Field(
        default="fail", description="Lesson 3 finding without access to the program's people."
    )
    without_access_to_documents: Severity = Field(
        default="fail", description="Lesson 3 finding without access to the program's records."
    )
    feasibility: FeasibilityBasis = Field(default_factory=FeasibilityBasis)
    faster_than_feasible_fraction: Probability = Field(
        default=0.5,
        description="Verified completion planned before this fraction of the feasibility "
        "estimate's low end warns: months to abandon, not to finish verified elimination.",
    )
    slower_than_feasible_factor: float = Field(
        default=1.5,
        gt=0,
        description="Verified completion later than this multiple of the feasibility "
        "estimate's high end warns (time bought beyond what the work needs).",
    )
    pressure_min_kinds: int = Field(
        default=4,
        ge=0,
        description="Lesson 2: fewer kinds of instrument than this warns (breadth).",
    )
    pressure_continuing_share_warn: Probability = Field(
        default=0.75,
        description="Lesson 2: less of the leverage than this staying in force warns.",
    )
    pressure_continuing_share_fail: Probability = Field(
        default=0.4,
        description="Lesson 2: less of the leverage than this staying in force fails.",
    )
