"""A scenario facility's monthly production: the one formula the simulator and the red team
share (cvid.verify.monthly_production), checked against published figures by hand."""

from __future__ import annotations

import math

import pytest

from cvid.negotiate.production import production_model
from cvid.redteam.paths import producers
from cvid.scenario import Facility, load_scenario
from cvid.verify import monthly_production

DPRK = load_scenario("dprk-2018-step-by-step")


def _facility(fid: str) -> Facility:
    return next(f for f in DPRK.program.facilities if f.id == fid)


def test_reactor_rate_is_the_published_pu_output() -> None:
    # Yongbyon 5 MW(e): 20–25 MW(th), 0.9–1.0 g Pu/MWd; at 25 MW(th), CF 0.8 and 1 g/MWd a
    # year of 365 days makes 25 × 0.8 × 1.0 × 365 / 1000 = 7.3 kg, the top of the 5–7 kg a
    # year at full operation (Chosun Ilbo 2018, the scenario's source).
    made = monthly_production(_facility("yongbyon-5mwe"), DPRK.counterpart.production)
    assert made is not None and made.material == "plutonium"
    assert made.constant == pytest.approx(365 / 12 / 1000)
    assert made.constant * 25 * 0.8 * 1.0 * 12 == pytest.approx(7.3)


def test_enrichment_rate_is_hecker_s_150_kg_heu_from_29000_swu() -> None:
    # Hecker 2016: ~29,000 SWU a year, "up to 150 kg HEU a year" (90 % from natural at
    # 0.3 % tails). SWU per kg product by the value function, written out independently.
    def v(x: float) -> float:
        return (2 * x - 1) * math.log(x / (1 - x))

    xp, xf, xt = 0.9, 0.00711, 0.003
    feed = (xp - xt) / (xf - xt)
    swu_per_kg = v(xp) + (feed - 1) * v(xt) - feed * v(xf)
    assert swu_per_kg == pytest.approx(193, rel=0.01)  # the textbook ~193 SWU/kg at 0.3 %
    made = monthly_production(_facility("yongbyon-enrichment"), DPRK.counterpart.production)
    assert made is not None and made.material == "heu"
    heu_a_year = 29_000 * made.constant * 12 / xp  # kg U-235 a month → kg of 90 % HEU a year
    assert heu_a_year == pytest.approx(29_000 / swu_per_kg)
    assert heu_a_year == pytest.approx(150, rel=0.03)


def test_a_facility_that_is_not_operating_makes_nothing() -> None:
    f = _facility("yongbyon-5mwe").model_copy(update={"status": "dismantled"})
    assert monthly_production(f, DPRK.counterpart.production) is None


def test_simulator_and_red_team_use_the_same_rates() -> None:
    a = DPRK.counterpart.production
    expected = {
        f.id: m for f in DPRK.program.facilities if (m := monthly_production(f, a)) is not None
    }
    model = production_model(DPRK)
    assert {r.facility_id for r in model.rates} == set(expected)
    for r in model.rates:
        m = expected[r.facility_id]
        assert model.materials[r.material] == m.material
        assert (r.constant, r.factors) == (m.constant, m.factors)
    red = {p.facility: p for p in producers(DPRK)}
    assert set(red) == set(expected)
    for fid, p in red.items():
        m = expected[fid]
        central = m.constant * math.prod(e.mean for e in m.factors)
        assert p.material == m.material
        assert p.kg_per_month.mid == pytest.approx(central)
