"""The agreement: commitments with deadlines and required verification, provisions, concessions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from cvid.scenario.common import Estimate, Id, Model
from cvid.scenario.vocabulary import MissileClass

CommitmentKind = Literal[
    "declare",
    "freeze",
    "disable",
    "dismantle",
    "remove",
    "destroy",
    "verify",
    "grant-access",
    "disclose",
    "limit",
    "convert",
]

VerificationMethod = Literal[
    "on-site-inspection",
    "challenge-inspection",
    "environmental-sampling",
    "material-accountancy",
    "seals-and-surveillance",
    "remote-monitoring",
    "removal-escort",
    "document-review",
    "interviews",
    "national-technical-means",
    "chain-of-custody",
    "information-barrier",
]
#: Units a cap or limit may be stated in.
CapUnit = Literal[
    "percent", "kg", "t", "items", "warheads", "centrifuges", "swu-per-year", "mwt", "km"
]
AccessRegime = Literal["anywhere-anytime", "managed", "declared-sites-only", "none"]
ExternalCondition = Literal[
    "withdrawal-of-forces",
    "end-of-extended-deterrence",
    "peace-treaty",
    "normalization-first",
    "sanctions-lifted-first",
    "security-guarantee-first",
    "civil-reactors-delivered",
]
ConcessionKind = Literal[
    "sanctions-relief",
    "economic-aid",
    "energy-aid",
    "food-aid",
    "civil-nuclear",
    "security-assurance",
    "diplomatic",
    "exercise-suspension",
    "summit",
    "terrorism-list-removal",
]
ReleaseCondition = Literal["verified", "declared", "statement", "schedule"]
#: Concession kinds that can be taken back once given, by default (aid delivered, reactors
#: built, a summit held or a listing removed cannot).
REVERSIBLE_CONCESSION_KINDS: frozenset[str] = frozenset(
    {"sanctions-relief", "exercise-suspension", "diplomatic"}
)

#: Reserved target names a commitment may use beside program item ids.
RESERVED_TARGETS: dict[str, str] = {
    "all": "every item of the program",
    "all-facilities": "every facility, declared or not",
    "all-materials": "every stock of nuclear material",
    "all-weapons": "every weapon",
    "all-missiles": "every missile system",
    "nuclear-testing": "nuclear explosive testing",
    "missile-testing": "missile flight testing (all classes)",
    "icbm-testing": "flight testing of intercontinental ballistic missiles",
    "long-range-launch": "any long-range launch: an ICBM test or a satellite launch (SLV)",
    "documents": "the program's records (production, procurement, design)",
    "people": "the program's scientists, engineers and officials",
    "undeclared-sites": "sites the state has not declared",
}


class Cap(Model):
    """A ceiling the state accepts (enrichment level, stockpile, centrifuges), with its unit."""

    quantity: str = Field(
        min_length=1, description="What is capped, e.g. 'enrichment-level', 'stockpile'."
    )
    value: float = Field(ge=0, description="The ceiling, in ``unit``.")
    unit: CapUnit = Field(description="Unit of the ceiling (required).")
    source: str = ""


class Commitment(Model):
    """Something the state undertakes to do, by a deadline, verified in a stated way."""

    id: Id
    kind: CommitmentKind
    description: str = ""
    targets: list[str] = Field(
        default_factory=list,
        description="Program item ids, or reserved names: " + ", ".join(RESERVED_TARGETS) + ".",
    )
    deadline_months: float = Field(
        gt=0, description="Months from the start of the agreement by which it is due."
    )
    verification: list[VerificationMethod] = Field(
        default_factory=list,
        description="Evidence the commitment needs before it counts as verified; empty = none.",
    )
    scope: Literal["complete", "partial"] = Field(
        default="complete", description="For a declaration: complete, or a partial first list."
    )
    after: list[Id] = Field(
        default_factory=list,
        description="Commitments or concessions that must happen before this one starts.",
    )
    cap: Cap | None = Field(
        default=None, description="For a 'limit': the ceiling accepted, with its unit."
    )
    sunset: date | None = Field(
        default=None,
        description="Date on which the restriction lapses (a time-limited commitment).",
    )
    completed_before_agreement: bool = Field(
        default=False,
        description="Done before the agreement took effect (a pre-agreement act); it counts at "
        "month 0 and is verified only by the methods listed.",
    )
    verification_basis: dict[str, str] = Field(
        default_factory=dict,
        description="For each verification method, what it rests on (who, when, document).",
    )
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Commitment:
        if self.kind == "limit" and self.cap is None:
            raise ValueError("a 'limit' commitment needs a cap = { quantity, value, unit }")
        for method in self.verification_basis:
            if method not in self.verification:
                raise ValueError(
                    f"verification_basis names '{method}', which is not among its "
                    "verification methods"
                )
        return self


class MissileScope(Model):
    """Which missiles the end state must eliminate. Default: MTCR Category I, systems able to
    deliver at least a 500 kg payload to at least 300 km (MTCR Guidelines and Annex, Item 1),
    plus any class the agreement or UN resolutions name (e.g. UNSCR 1718 (2006) ¶ 7: all of
    the DPRK's ballistic missile programme)."""

    min_range_km: float = Field(default=300.0, ge=0, description="MTCR Category I range.")
    min_payload_kg: float = Field(default=500.0, ge=0, description="MTCR Category I payload.")
    classes: list[MissileClass] = Field(
        default_factory=list,
        description="Missile classes in scope whatever their range and payload.",
    )
    source: str = ""


class Provisions(Model):
    """Verification and end-state provisions of the agreement."""

    access: AccessRegime = Field(
        default="declared-sites-only", description="Where inspectors may go, and when."
    )
    challenge_notice_hours: float = Field(
        default=24.0, ge=0, description="Notice given before a challenge inspection, in hours."
    )
    access_to_people: bool = Field(
        default=False, description="Inspectors may interview scientists and officials."
    )
    access_to_documents: bool = Field(
        default=False, description="Inspectors may read production and procurement records."
    )
    retained_enrichment: bool = Field(
        default=False, description="The state keeps uranium enrichment (e.g. for peaceful use)."
    )
    retained_reprocessing: bool = Field(
        default=False, description="The state keeps plutonium reprocessing."
    )
    external_conditions: list[ExternalCondition] = Field(
        default_factory=list,
        description="Conditions outside the program that disarmament is made to depend on.",
    )
    civil_items_retained: list[Id] = Field(
        default_factory=list,
        description="Program items (civil, under safeguards) the agreement lets the state keep, "
        "e.g. a research reactor.",
    )
    missile_scope: MissileScope = Field(default_factory=MissileScope)
    source: str = ""


class Concession(Model):
    """Something the other parties give, released on a condition."""

    id: Id
    kind: ConcessionKind
    description: str = ""
    value_musd: Estimate | None = Field(
        default=None, description="Value in millions of US dollars (estimate)."
    )
    month: float = Field(ge=0, description="Month after the start at which it is released.")
    requires: list[Id] = Field(
        default_factory=list,
        description="Commitments that must be verified before release.",
    )
    release_on: ReleaseCondition = Field(
        default="verified",
        description="What releases it: verified steps, declared steps, statements, or calendar.",
    )
    after: list[Id] = Field(
        default_factory=list, description="Other concessions that must be released first."
    )
    reversible: bool | None = Field(
        default=None,
        description="Whether it can be taken back once given; default by kind (sanctions "
        "relief, exercise suspension and diplomatic steps can; aid, reactors, summits and "
        "delistings cannot).",
    )
    snapback: bool = Field(
        default=False,
        description="It is reimposed automatically on a violation (e.g. UNSCR 2231 ¶ 11–12).",
    )
    pre_agreement: bool = Field(
        default=False,
        description="Granted before the agreement took effect (a summit, a suspension of "
        "exercises): before any verified step by construction.",
    )
    source: str = ""

    @property
    def is_reversible(self) -> bool:
        """``reversible`` if stated, else the default for its kind."""
        if self.reversible is not None:
            return self.reversible
        return self.kind in REVERSIBLE_CONCESSION_KINDS


class Agreement(Model):
    """An agreement, real or hypothetical, and what it asks of each side."""

    name: str
    start: date | None = Field(default=None, description="Date it was signed or took effect.")
    duration_months: float = Field(
        gt=0, description="Months from the start by which everything is to be done."
    )
    parties: list[str] = Field(default_factory=list)
    stated_goal: str = Field(default="", description="The end state in the agreement's words.")
    commitments: list[Commitment] = Field(default_factory=list)
    concessions: list[Concession] = Field(default_factory=list)
    provisions: Provisions = Field(default_factory=Provisions)
    source: str = ""

    @model_validator(mode="after")
    def _sunsets(self) -> Agreement:
        if self.start is None:
            return self
        for i, c in enumerate(self.commitments):
            if c.sunset is not None and c.sunset <= self.start:
                raise ValueError(
                    f"commitments[{i}].sunset: sunset date {c.sunset.isoformat()} is not after "
                    f"the agreement's start ({self.start.isoformat()})"
                )
        return self

    def commitment(self, commitment_id: str) -> Commitment:
        """The commitment with this id (KeyError if none)."""
        for c in self.commitments:
            if c.id == commitment_id:
                return c
        raise KeyError(commitment_id)
