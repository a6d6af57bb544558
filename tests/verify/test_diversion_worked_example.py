"""MUF − D against Avenhaus and Canty's central result and a worked example from published
IAEA inputs, computed here independently of cvid.verify.diversion.

Sources:
* Avenhaus & Canty, *Compliance Quantified* (1996), ch. 4 (data verification), and "On the
  relevance of reported data for material balance verification" (INMM proceedings): the
  inspector's statistic MUF − D, with D = (N/n)·Σ(verified − reported) over the n of N items
  verified, has expectation M, the total diverted, *whatever* part of M the operator hides by
  falsifying data, and variance σ²_MUF + N²σ_d²/n.
* IAEA Safeguards Glossary (2001 edition, §3.14 and Table II): one significant quantity of
  plutonium is 8 kg; its timeliness goal is one month. Avenhaus & Canty eq. 3.22: the
  one-sided balance test detects M with probability Φ(M/σ − z₁₋α).

A search of the stored literature (INMM proceedings, the Glossary, IAEA-STR reports) found no
published *numerical* MUF − D worked example to copy figures from, so the worked example below
takes its inputs from the published values above and its answer from an independent
computation (exact binomial coefficients and the normal distribution of the standard library).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from cvid.verify import d_statistic, muf_d_equilibrium, sigma_d

SQ_PU_KG = 8.0  # IAEA Safeguards Glossary (2001), Table II
ALPHA = 0.05


@pytest.mark.parametrize("falsified", [0, 1, 2, 4])
def test_muf_minus_d_has_mean_m_whatever_the_split(falsified: int) -> None:
    """Avenhaus & Canty: E[MUF − D] = M for every split, and Var = σ²_MUF + N²σ_d²/n when
    nothing is falsified (plus the sampling term of the falsified amounts otherwise); the
    falsification is spread over ``falsified`` items and D formed by cvid's d_statistic."""
    rng = np.random.default_rng(11)
    items, sample, content = 40, 10, 2.0
    diversion = SQ_PU_KG
    sig_muf, sig_diff = 1.5, 0.2
    hidden = np.zeros(items)
    left = diversion
    for j in range(falsified):
        hidden[j] = min(content, left)
        left -= hidden[j]
    reps = 20_000
    stats = np.empty(reps)
    true = np.full(items, content)
    for k in range(reps):
        reported = true + hidden  # the operator reports what was taken as still there
        muf = diversion - hidden.sum() + rng.normal(0.0, sig_muf)
        pick = rng.choice(items, sample, replace=False)
        verified = true[pick] + rng.normal(0.0, sig_diff, sample)
        stats[k] = muf - d_statistic(reported[pick], verified, items)
    sigma = math.hypot(sig_muf, sigma_d(items, sample, sig_diff))
    # With r > 0 the sample of falsified items adds the finite-population term of D:
    # (N/n)²·n·s²_h·(N − n)/(N − 1), s²_h the population variance of the hidden amounts.
    s2_h = float(np.var(hidden))
    sampling = (items / sample) ** 2 * sample * s2_h * (items - sample) / (items - 1)
    want_sd = math.sqrt(sigma**2 + sampling)
    se = want_sd / math.sqrt(reps)
    assert abs(stats.mean() - diversion) < 4 * se
    assert stats.std(ddof=1) == pytest.approx(want_sd, rel=0.03)


def _independent_split(
    r: int, *, items: int, sample: int, content: float, sigma: float, diversion: float
) -> float:
    """P(r) of the MUF − D game computed from first principles: attribute sampling catches
    a falsified item with 1 − C(N − r, n)/C(N, n); otherwise the balance sees what is left."""
    p_as = 1.0 - math.comb(items - r, sample) / math.comb(items, sample)
    left = max(diversion - r * content, 0.0)
    z = NormalDist().inv_cdf(1.0 - ALPHA)
    p_mb = NormalDist().cdf(left / sigma - z)
    return p_as + (1.0 - p_as) * p_mb


def test_worked_example_one_sq_of_plutonium() -> None:
    """One SQ of Pu (8 kg) from a store of 50 items of 2 kg; 10 verified; σ_MUF = 2.5 kg,
    σ_d = 0.1 kg per item. The equilibrium is the minimum over the splits r = 0..4 computed
    independently; the diverter's best is a mixed split, and the independent union of the
    two pure routes (each credited with the whole SQ) overstates detection."""
    items, sample, content, sig_muf, sig_diff = 50, 10, 2.0, 2.5, 0.1
    sigma = math.hypot(sig_muf, items * sig_diff / math.sqrt(sample))
    by_hand = [
        _independent_split(
            r, items=items, sample=sample, content=content, sigma=sigma, diversion=SQ_PU_KG
        )
        for r in range(5)
    ]
    best = min(range(5), key=lambda r: by_hand[r])
    eq = muf_d_equilibrium(
        diversion_kg=SQ_PU_KG,
        item_content_kg=content,
        items=items,
        sample=sample,
        sigma_muf_kg=sig_muf,
        sigma_d_kg=items * sig_diff / math.sqrt(sample),
        alpha=ALPHA,
    )
    assert eq.sigma_muf_minus_d_kg == pytest.approx(sigma)
    assert eq.falsified_items == best
    assert eq.detection_probability == pytest.approx(by_hand[best], rel=1e-12)
    assert eq.balance_only == pytest.approx(by_hand[0], rel=1e-12)
    assert eq.falsification_only == pytest.approx(by_hand[4], rel=1e-12)
    # Mixed split: neither pure route is the diverter's best here.
    assert 0 < best < 4
    # The union credits each route with the whole SQ at its own σ (the balance at σ_MUF).
    z = NormalDist().inv_cdf(1.0 - ALPHA)
    p_mb_all = NormalDist().cdf(SQ_PU_KG / sig_muf - z)
    p_as_all = 1.0 - math.comb(items - 4, sample) / math.comb(items, sample)
    union = 1.0 - (1.0 - p_mb_all) * (1.0 - p_as_all)
    assert eq.independent_union == pytest.approx(union, rel=1e-12)
    assert eq.detection_probability < union - 0.1
