"""The verification regime: what inspectors do, how often, and with what measurement quality.

Every parameter here feeds a model in :mod:`cvid.verify`; defaults are documented in the
JSON Schema (``cvid scenario schema``) and follow IAEA practice where one exists.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cvid.scenario.common import Estimate, Id, Model, Probability


class AttributeSamplingPlan(Model):
    """Item verification by attribute sampling (Avenhaus & Canty 1996, ch. 2)."""

    items: int = Field(default=100, ge=1, description="Items in the stratum (e.g. containers).")
    item_content_kg: float = Field(
        default=4.0, gt=0, description="Direct-use material per item in kg."
    )
    detection_goal: Probability = Field(
        default=0.9, description="Detection probability sought for one significant quantity."
    )


class MaterialBalancePlan(Model):
    """Near-real-time material accountancy at the bulk-handling facility.

    The figures are the scenario's only when ``facility`` names the program's facility this
    plan describes; without it the plan is cvid's illustrative default and lesson 3 labels
    its figures so (never headlined).
    """

    facility: Id | None = Field(
        default=None,
        description="Program facility this balance plan describes (a bulk-handling facility: "
        "enrichment, reprocessing, conversion, fuel fabrication); unset = the illustrative "
        "default plan, whose figures are labelled as such.",
    )
    throughput_kg_per_period: float = Field(
        default=10.0, ge=0, description="Material received and shipped each balance period (kg)."
    )
    inventory_kg: float = Field(
        default=20.0, ge=0, description="Physical inventory taken at each balance (kg)."
    )
    random_rsd: float = Field(
        default=0.01, ge=0, le=1, description="Random relative standard deviation per measurement."
    )
    systematic_rsd: float = Field(
        default=0.005, ge=0, le=1, description="Systematic relative standard deviation."
    )
    receipt_batches: int = Field(
        default=1,
        ge=1,
        description="Batches received each period, each measured on its own: the random "
        "variance of receipts is δr²·R²/batches (systematic error unchanged).",
    )
    shipment_batches: int = Field(
        default=1, ge=1, description="Batches shipped each period (as receipt_batches)."
    )
    periods_per_year: int = Field(default=12, ge=1, le=365, description="Balances a year.")
    false_alarm_probability: Probability = Field(
        default=0.05, description="False-alarm probability of the balance test."
    )
    material: Literal["plutonium", "heu", "u233"] | None = Field(
        default=None,
        description="Direct-use material balanced (sets the significant quantity); "
        "default: the program's first direct-use material, else plutonium.",
    )
    calibration_periods: int | None = Field(
        default=None,
        ge=1,
        description="Balance periods sharing one systematic error; default: the whole horizon.",
    )


class VerificationRegime(Model):
    """The inspection regime an agreement sets up; the inputs of lesson 3's figures."""

    inspectorate: str = Field(default="IAEA", description="Who verifies.")
    routine_inspections_per_year: float = Field(
        default=12.0, ge=0, description="Routine inspections a year at declared sites."
    )
    challenge_inspections_per_year: float = Field(
        default=0.0,
        ge=0,
        description="Challenge inspections a year at undeclared or suspect sites.",
    )
    candidate_sites: int = Field(
        default=100,
        ge=1,
        description="Suspect locations an undeclared facility could be among.",
    )
    intelligence_cueing: Probability = Field(
        default=0.2,
        description="Probability that intelligence points an inspection at the true site.",
    )
    concealment_time_hours: Estimate = Field(
        default_factory=lambda: Estimate(low=24.0, high=168.0),
        description="Hours the state needs to hide the signs of activity at a site.",
    )
    site_detection_probability: Probability = Field(
        default=0.9,
        description="Chance an inspection at the true site, not yet cleaned up, finds evidence.",
    )
    timeliness_goal_months: float = Field(
        default=1.0,
        gt=0,
        description="Timeliness goal (months): IAEA ~1 for unirradiated direct-use material.",
    )
    managed_access_delay_hours: float = Field(
        default=576.0,
        ge=0,
        description="Extra hours managed access gives the state before inspectors reach a "
        "suspect site; default 24 days, the longest access procedure of the JCPOA "
        "(Annex I, Section Q, 2015).",
    )
    cueing_from_people: Probability = Field(
        default=0.1,
        description="Assumption: chance that interviews with the program's people point a "
        "challenge inspection at the true site (counts only with access to people).",
    )
    cueing_from_documents: Probability = Field(
        default=0.1,
        description="Assumption: chance that production and procurement records point a "
        "challenge inspection at the true site (counts only with access to documents).",
    )
    cueing_if_concealing: Probability = Field(
        default=0.5,
        description="Assumption: share of the people and documents cues that still points "
        "at the site when the state is hiding it (coached interviews, sanitized records); "
        "1 = the state cooperates fully.",
    )
    search_with_replacement: bool = Field(
        default=False,
        description="Uncued challenge inspections may revisit a candidate already found "
        "clean (default: no, they work through the candidates without replacement).",
    )
    national_means_detection_per_month: Probability = Field(
        default=0.0,
        description="Chance a month that national technical means alone reveal clandestine "
        "work; 0 by default so that the figures show what the regime itself achieves.",
    )
    sampling: AttributeSamplingPlan = Field(default_factory=AttributeSamplingPlan)
    material_balance: MaterialBalancePlan = Field(default_factory=MaterialBalancePlan)
    source: str = ""
