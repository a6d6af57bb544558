"""MUF − D: the diverter's split between falsified items and MUF, against its published
limiting cases and an item-by-item Monte Carlo."""

from __future__ import annotations

import math
from typing import TypedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cvid.errors import InputError
from cvid.scenario import load_scenario
from cvid.verify import (
    d_statistic,
    diversion_equilibrium,
    muf_d_equilibrium,
    sigma_d,
    simulate_split,
    split_detection_probability,
)
from cvid.verify.sampling import detection_probability


class Split(TypedDict):
    """The diverter's material and the inspectors' sample, shared by the closed form and the
    Monte Carlo."""

    diversion_kg: float
    item_content_kg: float
    items: int
    sample: int


def test_pure_routes_are_the_published_formulas() -> None:
    # Avenhaus & Canty (1996) eq. 3.22: σ = SQ/(2·1.6449) detects 1 SQ with P = 0.95 at
    # α = 0.05; ch. 2: r falsified of N items, n sampled, P = 1 − C(N − r, n)/C(N, n).
    sq, sigma = 8.0, 8.0 / (2 * 1.6448536269514722)
    kw = Split(diversion_kg=sq, item_content_kg=4.0, items=100, sample=40)
    p = split_detection_probability([0, 2], sigma_kg=sigma, alpha=0.05, **kw)
    assert p[0] == pytest.approx(0.95, abs=1e-9)
    # With nothing left in MUF the balance test still alarms at its false-alarm rate α.
    p_as = 1 - math.comb(98, 40) / math.comb(100, 40)
    assert p[1] == pytest.approx(p_as + (1 - p_as) * 0.05)


@pytest.mark.parametrize("falsified", [0, 1, 2, 3])
def test_split_matches_item_by_item_monte_carlo(falsified: int) -> None:
    kw = Split(diversion_kg=10.0, item_content_kg=4.0, items=60, sample=12)
    sig_muf, diff = 3.0, 0.05
    sig = math.hypot(sig_muf, sigma_d(60, 12, diff))
    exact = float(split_detection_probability([falsified], sigma_kg=sig, alpha=0.05, **kw)[0])
    n = 100_000
    alarms = simulate_split(
        falsified,
        sigma_muf_kg=sig_muf,
        difference_sigma_kg=diff,
        alpha=0.05,
        replications=n,
        rng=np.random.default_rng(3),
        **kw,
    )
    se = math.sqrt(max(exact * (1 - exact), 1e-12) / n)
    assert abs(alarms.mean() - exact) < 4 * se


def test_full_verification_makes_muf_minus_d_the_inspectors_balance() -> None:
    # Avenhaus & Canty (INMM): when all data are verified the reported data drop out.
    rng = np.random.default_rng(0)
    true = rng.uniform(1, 5, 30)
    reported = true + rng.normal(0, 0.01, 30) + np.where(np.arange(30) < 3, 0.7, 0.0)
    verified = true + rng.normal(0, 0.01, 30)
    book = 100.0  # book inventory (beginning inventory + receipts − shipments)
    muf_reported = book - reported.sum()
    d = d_statistic(reported, verified, 30)
    assert muf_reported - d == pytest.approx(book - verified.sum())


@settings(max_examples=60, deadline=None)
@given(
    sq=st.floats(1.0, 30.0),
    content=st.floats(0.5, 10.0),
    items=st.integers(5, 200),
    frac=st.floats(0.0, 1.0),
    sigma=st.floats(0.01, 20.0),
    b=st.floats(0.0, 1.0),
    i=st.floats(0.0, 1.0),
)
def test_equilibrium_never_above_either_route_or_the_union(
    sq: float, content: float, items: int, frac: float, sigma: float, b: float, i: float
) -> None:
    n = int(frac * items)
    eq = muf_d_equilibrium(
        diversion_kg=sq,
        item_content_kg=content,
        items=items,
        sample=n,
        sigma_muf_kg=sigma,
        balance_probability=b,
        inspection_probability=i,
    )
    assert 0.0 <= eq.detection_probability <= 1.0
    assert eq.detection_probability <= eq.balance_only + 1e-12
    assert eq.detection_probability <= eq.falsification_only + 1e-12
    assert eq.detection_probability <= eq.independent_union + 1e-12
    assert eq.falsified_kg + eq.in_muf_kg == pytest.approx(sq)
    # A larger sample never helps the diverter.
    if n < items:
        more = muf_d_equilibrium(
            diversion_kg=sq,
            item_content_kg=content,
            items=items,
            sample=n + 1,
            sigma_muf_kg=sigma,
            balance_probability=b,
            inspection_probability=i,
        )
        assert more.detection_probability >= eq.detection_probability - 1e-9


def test_scenario_equilibrium_is_below_the_union() -> None:
    s = load_scenario("dprk-2018-libya-model")
    eq = diversion_equilibrium(s)
    assert eq.detection_probability < eq.independent_union
    # The balance alone, at the regime's σMUF, is the published normal formula.
    b = min(1.0, s.verification.material_balance.periods_per_year / 12)
    assert eq.balance_only == pytest.approx(
        b * stats.norm.cdf(8.0 / eq.sigma_muf_minus_d_kg - stats.norm.ppf(0.95))
    )
    assert 0 <= detection_probability(100, 2, 10) <= 1


def test_bad_inputs() -> None:
    with pytest.raises(InputError):
        sigma_d(10, 0, 0.1)
    with pytest.raises(InputError):
        split_detection_probability(
            [11], diversion_kg=1, item_content_kg=1, items=10, sample=2, sigma_kg=1, alpha=0.05
        )
