"""Pressure on the state: the tools of statecraft in force and how they hold up over time.

Lesson 2 of the mission: use all tools of statecraft together (sanctions, interdiction,
intelligence, military posture, allied coordination, diplomacy) and relieve none of them
before results. This table is read by the lesson (breadth and continuity of pressure) and by
:mod:`cvid.negotiate` (pressure as a stock: each instrument carries a share of the total
leverage and erodes when it is not actively enforced).

Shares and erosion rates are analysts' judgements, not measurements; each instrument should
say in ``source`` on what it rests. Without a ``[pressure]`` table a scenario has no stated
instruments and :meth:`Pressure.is_default` is true: figures derived from it are defaults.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from cvid.scenario.common import Id, Model, Probability

InstrumentKind = Literal[
    "un-sanctions",
    "unilateral-sanctions",
    "secondary-sanctions",
    "interdiction",
    "intelligence",
    "military-posture",
    "allied-coordination",
    "diplomacy",
]

#: What each kind of instrument is, in one line (used by the schema, the lesson and reports).
INSTRUMENT_KINDS: dict[str, str] = {
    "un-sanctions": "sanctions adopted by the UN Security Council (binding on all members)",
    "unilateral-sanctions": "sanctions imposed by one state or a group of states",
    "secondary-sanctions": "penalties on third parties that trade with the state",
    "interdiction": "stopping shipments of goods for the program (e.g. PSI, BBC China 2003)",
    "intelligence": "collection and sharing of intelligence on the program",
    "military-posture": "deployed forces, exercises and a credible threat of force",
    "allied-coordination": "allies acting together so that no one undercuts the pressure",
    "diplomacy": "isolation and engagement through diplomatic channels",
}


class Instrument(Model):
    """One tool of statecraft applied to the state, with who enforces it and its weight."""

    id: Id
    kind: InstrumentKind
    description: str = ""
    enforcer: str = Field(
        default="", description="Who applies and enforces it (e.g. 'UN Security Council', 'US')."
    )
    share: Probability = Field(
        description="Share of the total leverage on the state this instrument carries (0–1); "
        "the shares of all instruments sum to at most 1."
    )
    continues: bool = Field(
        default=True,
        description="Whether it stays in force through the negotiation until the end state is "
        "verified (false: it is eased or suspended when talks begin).",
    )
    erosion_per_month: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="Fraction of its effect lost each month it is not actively enforced "
        "(sanctions leak, coalitions fray); a judgement, default 0.02 a month.",
    )
    source: str = ""


class Pressure(Model):
    """The instruments of pressure on the state at the start of the agreement."""

    instruments: list[Instrument] = Field(default_factory=list)
    source: str = ""

    @model_validator(mode="after")
    def _shares(self) -> Pressure:
        seen: set[str] = set()
        for i, ins in enumerate(self.instruments):
            if ins.id in seen:
                raise ValueError(f"instruments[{i}].id: duplicate id '{ins.id}'")
            seen.add(ins.id)
        total = sum(ins.share for ins in self.instruments)
        if total > 1.0 + 1e-9:
            raise ValueError(f"instrument shares sum to {total:g}, more than 1")
        return self

    def is_default(self) -> bool:
        """True when the scenario states no instrument (figures from it are defaults)."""
        return not self.instruments

    def total_share(self) -> float:
        """Sum of the instruments' shares of leverage (0–1)."""
        return float(sum(ins.share for ins in self.instruments))

    def continuing_share(self) -> float:
        """Share of leverage from instruments that stay in force through the negotiation."""
        return float(sum(ins.share for ins in self.instruments if ins.continues))

    def kinds(self) -> set[str]:
        """The kinds of instrument in force."""
        return {ins.kind for ins in self.instruments}
