"""The state's program: facilities, nuclear material, weapons and missiles, with uncertainty."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from cvid.scenario.common import Estimate, Id, Model, Probability
from cvid.scenario.vocabulary import MissileClass

FacilityKind = Literal[
    "reactor",
    "enrichment",
    "reprocessing",
    "conversion",
    "fuel-fabrication",
    "mine-mill",
    "weapons-design",
    "weapons-assembly",
    "test-site",
    "missile-production",
    "missile-base",
    "storage",
    "research",
]
FacilityStatus = Literal[
    "operating", "shutdown", "under-construction", "disabled", "dismantled", "unknown"
]
MaterialKind = Literal[
    "plutonium",
    "heu",
    "leu",
    "natural-uranium",
    "depleted-uranium",
    "uoc",
    "uf6",
    "u233",
    "thorium",
    "tritium",
]


#: IAEA significant quantities in kg of the material as counted by cvid (IAEA Safeguards
#: Glossary, 2022 edition, §3.14): Pu 8 kg (Pu-238 < 80 %), U-233 8 kg, HEU 25 kg of U-235.
#: For HEU cvid counts kg of U-235 contained; LEU, natural and depleted uranium 75 kg U-235.
SIGNIFICANT_QUANTITY_KG: dict[str, float] = {
    "plutonium": 8.0,
    "u233": 8.0,
    "heu": 25.0,
    "leu": 75.0,
    "natural-uranium": 10_000.0,
    "depleted-uranium": 20_000.0,
    "thorium": 20_000.0,
}

#: Material kinds that are direct-use material (IAEA Safeguards Glossary §4.25).
DIRECT_USE_MATERIALS: frozenset[str] = frozenset({"plutonium", "heu", "u233"})


class Facility(Model):
    """A site of the program, declared or suspected."""

    id: Id
    name: str
    kind: FacilityKind
    declared: bool = Field(
        default=True, description="False for a facility the state has not declared (suspected)."
    )
    status: FacilityStatus = "operating"
    location: str = ""
    thermal_power_mw: Estimate | None = Field(
        default=None, description="Reactors: thermal power in MW(th)."
    )
    capacity_factor: Estimate | None = Field(
        default=None, description="Reactors: fraction of the year at full power (0–1)."
    )
    operating_days_per_year: float = Field(
        default=365.0, gt=0, le=366, description="Calendar days a year used with capacity_factor."
    )
    separative_capacity_swu_per_year: Estimate | None = Field(
        default=None, description="Enrichment plants: separative work in kg-SWU a year."
    )
    throughput_t_hm_per_year: Estimate | None = Field(
        default=None, description="Reprocessing plants: tonnes of heavy metal a year."
    )
    operating_from_months: Estimate | None = Field(
        default=None,
        description="Facilities under construction: months after the scenario's date when it "
        "would start producing if nothing stops it (the simulator counts a declared facility "
        "under construction with a capacity as producing from then unless a verified step "
        "freezes it; without this field, from the start).",
    )
    detection_probability_if_undeclared: Probability | None = Field(
        default=None,
        description="Optional override: chance that national means already know this site.",
    )
    intelligence_exposure_per_month: Estimate | None = Field(
        default=None,
        description="Undeclared facilities: chance a month that national intelligence "
        "(procurement, imagery, defectors), outside the inspection regime, exposes the "
        "facility while a state that has not made the strategic decision builds or runs it, "
        "whatever it produces (0–1; the simulator draws one value per run). Unlike "
        "verification.national_means_detection_per_month, which catches clandestine "
        "production wherever it runs, this is the site's own exposure, production or not. "
        "The red team counts its mean as a hazard from the agreement's start. Unset: no "
        "such channel. State its basis in source.",
    )
    source: str = ""
    note: str = ""

    @field_validator("intelligence_exposure_per_month")
    @classmethod
    def _exposure_is_of_a_hidden_site(
        cls, e: Estimate | None, info: ValidationInfo
    ) -> Estimate | None:
        if e is None:
            return e
        if info.data.get("declared", True):
            raise ValueError(
                "only for an undeclared facility (declared = false): a declared site has "
                "nothing left to expose"
            )
        if e.high > 1.0:
            raise ValueError(f"a monthly probability: high ({e.high:g}) is above 1")
        return e


#: Facility statuses in which a facility produces material.
PRODUCING_STATUSES: frozenset[str] = frozenset({"operating", "unknown"})


def is_producing(f: Facility) -> bool:
    """True when the facility produces unless stopped: operating, status unknown, or under
    construction with a start of operation (``operating_from_months``; the 50 and 200 MWe
    reactors the Agreed Framework froze, cases.md §10: stopping them was the freeze's main
    effect). The simulator counts such a facility from its start month on."""
    return f.status in PRODUCING_STATUSES or (
        f.status == "under-construction" and f.operating_from_months is not None
    )


class Material(Model):
    """A stock of nuclear material; ``mass_kg`` is the best estimate of what exists."""

    id: Id
    name: str
    kind: MaterialKind
    mass_kg: Estimate = Field(description="Estimated mass in kg (for HEU: kg of U-235 contained).")
    declared_mass_kg: float | None = Field(
        default=None, ge=0, description="Mass the state declared, in kg, if it declared one."
    )
    facility: Id | None = Field(default=None, description="Facility id where the stock is held.")
    enrichment_fraction: Probability | None = Field(
        default=None, description="U-235 fraction for uranium material (0–1)."
    )
    safeguarded_civil: bool = Field(
        default=False,
        description="Civil material declared and under IAEA safeguards before the agreement "
        "(research-reactor fuel, e.g. Libya's Tajura HEU): its return to the supplier is a "
        "civil-fuel matter, outside lesson 1's clock of the weapons program; it stays in "
        "lesson 4's end state. Needs declared_mass_kg and a facility.",
    )
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _civil_is_declared(self) -> Material:
        if self.safeguarded_civil and (self.declared_mass_kg is None or self.facility is None):
            raise ValueError(
                "safeguarded_civil material must be declared: give declared_mass_kg and the "
                "safeguarded facility that holds it"
            )
        return self

    @property
    def significant_quantity_kg(self) -> float | None:
        """The IAEA significant quantity for this kind of material, if one is defined."""
        return SIGNIFICANT_QUANTITY_KG.get(self.kind)


class WeaponStock(Model):
    """Assembled nuclear weapons (or material for them), as a count with uncertainty."""

    id: Id
    name: str
    count: Estimate = Field(description="Number of weapons.")
    source: str = ""
    note: str = ""


class MissileSystem(Model):
    """A delivery system: class, range, launcher count and flight-test record."""

    id: Id
    name: str
    missile_class: MissileClass = Field(alias="class")
    range_km: Estimate | None = Field(default=None, description="Range in km.")
    payload_kg: Estimate | None = Field(default=None, description="Payload in kg.")
    launchers: Estimate | None = Field(default=None, description="Number of launchers.")
    flight_tests: int = Field(default=0, ge=0, description="Flight tests before the agreement.")
    last_flight_test: date | None = None
    source: str = ""
    note: str = ""


class Program(Model):
    """What the state has at the time the agreement is struck."""

    state: str = Field(description="The state whose program this is.")
    as_of: date = Field(description="Date the estimates refer to.")
    nuclear_tests: int = Field(default=0, ge=0, description="Nuclear explosive tests conducted.")
    last_nuclear_test: date | None = None
    facilities: list[Facility] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    weapons: list[WeaponStock] = Field(default_factory=list)
    missiles: list[MissileSystem] = Field(default_factory=list)
    source: str = ""

    def item_ids(self) -> dict[str, str]:
        """Every program item id mapped to what it is (facility, material, weapons, missile)."""
        ids: dict[str, str] = {}
        for kind, items in (
            ("facility", self.facilities),
            ("material", self.materials),
            ("weapons", self.weapons),
            ("missile", self.missiles),
        ):
            for item in items:
                ids[item.id] = kind
        return ids

    def facility(self, facility_id: str) -> Facility:
        """The facility with this id (KeyError if none)."""
        for f in self.facilities:
            if f.id == facility_id:
                return f
        raise KeyError(facility_id)
