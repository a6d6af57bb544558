"""Undeclared-site search with persistent cueing, without replacement: closed form against an
inspection-by-inspection Monte Carlo, the hazard the simulator uses, and the bundled
Libya-model figure the issue quotes (≈ 0.59 with the cue kept per history, 1.00 redrawn)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from cvid.scenario import load_scenario
from cvid.verify import (
    SearchModel,
    expected_visits_without_replacement,
    search_hazard,
    search_model,
    signature_persistence,
    simulate_search_parts,
    site_detection_hazard,
)


@pytest.mark.parametrize(
    ("access", "mode", "replacement", "sites"),
    [
        ("anywhere-anytime", None, False, 20),
        ("managed", None, False, 20),
        ("anywhere-anytime", 60.0, False, 5),
        ("anywhere-anytime", None, True, 20),
    ],
)
def test_closed_form_matches_sequential_monte_carlo(
    access: str, mode: float | None, replacement: bool, sites: int
) -> None:
    m = SearchModel(sites, 8.0, 0.3, 36.0, 24.0, 168.0, mode, 0.8, access, 40.0, replacement)
    n = 200_000
    found, cued = simulate_search_parts(m, 12.0, n, np.random.default_rng(11))
    parts = m.parts_within(12.0)
    for sim, exact in (
        (found.mean(), float(parts.total)),
        ((found * cued).mean(), float(parts.cued)),
        ((found * ~cued).mean(), float(parts.uncued)),
    ):
        se = math.sqrt(max(exact * (1 - exact), 1e-12) / n)
        assert abs(sim - exact) < 4 * se


def test_expected_visits_is_the_mean_of_min_n_k() -> None:
    # Independent computation: Σ_k min(k, K)·P(N = k) over the Poisson pmf.
    for mean, k in ((3.0, 5), (36.0, 200), (250.0, 200)):
        ks = np.arange(0, 2000)
        brute = float(np.sum(np.minimum(ks, k) * poisson.pmf(ks, mean)))
        assert float(expected_visits_without_replacement(mean, k)) == pytest.approx(brute)


def test_libya_model_figure_with_a_persistent_cue() -> None:
    """Issue 12: with cueing kept per history the same inputs give about 0.59, not 1.000.
    λ = 36/yr, K = 200, c = 1 − 0.6·0.9·0.9 = 0.514 (full people and documents cue),
    π = 0.9: c·(1 − e^{−32.4}) + (1 − c)·0.9·E[min(N, 200)]/200 with E ≈ 36."""
    s = load_scenario("dprk-2018-libya-model")
    v = s.verification.model_copy(update={"cueing_if_concealing": 1.0})
    s = s.model_copy(update={"verification": v})
    m = search_model(s)
    c = 1 - 0.6 * 0.9 * 0.9
    expected = c * (1 - math.exp(-36 * 0.9)) + (1 - c) * 0.9 * 36 / 200
    assert float(m.probability_within(12.0)) == pytest.approx(expected, abs=2e-3)
    assert float(m.probability_within(12.0)) == pytest.approx(0.59, abs=0.01)
    assert float(m.redrawn_probability_within(12.0)) > 0.999


@settings(max_examples=40, deadline=None)
@given(
    sites=st.integers(1, 300),
    rate=st.floats(0.0, 60.0),
    cueing=st.floats(0.0, 1.0),
    replacement=st.booleans(),
)
def test_hazard_reproduces_the_cumulative_curve(
    sites: int, rate: float, cueing: float, replacement: bool
) -> None:
    m = SearchModel(sites, rate, cueing, 2.0, 24.0, 168.0, None, 0.9, replacement=replacement)
    h_c, h_u = m.monthly_hazard(36)
    parts = m.parts_within(np.arange(37.0))
    assert np.allclose(1 - np.cumprod(1 - h_c), parts.if_cued[1:], atol=1e-9)
    assert np.allclose(1 - np.cumprod(1 - h_u), parts.if_uncued[1:], atol=1e-9)
    # Invariants: more inspections never lower the chance; persistence never beats redrawing
    # for the cued part's share of histories.
    more = SearchModel(sites, rate + 1.0, cueing, 2.0, 24.0, 168.0, None, 0.9)
    assert (
        float(more.probability_within(12.0))
        >= float(
            SearchModel(sites, rate, cueing, 2.0, 24.0, 168.0, None, 0.9).probability_within(12.0)
        )
        - 1e-12
    )
    h = search_hazard(m, 36, np.array([True, False, True]))
    assert h.shape == (3, 36)
    assert np.array_equal(h[0], h_c) and np.array_equal(h[1], h_u)


def test_uncued_hazard_rises_without_replacement() -> None:
    m = SearchModel(20, 12.0, 0.2, 2.0, 24.0, 168.0, None, 0.9)
    _, h_u = m.monthly_hazard(24)
    assert np.all(np.diff(h_u[:15]) > 0)


def test_signature_persistence_by_activity() -> None:
    # Particles from enrichment outlast a managed-access delay of 24 days; a weapons
    # workshop's signature (cleaned in days) does not.
    assert signature_persistence("enrichment", True) is not None
    assert signature_persistence("enrichment", False) is None
    assert signature_persistence("weapons-assembly", True) is None
    lo, hi = signature_persistence("enrichment", True) or (0.0, 0.0)
    enrich = SearchModel(50, 12.0, 0.2, 24.0, lo, hi, None, 0.9, "managed", 576.0)
    workshop = SearchModel(50, 12.0, 0.2, 24.0, 24.0, 168.0, None, 0.9, "managed", 576.0)
    assert enrich.survival() == 1.0
    assert workshop.survival() == 0.0


def test_scenario_hazard_has_national_means() -> None:
    s = load_scenario("dprk-2018-libya-model")
    v = s.verification.model_copy(update={"national_means_detection_per_month": 0.1})
    s2 = s.model_copy(update={"verification": v})
    h0 = site_detection_hazard(s, 12, [False])
    h1 = site_detection_hazard(s2, 12, [False])
    assert np.allclose(1 - h1, (1 - h0) * 0.9)
