"""The combined diversion test: MUF − D, with the diverter choosing how to hide the loss.

A state that diverts M kg from a bulk-handling facility can hide it two ways (Avenhaus &
Canty, *Compliance Quantified*, 1996, ch. 4, "data verification"; Avenhaus & Canty, "On the
relevance of reported data for material balance verification", INMM proceedings):

* **falsify the reported data** of r items (each falsified item hides its content x, the last
  one only what is left), caught when the inspectors' sample of n of the N items contains a
  falsified one (hypergeometric: 1 − C(N − r, n)/C(N, n), ch. 2);
* **leave the rest in MUF**, μ_MUF = M − min(r·x, M), caught by the inspector's balance test.

The inspector does not test MUF alone but **MUF − D**, where D = (N/n)·Σ_sampled (verified −
reported) estimates (minus) the falsification. E[MUF − D] = M whatever the split, and
Var(MUF − D) = σ²_MUF + σ²_D with σ²_D = N²σ_d²/n (one class of N items, n verified,
σ_d the standard deviation of one operator–inspector difference). When the sample finds no
falsified item, D carries no falsification and MUF − D has mean μ_MUF; so, with b the chance
the balance closes and i the chance an inspection (with its sample) takes place in time,

    P(r) = i·P_AS(r) + (1 − i·P_AS(r))·b·Φ(μ_MUF(r)/σ_{MUF−D} − z_{1−α}).

The diverter picks the split r that minimizes P(r) (the inspector's test is announced): that
minimum is the **equilibrium detection probability**. It is never above either pure route,
and never above the independent union 1 − (1 − P_MB)(1 − P_AS) that assumes both routes see
the whole SQ — the figure cvid used before, which overstates detection. When every item is
verified (n = N), MUF − D is the inspector's own balance (the reported data drop out), the
published limiting case (Avenhaus & Canty, INMM).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import stats

from cvid.errors import InputError
from cvid.results import Result
from cvid.verify.sampling import check_probability, detection_probability

FloatArray = NDArray[np.float64]


def d_statistic(reported: ArrayLike, verified: ArrayLike, items: int) -> float:
    """D = (N/n)·Σ (verified − reported) over the n verified items of a class of N (kg);
    negative when the operator reports more than is there."""
    x = np.asarray(reported, dtype=np.float64)
    y = np.asarray(verified, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise InputError("need two equal, non-empty 1-D arrays", field="reported")
    if items < x.size:
        raise InputError(f"must be at least the {x.size} verified items", field="items")
    return float(items / x.size * np.sum(y - x))


def sigma_d(items: int, sample: int, difference_sigma_kg: float) -> float:
    """σ_D = N·σ_d/√n (kg): standard deviation of D under no falsification."""
    if items < 1 or not 1 <= sample <= items:
        raise InputError(f"need 1 ≤ sample ≤ items (got {sample} of {items})", field="sample")
    if difference_sigma_kg < 0 or not math.isfinite(difference_sigma_kg):
        raise InputError("must be a non-negative number", field="difference_sigma_kg")
    return float(items * difference_sigma_kg / math.sqrt(sample))


def muf_d_sigma(sigma_muf_kg: float, sigma_d_kg: float) -> float:
    """σ_{MUF−D} = √(σ²_MUF + σ²_D) (MUF and D measured independently)."""
    return float(math.hypot(sigma_muf_kg, sigma_d_kg))


def split_detection_probability(
    falsified_items: ArrayLike,
    *,
    diversion_kg: float,
    item_content_kg: float,
    items: int,
    sample: int,
    sigma_kg: float,
    alpha: float,
    balance_probability: float = 1.0,
    inspection_probability: float = 1.0,
) -> FloatArray:
    """P(r) of the module docstring for each number ``falsified_items`` r (vectorized)."""
    check_probability(alpha, "false_alarm_probability")
    check_probability(balance_probability, "balance_probability")
    check_probability(inspection_probability, "inspection_probability")
    if diversion_kg < 0 or item_content_kg <= 0:
        raise InputError("need diversion ≥ 0 and item content > 0", field="diversion_kg")
    r = np.asarray(falsified_items, dtype=np.int64)
    if np.any(r < 0) or np.any(r > items):
        raise InputError(f"need 0 ≤ falsified items ≤ {items}", field="falsified_items")
    p_as = detection_probability(items, r, sample) * inspection_probability
    in_muf = np.maximum(diversion_kg - r * item_content_kg, 0.0)
    if sigma_kg <= 0:
        p_mb = np.where(in_muf > 0, 1.0, 0.0)
    elif alpha <= 0:
        p_mb = np.zeros_like(in_muf)
    else:
        p_mb = stats.norm.cdf(in_muf / sigma_kg - stats.norm.ppf(1.0 - alpha))
        if alpha >= 1:
            p_mb = np.ones_like(in_muf)
    out = p_as + (1.0 - p_as) * balance_probability * p_mb
    return np.asarray(out, dtype=np.float64)


class DiversionEquilibrium(Result):
    """The diverter's best split and the detection probability it leaves the inspector
    (probabilities; kg)."""

    detection_probability: float = Field(description="P(detect) at the diverter's best split")
    falsified_items: int = Field(description="Items whose reported data are falsified")
    falsified_kg: float = Field(description="kg hidden by the falsified data")
    in_muf_kg: float = Field(description="kg left in MUF")
    balance_only: float = Field(description="P(detect) when all of it is left in MUF")
    falsification_only: float = Field(description="P(detect) when all of it is falsified")
    independent_union: float = Field(
        description="1 − (1 − P_MB)(1 − P_AS), each route credited with the whole loss "
        "(an overstatement)"
    )
    sigma_muf_minus_d_kg: float = Field(description="σ of MUF − D, kg")


def muf_d_equilibrium(
    *,
    diversion_kg: float,
    item_content_kg: float,
    items: int,
    sample: int,
    sigma_muf_kg: float,
    sigma_d_kg: float = 0.0,
    alpha: float = 0.05,
    balance_probability: float = 1.0,
    inspection_probability: float = 1.0,
) -> DiversionEquilibrium:
    """Equilibrium detection of a diversion of ``diversion_kg`` under the MUF − D test: the
    minimum of P(r) over r = 0..min(N, ⌈M/x⌉) (module docstring)."""
    if items < 1 or not 0 <= sample <= items:
        raise InputError(f"need 0 ≤ sample ≤ items (got {sample} of {items})", field="sample")
    sig = muf_d_sigma(sigma_muf_kg, sigma_d_kg)
    top = min(items, math.ceil(diversion_kg / item_content_kg)) if diversion_kg > 0 else 0
    r = np.arange(top + 1)
    p = split_detection_probability(
        r,
        diversion_kg=diversion_kg,
        item_content_kg=item_content_kg,
        items=items,
        sample=sample,
        sigma_kg=sig,
        alpha=alpha,
        balance_probability=balance_probability,
        inspection_probability=inspection_probability,
    )
    best = int(np.argmin(p))
    balance_only = float(p[0])
    falsification_only = float(p[-1])
    # The figure cvid used before: each route credited with the whole SQ, then united.
    p_mb_all = float(
        split_detection_probability(
            [0],
            diversion_kg=diversion_kg,
            item_content_kg=item_content_kg,
            items=items,
            sample=sample,
            sigma_kg=sigma_muf_kg,
            alpha=alpha,
            balance_probability=balance_probability,
            inspection_probability=0.0,
        )[0]
    )
    p_as_all = float(detection_probability(items, top, sample)) * inspection_probability
    falsified = min(best * item_content_kg, diversion_kg)
    return DiversionEquilibrium(
        detection_probability=float(p[best]),
        falsified_items=best,
        falsified_kg=float(falsified),
        in_muf_kg=float(diversion_kg - falsified),
        balance_only=balance_only,
        falsification_only=falsification_only,
        independent_union=1.0 - (1.0 - p_mb_all) * (1.0 - p_as_all),
        sigma_muf_minus_d_kg=sig,
    )


def simulate_split(
    falsified_items: int,
    *,
    diversion_kg: float,
    item_content_kg: float,
    items: int,
    sample: int,
    sigma_muf_kg: float,
    difference_sigma_kg: float,
    alpha: float,
    replications: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Monte Carlo of one split, item by item (for tests): falsify the first r items, draw the
    inspectors' sample without replacement, measure each sampled difference with error σ_d,
    form D and MUF − D with MUF's own error, and alarm on a falsified item in the sample or on
    MUF − D above its critical value. Returns 0/1 alarms."""
    if not 1 <= sample <= items:
        raise InputError(f"need 1 ≤ sample ≤ items (got {sample} of {items})", field="sample")
    k = stats.norm.ppf(1.0 - alpha) * muf_d_sigma(
        sigma_muf_kg, sigma_d(items, sample, difference_sigma_kg)
    )
    hidden = np.zeros(items)
    left = diversion_kg
    for j in range(min(falsified_items, items)):
        hidden[j] = min(item_content_kg, left)
        left -= hidden[j]
    # Reported MUF: the true loss less what the falsified data hide, plus measurement error.
    muf_reported = diversion_kg - hidden.sum() + rng.normal(0.0, sigma_muf_kg, replications)
    chosen = np.argsort(rng.random((replications, items)), axis=1)[:, :sample]
    h = hidden[chosen]
    caught = np.any(h > 0, axis=1)
    # Reported minus verified on each sampled item: the falsification plus measurement error.
    diff = h + rng.normal(0.0, difference_sigma_kg, (replications, sample))
    d = -items / sample * diff.sum(axis=1)  # D = (N/n)·Σ (verified − reported)
    statistic = muf_reported - d
    return np.asarray(np.where(caught | (statistic > k), 1.0, 0.0), dtype=np.float64)
