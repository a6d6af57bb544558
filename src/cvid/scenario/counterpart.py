"""The counterpart model: what kind of state we face and how it answers pressure and concessions.

Used by :mod:`cvid.negotiate`. The types follow the mission's framing: a *sincere* state has
made the strategic decision; a *time-buyer* takes concessions and keeps producing in secret;
a *hedger* complies in part and keeps latent capability.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from cvid.scenario.common import Model, Probability


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


class CounterpartModel(Model):
    """Behavioural parameters of the counterpart, one month a step."""

    prior: TypePrior = Field(default_factory=TypePrior)
    decision_hazard_base: Probability = Field(
        default=0.01, description="Monthly chance a non-sincere state makes the strategic decision."
    )
    pressure_sensitivity: float = Field(
        default=0.04,
        ge=0,
        description="Added monthly decision hazard per unit of sustained pressure (0–1).",
    )
    concession_dampening: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Fraction by which concessions already received lower the decision hazard.",
    )
    clandestine_share: dict[str, Probability] = Field(
        default_factory=lambda: {"time-buyer": 1.0, "hedger": 0.3, "sincere": 0.0},
        description="Share of full production capacity each type keeps running in secret.",
    )
    source: str = ""
