"""E[min(N, K)] for a Poisson number of inspections N over K candidate sites: the closed form
K·P(N ≥ K) + μ·P(N ≤ K − 2) used by the search model equals the defining sum
Σ_{k=1}^{K} P(N ≥ k), and both equal a direct sum over the Poisson pmf."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from cvid.verify.search import expected_visits_by_sum, expected_visits_without_replacement

MEANS = np.array([0.0, 1e-9, 0.01, 0.5, 1.0, 3.0, 10.0, 49.5, 199.0, 200.0, 250.0, 1200.0])


@pytest.mark.parametrize("k", [1, 2, 3, 10, 200, 1000])
def test_closed_form_equals_the_defining_sum(k: int) -> None:
    np.testing.assert_allclose(
        expected_visits_without_replacement(MEANS, k),
        expected_visits_by_sum(MEANS, k),
        rtol=1e-12,
        atol=1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(mu=st.floats(0.0, 400.0), k=st.integers(1, 300))
def test_closed_form_equals_the_pmf_sum(mu: float, k: int) -> None:
    n = np.arange(0, int(mu + 20 * np.sqrt(mu + 1) + 50))
    direct = float(np.sum(np.minimum(n, k) * poisson.pmf(n, mu)))
    got = float(expected_visits_without_replacement(mu, k))
    assert got == pytest.approx(direct, rel=1e-9, abs=1e-9)
    assert 0.0 <= got <= min(mu, k) + 1e-12


def test_no_candidate_sites_means_no_visits() -> None:
    assert float(expected_visits_without_replacement(5.0, 0)) == 0.0
