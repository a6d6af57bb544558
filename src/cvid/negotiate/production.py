"""Monthly production of weapon-usable material by the program's facilities.

Reactors make plutonium (thermal power × capacity factor × days × g Pu per MWd); enrichment
plants make HEU (separative capacity ÷ SWU per kg of product, counted as kg of U-235 as
elsewhere in cvid). Each facility's rate is a product of uncertain factors (scenario
:class:`~cvid.scenario.Estimate`), drawn once per simulated run.

The rates come from :func:`cvid.verify.monthly_production` (built on ``plutonium_kg`` and
``heu_kg``), so that the simulator, the red team and the production estimates use one formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cvid.scenario import DIRECT_USE_MATERIALS, Estimate, ProductionAssumptions, Scenario
from cvid.scenario.program import PRODUCING_STATUSES
from cvid.verify import monthly_production

__all__ = ["PRODUCING_STATUSES", "FacilityRate", "ProductionModel", "production_model"]

#: A facility under construction produces once built (``operating_from_months``) unless a
#: verified step stops it: stopping the 50 and 200 MWe reactors under construction was the
#: Agreed Framework's main effect (research notes, cases.md).
UNDER_CONSTRUCTION = "under-construction"


@dataclass(frozen=True)
class FacilityRate:
    """How to draw one facility's production per month: ``constant × Π factors`` (kg/month)."""

    facility_id: str
    material: int  # index into ProductionModel.materials
    declared: bool
    constant: float
    factors: tuple[Estimate, ...]
    #: months after the start until a declared facility under construction produces (None:
    #: producing from the start)
    start: Estimate | None = None

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """``size`` draws of the monthly rate in kg."""
        out = np.full(size, self.constant)
        for est in self.factors:
            out *= est.sample(rng, size)
        return out

    @property
    def high(self) -> float:
        """Largest possible monthly rate (kg)."""
        out = self.constant
        for est in self.factors:
            out *= est.high
        return out


@dataclass(frozen=True)
class ProductionModel:
    """The program's stocks and production capacity, as the simulator draws them per run."""

    materials: tuple[str, ...]
    stocks: tuple[tuple[int, Estimate], ...]
    rates: tuple[FacilityRate, ...]
    hidden_capacity_share: float
    stock_ids: tuple[str, ...] = ()

    @property
    def significant_quantity_kg(self) -> NDArray[np.float64]:
        """IAEA significant quantity of each material (kg), in ``materials`` order."""
        from cvid.scenario import SIGNIFICANT_QUANTITY_KG

        return np.array([SIGNIFICANT_QUANTITY_KG[m] for m in self.materials])

    def capability_bound_kg(self, months: int) -> float:
        """An upper bound of total capability (kg) after ``months``: stocks at their highs plus
        every facility at its highest rate, hidden capacity included."""
        stock = sum(est.high for _, est in self.stocks)
        declared = sum(r.high for r in self.rates if r.declared)
        undeclared = sum(r.high for r in self.rates if not r.declared)
        rate = declared * (1.0 + self.hidden_capacity_share) + undeclared
        return float(stock + rate * months)

    def capability_bound_sq(self, months: int) -> float:
        """An upper bound of capability in significant quantities after ``months``."""
        sq = self.significant_quantity_kg
        stock = sum(est.high / sq[m] for m, est in self.stocks)
        rate = 0.0
        for r in self.rates:
            rate += (
                r.high
                / sq[r.material]
                * ((1.0 + self.hidden_capacity_share) if r.declared else 1.0)
            )
        return float(stock + rate * months)


def production_model(scenario: Scenario) -> ProductionModel:
    """Stocks and facility rates of direct-use material in ``scenario``.

    Reactors produce plutonium: Pu [kg/month] = P_th [MW] × CF × days a year ÷ 12 × g/MWd ÷
    1000 (0.9–1.0 g Pu per MWd for a graphite-moderated natural-uranium reactor at low burnup,
    shared research notes). Enrichment plants produce HEU, counted as kg of U-235:
    SWU a year ÷ 12 ÷ (SWU per kg product) × product assay. Only facilities whose status is
    operating or unknown produce, and those under construction with a start of operation
    (``operating_from_months``, :func:`cvid.scenario.program.is_producing`), from that month
    on when declared (a hidden plant's construction cannot be timed: from the start). Stocks
    are the program's direct-use materials.
    """
    assumptions: ProductionAssumptions = scenario.counterpart.production
    materials: list[str] = []

    def index(kind: str) -> int:
        if kind not in materials:
            materials.append(kind)
        return materials.index(kind)

    stocks = tuple(
        (index(m.kind), m.mass_kg)
        for m in scenario.program.materials
        if m.kind in DIRECT_USE_MATERIALS
    )
    rates: list[FacilityRate] = []
    for f in scenario.program.facilities:
        made = monthly_production(f, assumptions)  # cvid.verify's one formula
        if made is not None:
            # a hidden plant's construction cannot be timed: it counts from the start
            building = f.status == UNDER_CONSTRUCTION
            start = f.operating_from_months if building and f.declared else None
            rates.append(
                FacilityRate(
                    f.id, index(made.material), f.declared, made.constant, made.factors, start
                )
            )
    stock_ids = tuple(m.id for m in scenario.program.materials if m.kind in DIRECT_USE_MATERIALS)
    return ProductionModel(
        materials=tuple(materials),
        stocks=stocks,
        stock_ids=stock_ids,
        rates=tuple(rates),
        hidden_capacity_share=scenario.counterpart.hidden_capacity_share,
    )
