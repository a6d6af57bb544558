"""The counterpart model: what kind of state we face and how it answers pressure and concessions.

Used by :mod:`cvid.negotiate`. The types follow the mission's framing: a *sincere* state has
made the strategic decision; a *time-buyer* takes concessions and keeps producing in secret;
a *hedger* complies in part and keeps latent capability.

Every behavioural parameter of the negotiation simulator lives here with its default; the
defaults are assumptions for analysis, not measured facts, and a scenario should override
them with its own judgement (and say why in ``source``).

Levels of an act on a step of the agreement, from weakest to strongest: a *statement*
(announced), a *declared* step (claimed done, not verified) and a *verified* step.
Steps are *hard* when they expose or remove the hidden program (a complete declaration,
access to people, documents or undeclared sites, dismantlement, removal, destruction) and
*soft* otherwise (a freeze, a disablement, a partial declaration). A state that has not made
the strategic decision never lets a hard step be verified.

Cheating is a decision, not a fixed share: each month an undecided state runs its hidden
capacity in secret (at ``clandestine_share`` of it) only when a month's secret production
is worth more than the discounted penalty it risks, i.e. when the chance of detection within
the timeliness goal is below the inspection-game deterrence threshold D/(D + δ^g·B)
(Avenhaus & Canty 1996, §4.2; :mod:`cvid.verify.games`). Types differ in the gain D
(``cheating_gain``), the penalty B (``detection_penalty`` plus the concessions it would
forfeit) and the monthly discount factor δ (``discount_per_month``).

The base hazard of a spontaneous strategic decision defaults to 0.001 a month: the DPRK made
none in the thirty-odd years since 1993 (0 events in ~380 months; Jeffreys estimate 0.5/380
≈ 0.0013), and the pressure term to 0.006 a month under full pressure: Libya decided after
about a dozen years of UN (1992) and US sanctions (≈ one decision in 144 months under
pressure, 1/144 ≈ 0.007 in all). Shared research notes (cases.md, events.csv).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from cvid.scenario.common import Estimate, Model, Probability

#: Source of the default decision hazards (see the module docstring).
DECISION_HAZARD_SOURCE = (
    "base 0.001/month: no strategic decision by the DPRK in ~380 months since 1993 "
    "(Jeffreys estimate 0.5/380); pressure term 0.006/month: Libya decided after ~144 months "
    "of UN (1992-) and US sanctions (shared research notes, cases.md, events.csv)"
)

#: The counterpart types, in the order the simulator numbers them (0, 1, 2).
COUNTERPART_TYPES: tuple[str, str, str] = ("sincere", "time-buyer", "hedger")
#: Types that have not made the strategic decision at the start.
NON_SINCERE_TYPES: tuple[str, str] = ("time-buyer", "hedger")


class TypePrior(Model):
    """Prior probability of each counterpart type; must sum to 1."""

    sincere: Probability = 0.2
    time_buyer: Probability = Field(default=0.5, alias="time-buyer")
    hedger: Probability = 0.3

    @model_validator(mode="after")
    def _sums_to_one(self) -> TypePrior:
        total = self.sincere + self.time_buyer + self.hedger
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"type probabilities sum to {total:g}, not 1")
        return self

    def as_tuple(self) -> tuple[float, float, float]:
        """(sincere, time-buyer, hedger) in :data:`COUNTERPART_TYPES` order."""
        return (self.sincere, self.time_buyer, self.hedger)


def _per_type(sincere: float, time_buyer: float, hedger: float) -> dict[str, float]:
    return {"sincere": sincere, "time-buyer": time_buyer, "hedger": hedger}


#: Defaults of the per-type tables (a table in a scenario may name only some types).
PER_TYPE_DEFAULTS: dict[str, dict[str, float]] = {
    "clandestine_share": _per_type(0.0, 1.0, 0.3),
    "statement_probability": _per_type(1.0, 0.9, 0.8),
    "declared_step_probability": _per_type(1.0, 0.5, 0.5),
    "verified_step_probability": _per_type(1.0, 0.2, 0.5),
    "hollow_declaration_probability": _per_type(0.0, 0.3, 0.1),
    "detection_penalty": _per_type(0.0, 1.0, 2.0),
    "discount_per_month": _per_type(0.99, 0.95, 0.98),
}

#: Default gain of a month of secret production, per type (package units; see the field).
CHEATING_GAIN_DEFAULTS: dict[str, Estimate] = {
    "sincere": Estimate(low=0.0, high=0.0),
    "time-buyer": Estimate(low=0.02, high=0.3),
    "hedger": Estimate(low=0.0, high=0.08),
}


class ProductionAssumptions(Model):
    """Conversion factors from facility capacity to weapon-usable material (kg a month)."""

    plutonium_g_per_mwd: Estimate = Field(
        default_factory=lambda: Estimate(low=0.9, high=1.0),
        description="Grams of plutonium a natural-uranium, graphite-moderated reactor makes per "
        "MW(thermal)-day at low burnup (0.9–1.0 g/MWd; see shared research notes).",
    )
    heu_product_assay: Probability = Field(
        default=0.9, description="U-235 fraction of the HEU product (weapon grade ≈ 0.9)."
    )
    feed_assay: Probability = Field(
        default=0.00711, description="U-235 fraction of the enrichment feed (natural uranium)."
    )
    tails_assay: Probability = Field(
        default=0.003, description="U-235 fraction of the enrichment tails."
    )

    @model_validator(mode="after")
    def _assays_ordered(self) -> ProductionAssumptions:
        if not 0 < self.tails_assay < self.feed_assay < self.heu_product_assay < 1:
            raise ValueError("assays must satisfy 0 < tails < feed < product < 1")
        return self


class CounterpartModel(Model):
    """Behavioural parameters of the counterpart, one month a step."""

    prior: TypePrior = Field(default_factory=TypePrior)
    decision_hazard_base: Probability = Field(
        default=0.001,
        description="Monthly chance a non-sincere state makes the strategic decision without "
        "pressure. Default 0.001: no decision by the DPRK in ~380 months since 1993 "
        "(Jeffreys estimate 0.5/380).",
    )
    pressure_sensitivity: float = Field(
        default=0.006,
        ge=0,
        description="Added monthly decision hazard per unit of sustained pressure (0–1). "
        "Default 0.006: Libya decided after ~144 months of UN and US sanctions.",
    )
    economic_vulnerability: float = Field(
        default=1.0,
        ge=0,
        description="Economic cost of pressure to this state relative to a reference state (1); "
        "multiplies the pressure term of the decision hazard.",
    )
    pressure_memory_months: float = Field(
        default=6.0,
        ge=1,
        description="Months over which pressure must be sustained to count fully (time constant "
        "of the exponential average of pressure that drives the decision hazard).",
    )
    concession_dampening: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Fraction by which concessions already received lower the decision hazard.",
    )
    clandestine_share: dict[str, Probability] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["clandestine_share"]),
        description="Share of its hidden production capacity each type runs in a month in "
        "which it chooses to cheat (how much; whether is a best response, see cheating_gain).",
    )
    cheating_gain: dict[str, Estimate] = Field(
        default_factory=lambda: dict(CHEATING_GAIN_DEFAULTS),
        description="Value to the state of one month of secret production, in units of the "
        "whole concession package, drawn once per run (a range: states of one type differ). "
        "Defaults: time-buyer 0.02–0.3, hedger 0–0.08, sincere 0 (cvid judgements).",
    )
    detection_penalty: dict[str, float] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["detection_penalty"]),
        description="Cost to the state of being caught, beyond the concessions it forfeits "
        "(restored and escalated pressure), in package units; must not be negative. "
        "Defaults: time-buyer 1, hedger 2 (cvid judgements).",
    )
    discount_per_month: dict[str, Probability] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["discount_per_month"]),
        description="Monthly discount factor δ of each type: a penalty felt g months later "
        "weighs δ^g (g = the regime's timeliness goal).",
    )
    hidden_capacity_share: float = Field(
        default=0.25,
        ge=0,
        description="Production capacity, as a share of the declared facilities', that a state "
        "can run at sites the scenario does not list (added to undeclared facilities).",
    )
    statement_probability: dict[str, Probability] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["statement_probability"]),
        description="Monthly chance an undecided state at least announces the step asked of it.",
    )
    declared_step_probability: dict[str, Probability] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["declared_step_probability"]),
        description="Monthly chance an undecided state at least claims a soft step done.",
    )
    verified_step_probability: dict[str, Probability] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["verified_step_probability"]),
        description="Monthly chance an undecided state carries out a soft step verifiably "
        "(e.g. a freeze of declared facilities under seal).",
    )
    hollow_declaration_probability: dict[str, Probability] = Field(
        default_factory=lambda: dict(PER_TYPE_DEFAULTS["hollow_declaration_probability"]),
        description="Monthly chance an undecided state claims a hard step done without doing it "
        "(e.g. an incomplete declaration presented as complete).",
    )
    decided_step_probability: Probability = Field(
        default=0.75,
        description="Monthly chance a state that made the strategic decision completes the step "
        "asked of it, verified (Libya 2003–04: about four months for the whole program).",
    )
    production: ProductionAssumptions = Field(default_factory=ProductionAssumptions)
    source: str = ""

    @model_validator(mode="after")
    def _per_type_keys(self) -> CounterpartModel:
        for name in (
            "clandestine_share",
            "statement_probability",
            "declared_step_probability",
            "verified_step_probability",
            "hollow_declaration_probability",
            "cheating_gain",
            "detection_penalty",
            "discount_per_month",
        ):
            table: dict[str, object] = getattr(self, name)
            unknown = sorted(set(table) - set(COUNTERPART_TYPES))
            if unknown:
                raise ValueError(
                    f"{name}: unknown counterpart type '{unknown[0]}' "
                    f"(types are {', '.join(COUNTERPART_TYPES)})"
                )
        for t, v in self.detection_penalty.items():
            if not v >= 0:  # also refuses NaN
                raise ValueError(
                    f"detection_penalty.{t}: a penalty must not be negative (got {v:g})"
                )
        for t in COUNTERPART_TYPES:
            verified = self.per_type("verified_step_probability", t)
            declared = self.per_type("declared_step_probability", t)
            statement = self.per_type("statement_probability", t)
            hollow = self.per_type("hollow_declaration_probability", t)
            if not verified <= declared <= statement or hollow > statement:
                raise ValueError(
                    f"for a {t} the chances must be nested (each 'at least' the next level): "
                    "verified_step_probability <= declared_step_probability <= "
                    "statement_probability, and hollow_declaration_probability <= "
                    "statement_probability"
                )
        return self

    def per_type(self, name: str, counterpart_type: str) -> float:
        """Value of a per-type table for ``counterpart_type``; a missing type takes the default."""
        table: dict[str, float] = getattr(self, name)
        if counterpart_type in table:
            return float(table[counterpart_type])
        return PER_TYPE_DEFAULTS[name][counterpart_type]

    def gain(self, counterpart_type: str) -> Estimate:
        """The cheating gain of ``counterpart_type`` (default where the table omits it)."""
        return self.cheating_gain.get(counterpart_type, CHEATING_GAIN_DEFAULTS[counterpart_type])
