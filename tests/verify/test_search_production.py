"""Undeclared-site search (closed form vs inspection-by-inspection simulation) and production
estimates (reactor energy, separative work) with the bundled DPRK 2008 record."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cvid.errors import InputError
from cvid.verify import SearchModel, evidence_survival, simulate_search
from cvid.verify.production import (
    Campaign,
    Range,
    compare_declaration,
    example_record_path,
    feed_and_tails,
    heu_kg,
    load_record,
    plutonium_draws,
    plutonium_kg,
    separative_work,
    value_function,
)


@pytest.mark.parametrize(
    ("access", "mode"), [("anywhere-anytime", None), ("managed", None), ("anywhere-anytime", 60.0)]
)
def test_search_closed_form_matches_simulation(access: str, mode: float | None) -> None:
    m = SearchModel(20, 8.0, 0.15, 36.0, 24.0, 168.0, mode, 0.8, access, 40.0)
    n = 200_000
    found = simulate_search(m, 12.0, n, np.random.default_rng(4))
    p = float(m.probability_within(12.0))
    se = math.sqrt(max(p * (1 - p), 1e-12) / n)
    assert abs(found.mean() - p) < 4 * se


def test_no_access_means_no_finding() -> None:
    for access in ("declared-sites-only", "none"):
        m = SearchModel(20, 8.0, 0.5, 0.0, 24.0, 168.0, None, 0.9, access)
        assert float(m.probability_within(24.0)) == 0.0


def test_evidence_survival_distributions() -> None:
    # Uniform on [24, 168]: P(T > 96) = 0.5; triangular (24, 60, 168) by simulation.
    assert float(evidence_survival(96.0, 24.0, 168.0)) == pytest.approx(0.5)
    x = np.random.default_rng(0).triangular(24.0, 60.0, 168.0, 1_000_000)
    for d in (30.0, 60.0, 100.0):
        assert float(evidence_survival(d, 24.0, 168.0, 60.0)) == pytest.approx(
            np.mean(x > d), abs=2e-3
        )
    assert float(evidence_survival(10.0, 24.0, 24.0)) == 1.0
    assert float(evidence_survival(30.0, 24.0, 24.0)) == 0.0


def test_search_interval_brackets_central() -> None:
    m = SearchModel(50, 6.0, 0.2, 48.0, 24.0, 168.0, None, 0.9)
    lo, mid, hi = m.interval_within(12.0)
    assert lo == 0.0  # the fastest cleanup (24 h) beats 48 h notice
    assert lo <= mid <= hi
    # Slowest cleanup: π = 0.9; cued histories 1 − e^{−6·0.9}, uncued 0.9·E[min(N, 50)]/50
    # with N ~ Poisson(6), E[min(N, 50)] = 6 to machine precision.
    assert hi == pytest.approx(0.2 * (1 - math.exp(-6 * 0.9)) + 0.8 * 0.9 * 6 / 50)


def test_bad_search_inputs() -> None:
    with pytest.raises(InputError):
        SearchModel(0, 1.0, 0.2, 24.0, 24.0, 168.0)
    with pytest.raises(InputError):
        SearchModel(10, 1.0, 1.2, 24.0, 24.0, 168.0)


def test_plutonium_from_reactor_energy() -> None:
    # 25 MWt × 365 d × 0.75 × 1.0 g/MWd = 6.84 kg: within the published 5–7 kg a year for the
    # Yongbyon 5 MWe reactor (Chosun Ilbo 2018) at a 75 % capacity factor.
    assert float(plutonium_kg(25.0, 365.0, 0.75, 1.0)) == pytest.approx(6.84375)
    lo = float(plutonium_kg(20.0, 365.0, 0.75, 0.9))
    assert 4.5 < lo < 5.0


def test_value_function_and_mass_balance() -> None:
    assert float(value_function(0.5)) == 0.0
    assert float(value_function(0.2)) == pytest.approx(float(value_function(0.8)))
    f, t = feed_and_tails(1.0, 0.9, 0.00711, 0.003)
    assert f * 0.00711 == pytest.approx(1.0 * 0.9 + t * 0.003)  # U-235 conserved
    # Independent evaluation of SWU = P·V(xp) + T·V(xt) − F·V(xf), written out by hand.

    def v(x: float) -> float:
        return (2 * x - 1) * math.log(x / (1 - x))

    ff = (0.9 - 0.003) / (0.00711 - 0.003)
    swu = v(0.9) + (ff - 1) * v(0.003) - ff * v(0.00711)
    assert float(separative_work(1.0, 0.9, 0.00711, 0.003)) == pytest.approx(swu, rel=1e-13)
    # Commonly quoted: about 193 kg-SWU per kg of 90 % HEU from natural feed at 0.3 % tails.
    assert round(swu) == 193
    assert float(heu_kg(swu * 5, 0.9, 0.00711, 0.003)) == pytest.approx(5.0)


def test_point_inputs_give_the_exact_estimate() -> None:
    c = [Campaign("r", 100.0, Range(20.0, 20.0), Range(0.5, 0.5))]
    draws, _ = plutonium_draws(c, Range(1.0, 1.0), 10, np.random.default_rng(0))
    assert np.all(draws == 1.0)
    chk = compare_declaration(draws, 0.5, 8.0)
    assert (chk.shortfall_kg.p05, chk.shortfall_kg.median, chk.shortfall_kg.p95) == (0.5, 0.5, 0.5)
    assert chk.probability_shortfall == 1.0
    assert chk.probability_shortfall_one_sq == 0.0


def test_dprk_2008_record_against_published_estimates() -> None:
    meta, campaigns = load_record(example_record_path("dprk-2008"))
    assert meta["declared_kg"] == 30.8  # Dong-a Ilbo via AFP, 2008-10-24
    draws, _ = plutonium_draws(
        campaigns, Range.parse(meta["g_per_mwd"], "g"), 50_000, np.random.default_rng(1)
    )
    chk = compare_declaration(draws, meta["declared_kg"], 8.0)
    # The model's median separated Pu lies within Albright & Brannan's (2007) 28–50 kg range.
    assert 28.0 <= chk.estimate_kg.median <= 50.0
    assert chk.probability_shortfall > 0.5


def test_bad_record(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "r.toml"
    p.write_text('[declaration]\ndeclared_kg = 1\n[[campaign]]\nname = "x"\ndays = 10\n')
    with pytest.raises(InputError, match="missing thermal_power_mw"):
        load_record(p)
    with pytest.raises(InputError):
        Range.parse("5:abc", "--thermal-mw")
    with pytest.raises(InputError):
        Range.parse("9:3", "--thermal-mw")
