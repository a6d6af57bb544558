"""Material balance statistics against closed forms, independent computations and simulation.

Sources: Avenhaus & Canty, Compliance Quantified (1996), ch. 3–4; Jaech (1973); Page (1954);
Brook & Evans (1972); Montgomery, Introduction to Statistical Quality Control, Table 9.3
(tabular CUSUM, k = 1/2: ARLs 26.6 and 8.38 at shifts 0.5σ and 1σ for h = 4; 38.0 and 10.4
for h = 5; in control 168 and 465 for the two-sided scheme, i.e. about twice that one-sided).
Each "mistake seen in published safeguards code" (research README) has a test marked MISTAKE.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from cvid.errors import InputError
from cvid.verify import (
    BalanceSequence,
    ErrorModel,
    cumuf,
    diversion_pattern,
    monte_carlo_tests,
    muf,
    muf_covariance,
    one_sided_detection_probability,
    page_alarm_probability,
    page_arl,
    page_detection_probability,
    page_statistic,
    page_threshold,
    periodize,
    sigma_muf,
    simulate_muf,
    sitmuf,
    total_muf_test,
)


def sequence(t: int = 6, inv: float = 20.0, flow: float = 10.0) -> BalanceSequence:
    rng = np.random.default_rng(7)
    inventories = inv * (1.0 + 0.3 * rng.random(t + 1))
    rec = flow * (1.0 + 0.5 * rng.random(t))
    shp = flow * (1.0 + 0.5 * rng.random(t))
    return BalanceSequence.from_arrays(inventories[:-1], rec, shp, inventories[1:])


def test_muf_definition() -> None:
    assert muf([20.0], [10.0], [9.0], [20.5]).tolist() == [0.5]
    assert cumuf([1.0, -2.0, 3.0]).tolist() == [1.0, -1.0, 2.0]


def test_sigma_muf_includes_inventory_covariance_term() -> None:
    # MISTAKE: dropping −2·BI·EI·δs². With BI = EI and no flows, a shared systematic error
    # cancels exactly: σMUF is the random part alone.
    bi, ei, dr, ds = 100.0, 100.0, 0.01, 0.05
    s = float(sigma_muf(bi, 0.0, 0.0, ei, dr, ds))
    assert s == pytest.approx(dr * math.sqrt(bi**2 + ei**2), rel=1e-14)
    wrong = math.sqrt(dr**2 * (bi**2 + ei**2) + ds**2 * (bi**2 + ei**2))
    assert s < wrong / 5
    # And against a simulation of x̃ = x(1 + r + s) itself.
    rng = np.random.default_rng(1)
    n = 400_000
    sys = rng.normal(0, ds, n)
    m = bi * (1 + rng.normal(0, dr, n) + sys) - ei * (1 + rng.normal(0, dr, n) + sys)
    se = s / math.sqrt(2 * (n - 1))  # standard error of a sample standard deviation
    assert abs(m.std(ddof=1) - s) < 4 * se


def test_sigma_muf_general_formula_by_hand() -> None:
    # σ² = δr²(BI²+R²+S²+EI²) + δs²((BI−EI)² + R² + S²), Avenhaus & Canty (1996) eq. 3.12.
    bi, r, s, ei, dr, ds = 30.0, 12.0, 11.0, 28.0, 0.02, 0.01
    expected = math.sqrt(
        dr**2 * (bi**2 + r**2 + s**2 + ei**2) + ds**2 * ((bi - ei) ** 2 + r**2 + s**2)
    )
    assert float(sigma_muf(bi, r, s, ei, dr, ds)) == pytest.approx(expected, rel=1e-14)


def test_covariance_sum_equals_variance_of_one_long_balance() -> None:
    # MISTAKE: a covariance built from two-period (independent) balances. The sum of all MUFs
    # is the single balance I_0 + ΣR − ΣS − I_T, whose variance we compute directly.
    seq = sequence(8)
    err = ErrorModel.uniform(0.01, 0.004)
    cov = muf_covariance(seq, err)
    i0, it = seq.inventories[0], seq.inventories[-1]
    rnd = 0.01**2 * (i0**2 + it**2 + np.sum(seq.receipts**2) + np.sum(seq.shipments**2))
    sys = 0.004**2 * ((i0 - it) ** 2 + seq.receipts.sum() ** 2 + seq.shipments.sum() ** 2)
    assert cov.sum() == pytest.approx(rnd + sys, rel=1e-12)
    # Neighbouring balances are correlated through the shared inventory.
    assert np.all(np.abs(np.diag(cov, 1)) > 0)
    assert cov.sum() != pytest.approx(np.trace(cov), rel=1e-3)


def test_covariance_matches_simulated_measurements() -> None:
    seq = sequence(5)
    err = ErrorModel(
        {"inventory": 0.01, "receipts": 0.02, "shipments": 0.015},
        {"inventory": 0.005, "receipts": 0.003, "shipments": 0.004},
        calibration_periods=2,
    )
    cov = muf_covariance(seq, err)
    x = simulate_muf(seq, err, 400_000, np.random.default_rng(3))
    emp = np.cov(x, rowvar=False)
    # Standard error of a sample covariance: sqrt((σ_ii σ_jj + σ_ij²)/n).
    se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / x.shape[0])
    assert np.all(np.abs(emp - cov) < 4.5 * se)


def test_calibration_periods_split_systematic_errors() -> None:
    seq = sequence(4)
    one = muf_covariance(seq, ErrorModel.uniform(0.0, 0.01, calibration_periods=None))
    each = muf_covariance(seq, ErrorModel.uniform(0.0, 0.01, calibration_periods=1))
    # With a new calibration each period, periods 1 and 3 share nothing; the inventory I_1
    # (measured in period 1's calibration) links periods 1 and 2: δs²·(I_0 − I_1)·I_1.
    r, s, inv = seq.receipts, seq.shipments, seq.inventories
    assert each[0, 2] == pytest.approx(0.0, abs=1e-15)
    assert one[0, 2] == pytest.approx(
        1e-4 * ((inv[0] - inv[1]) * (inv[2] - inv[3]) + r[0] * r[2] + s[0] * s[2]), rel=1e-12
    )
    assert each[0, 1] == pytest.approx(1e-4 * (inv[0] - inv[1]) * inv[1], rel=1e-12)


def test_sitmuf_first_value_and_no_shift() -> None:
    # MISTAKE: SITMUF shifted by one period. y_1 = MUF_1/σ_1, and y_t depends on MUF_1..t only.
    seq = sequence(6)
    cov = muf_covariance(seq, ErrorModel.uniform(0.01, 0.005))
    x = np.array([0.3, -0.1, 0.2, 0.05, -0.2, 0.4])
    y = sitmuf(x, cov)
    assert y[0] == pytest.approx(x[0] / math.sqrt(cov[0, 0]), rel=1e-13)
    x2 = x.copy()
    x2[3] += 1.0
    y2 = sitmuf(x2, cov)
    assert np.array_equal(y[:3], y2[:3])
    assert y2[3] != y[3]


def test_sitmuf_is_the_standardized_conditional_innovation() -> None:
    # Independent computation by Gaussian conditioning: y_t = (x_t − E[x_t | x_<t]) / sd.
    seq = sequence(5)
    cov = muf_covariance(seq, ErrorModel.uniform(0.01, 0.005))
    x = np.array([0.3, -0.1, 0.2, 0.05, -0.2])
    y = sitmuf(x, cov)
    for t in range(1, 5):
        s11, s12 = cov[:t, :t], cov[:t, t]
        w = np.linalg.solve(s11, s12)
        mean = w @ x[:t]
        var = cov[t, t] - s12 @ w
        assert y[t] == pytest.approx((x[t] - mean) / math.sqrt(var), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    t=st.integers(1, 12),
    dr=st.floats(0.001, 0.05),
    ds=st.floats(0.0, 0.05),
    cal=st.one_of(st.none(), st.integers(1, 6)),
    seed=st.integers(0, 10_000),
)
def test_sitmuf_unit_variance_zero_mean(
    t: int, dr: float, ds: float, cal: int | None, seed: int
) -> None:
    # SITMUF = L⁻¹·MUF has covariance L⁻¹ΣL⁻ᵀ = I and mean L⁻¹·0 = 0 without diversion.
    rng = np.random.default_rng(seed)
    inv = 5 + 50 * rng.random(t + 1)
    seq = BalanceSequence.from_arrays(inv[:-1], 50 * rng.random(t), 50 * rng.random(t), inv[1:])
    cov = muf_covariance(seq, ErrorModel.uniform(dr, ds, cal))
    transformed = sitmuf(sitmuf(cov, cov).T, cov)  # L⁻¹ Σ L⁻ᵀ
    assert np.allclose(transformed, np.eye(t), atol=1e-8)
    assert np.all(sitmuf(np.zeros(t), cov) == 0.0)


def test_sitmuf_simulated_is_standard_normal() -> None:
    seq = sequence(6)
    err = ErrorModel.uniform(0.01, 0.005)
    cov = muf_covariance(seq, err)
    y = sitmuf(simulate_muf(seq, err, 200_000, np.random.default_rng(11)), cov)
    n = y.shape[0]
    assert np.all(np.abs(y.mean(axis=0)) < 4 / math.sqrt(n))
    assert np.allclose(np.cov(y, rowvar=False), np.eye(6), atol=4 * math.sqrt(2 / n))


def test_page_applies_minus_k_from_the_first_step() -> None:
    # MISTAKE: Page's test without −k on the first step.
    assert page_statistic([0.3], 0.5).tolist() == [0.0]
    assert page_statistic([1.5, 0.2, 2.0], 0.5).tolist() == pytest.approx([1.0, 0.7, 2.2])


@settings(max_examples=100, deadline=None)
@given(
    y=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=50),
    k=st.floats(0.0, 5.0),
)
def test_page_statistic_never_negative(y: list[float], k: float) -> None:
    s = page_statistic(y, k)
    assert np.all(s >= 0.0)
    # and it satisfies its recursion
    prev = 0.0
    for yt, st_ in zip(y, s, strict=True):
        assert st_ == max(0.0, prev + yt - k)
        prev = st_


@pytest.mark.parametrize(
    ("h", "shift", "published"),
    [
        (4.0, 0.0, 168.0),
        (4.0, 0.5, 26.6),
        (4.0, 1.0, 8.38),
        (4.0, 2.0, 3.34),
        (5.0, 0.0, 465.0),
        (5.0, 0.5, 38.0),
        (5.0, 1.0, 10.4),
        (5.0, 2.0, 4.01),
    ],
)
def test_arl_brook_evans_against_published(h: float, shift: float, published: float) -> None:
    # Montgomery Table 9.3 is the two-sided tabular CUSUM (k = 1/2); two one-sided schemes
    # combine as 1/ARL = 1/ARL⁺(μ) + 1/ARL⁺(−μ). Compared to the printed 3 significant digits.
    arl = 1.0 / (1.0 / page_arl(0.5, h, shift) + 1.0 / page_arl(0.5, h, -shift))
    digits = 3 - math.floor(math.log10(published)) - 1
    assert round(arl, digits) == published


def test_arl_against_integral_equation() -> None:
    # Goel & Wu (1971): L(z) = 1 + L(0)Φ(k − z − μ) + ∫₀ʰ L(x) φ(x + k − z − μ) dx, solved here
    # independently by a Gauss–Legendre Nyström method.
    k, h, mu = 0.5, 4.0, 0.25
    nodes, weights = np.polynomial.legendre.leggauss(80)
    x = (nodes + 1) * h / 2
    w = weights * h / 2
    # unknowns: L(0), L(x_1..x_n)
    z = np.concatenate([[0.0], x])
    a = np.zeros((z.size, z.size))
    a[:, 0] = stats.norm.cdf(k - z - mu)
    a[:, 1:] = w[None, :] * stats.norm.pdf(x[None, :] + k - z[:, None] - mu)
    sol = np.linalg.solve(np.eye(z.size) - a, np.ones(z.size))
    assert page_arl(k, h, mu, states=600) == pytest.approx(sol[0], rel=2e-3)


def test_page_alarm_probability_against_simulation() -> None:
    rng = np.random.default_rng(5)
    n, t, k, h = 200_000, 20, 0.5, 3.0
    means = np.linspace(0.0, 1.0, t)
    y = rng.standard_normal((n, t)) + means
    p_mc = float(np.mean(np.any(page_statistic(y, k) > h, axis=1)))
    p = float(page_alarm_probability(means, k, h)[-1])
    se = math.sqrt(p * (1 - p) / n)
    assert abs(p - p_mc) < 4 * se + 2e-3  # 2e-3: the chain's grid error


def test_page_threshold_gives_alpha() -> None:
    h = page_threshold(12, 0.5, 0.05)
    assert float(page_alarm_probability(np.zeros(12), 0.5, h)[-1]) == pytest.approx(0.05, abs=1e-8)


def test_one_sq_needs_sigma_below_sq_over_3_29() -> None:
    # README: detecting 1 SQ with α = β = 0.05 needs σMUF ≤ SQ/3.29 (= SQ/(2·z_0.95)).
    z = stats.norm.ppf(0.95)
    assert float(one_sided_detection_probability(8.0, 8.0 / (2 * z), 0.05)) == pytest.approx(0.95)
    assert round(float(one_sided_detection_probability(8.0, 8.0 / 3.29, 0.05)), 3) == 0.950


@pytest.mark.parametrize("pattern", ["abrupt", "protracted"])
def test_closed_forms_agree_with_monte_carlo(pattern: str) -> None:
    seq = sequence(12)
    err = ErrorModel.uniform(0.01, 0.005)
    cov = muf_covariance(seq, err)
    k, alpha = 0.5, 0.05
    h = page_threshold(seq.periods, k, alpha)
    d = diversion_pattern(seq.periods, 1.5, pattern, at_period=4)
    n = 200_000
    for div, seed in ((None, 21), (d, 22)):
        mc = monte_carlo_tests(
            seq, err, k=k, h=h, alpha=alpha, replications=n, seed=seed, diversion=div
        )
        if div is None:
            p_page, p_total = alpha, alpha
        else:
            p_page = page_detection_probability(div, cov, k, h)
            p_detect = total_muf_test(np.zeros(12), cov, alpha, div).detection_probability
            assert p_detect is not None
            p_total = p_detect
        assert abs(mc.total_alarm_probability - p_total) < 4 * mc.total_standard_error
        assert abs(mc.page_alarm_probability - p_page) < 4 * mc.page_standard_error + 2e-3


def test_total_muf_test_closed_form() -> None:
    seq = sequence(4)
    cov = muf_covariance(seq, ErrorModel.uniform(0.01, 0.005))
    res = total_muf_test([0.1, 0.2, 0.0, -0.1], cov, 0.05, diversion=[0, 1.0, 0, 0])
    sigma = math.sqrt(cov.sum())
    assert res.sigma == pytest.approx(sigma)
    assert res.threshold == pytest.approx(1.6448536269514722 * sigma)
    assert res.detection_probability == pytest.approx(
        stats.norm.cdf(1.0 / sigma - 1.6448536269514722)
    )
    assert res.alarm == (res.threshold < 0.2)


def test_monte_carlo_false_alarm_within_standard_error() -> None:
    seq = sequence(6)
    err = ErrorModel.uniform(0.01, 0.005)
    h = page_threshold(6, 0.5, 0.05)
    mc = monte_carlo_tests(seq, err, k=0.5, h=h, alpha=0.05, replications=60_000, seed=2)
    assert abs(mc.total_alarm_probability - 0.05) < 4 * mc.total_standard_error
    assert abs(mc.page_alarm_probability - 0.05) < 4 * mc.page_standard_error + 2e-3


def test_boundary_transfer_counted_once() -> None:
    # MISTAKE: a transfer on a period boundary counted in both periods.
    got = periodize([0.0, 10.0, 15.0, 20.0], [1.0, 2.0, 4.0, 8.0], 10.0, 30.0)
    assert got.tolist() == [1.0, 6.0, 8.0]
    assert got.sum() == 15.0


def test_last_complete_period_kept() -> None:
    # MISTAKE: the last complete period dropped when the horizon is a multiple of the period.
    assert periodize([29.9], [1.0], 10.0, 30.0).tolist() == [0.0, 0.0, 1.0]
    assert periodize([0.25], [1.0], 0.1, 0.3).tolist() == [0.0, 0.0, 1.0]
    # A transfer at the very end of the horizon starts a period outside it.
    assert periodize([30.0], [1.0], 10.0, 30.0).tolist() == [0.0, 0.0, 0.0]
    # Partial last period is not a complete period.
    assert len(periodize([1.0], [1.0], 10.0, 35.0)) == 3


def test_bad_balance_inputs() -> None:
    with pytest.raises(InputError, match="one physical inventory"):
        BalanceSequence.from_arrays([20, 21], [1, 1], [1, 1], [20, 20])
    with pytest.raises(InputError, match="finite"):
        BalanceSequence.from_arrays([20], [-1], [1], [20])
    seq = BalanceSequence.from_arrays([20, 20], [1, 1], [1, 1], [20, 20])
    with pytest.raises(InputError, match="singular") as exc:
        sitmuf([0.0, 0.0], muf_covariance(seq, ErrorModel.uniform(0.0, 0.0)))
    assert exc.value.field == "covariance"


def test_probability_integral_sanity() -> None:
    # P_D integrates the normal density above the threshold: Φ(M/σ − z) by quadrature.
    m, sigma, z = 3.0, 1.5, stats.norm.ppf(0.95)
    p, _ = integrate.quad(lambda x: stats.norm.pdf(x, m, sigma), z * sigma, np.inf)
    assert float(one_sided_detection_probability(m, sigma, 0.05)) == pytest.approx(p, rel=1e-9)
