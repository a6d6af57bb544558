"""Attribute sampling: how many items inspectors must verify to catch falsified ones.

N items are in a stratum, M of them are falsified (a defect), inspectors verify n drawn without
replacement. The chance that none of the n is falsified is hypergeometric:
C(N − M, n) / C(N, n) (Avenhaus & Canty, *Compliance Quantified*, 1996, ch. 2). The IAEA
planning formula n = ⌈N(1 − β^{1/M})⌉ approximates the smallest n for a non-detection
probability β; the exact size lies in {n_IAEA − 3, …, n_IAEA} (JNMM vol. 44 no. 3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import stats

from cvid.errors import InputError
from cvid.results import Result

#: Fraction of an item's content removed by each classic defect level (IAEA practice: a gross
#: defect empties the item, a partial defect removes part of it, a bias defect a small part
#: hidden in measurement uncertainty). The partial and bias fractions are cvid's defaults.
DEFAULT_DEFECT_LEVELS: dict[str, float] = {"gross": 1.0, "partial": 0.5, "bias": 0.05}


def _exact(x: float | int, name: str) -> Fraction:
    """The decimal number the user wrote (0.9 is 9/10, not the nearest binary double)."""
    if isinstance(x, int):
        return Fraction(x)
    if not math.isfinite(x):
        raise InputError("must be a finite number", field=name)
    return Fraction(repr(float(x)))


def check_probability(p: float, name: str) -> float:
    """Return ``p`` if it is a probability in [0, 1], else raise :class:`InputError`."""
    if not isinstance(p, int | float | np.floating) or not math.isfinite(float(p)):
        raise InputError(f"must be a number in [0, 1], got {p!r}", field=name)
    if not 0.0 <= float(p) <= 1.0:
        raise InputError(f"is a probability and must lie in [0, 1], got {p:g}", field=name)
    return float(p)


def _check_counts(items: int, defects: int, n: int | None = None) -> None:
    if items < 1:
        raise InputError(f"must be at least 1, got {items}", field="items")
    if defects < 0:
        raise InputError(f"must not be negative, got {defects}", field="defects")
    if defects > items:
        raise InputError(
            f"{defects} defects is more than the {items} items in the stratum", field="defects"
        )
    if n is not None and not 0 <= n <= items:
        raise InputError(f"must lie between 0 and {items} items, got {n}", field="sample_size")


def detection_probability(
    items: ArrayLike, defects: ArrayLike, n: ArrayLike
) -> NDArray[np.float64]:
    """Exact probability that a sample of ``n`` of ``items`` contains ≥ 1 of ``defects``.

    1 − C(N−M, n)/C(N, n), the hypergeometric survival function at 0 (scipy.stats.hypergeom);
    Avenhaus & Canty (1996), eq. 2.1. Broadcasts over arrays.
    """
    big_n = np.asarray(items, dtype=np.int64)
    m = np.asarray(defects, dtype=np.int64)
    k = np.asarray(n, dtype=np.int64)
    if np.any(big_n < 1) or np.any(m < 0) or np.any(m > big_n):
        raise InputError("need 0 ≤ defects ≤ items and items ≥ 1", field="defects")
    if np.any(k < 0) or np.any(k > big_n):
        raise InputError("need 0 ≤ sample size ≤ items", field="sample_size")
    out = stats.hypergeom.sf(0, big_n, m, k)
    return np.asarray(out, dtype=np.float64)


def non_detection_probability_exact(items: int, defects: int, n: int) -> Fraction:
    """C(N−M, n) / C(N, n) as an exact fraction (integer arithmetic)."""
    _check_counts(items, defects, n)
    return Fraction(math.comb(items - defects, n), math.comb(items, n))


def sample_size(items: int, defects: int, detect: float) -> int:
    """Smallest n whose exact hypergeometric detection probability reaches ``detect``.

    Exact: compares C(N−M, n)·den ≤ num·C(N, n) in integers, with the goal read as the decimal
    the user wrote (Avenhaus & Canty 1996, ch. 2). No defects and a positive goal: InputError.
    """
    _check_counts(items, defects)
    check_probability(detect, "detect")
    goal = _exact(detect, "detect")
    if goal == 0:
        return 0
    if defects == 0:
        raise InputError("no sample can detect zero defects; give at least 1", field="defects")
    beta = 1 - goal  # the non-detection probability we must reach or beat

    def ok(n: int) -> bool:
        return math.comb(items - defects, n) * beta.denominator <= beta.numerator * math.comb(
            items, n
        )

    lo, hi = 0, items - defects + 1  # at n = N − M + 1 a defect is certainly drawn
    hi = min(hi, items)
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def sample_size_iaea(items: int, defects: int, detect: float) -> int:
    """The IAEA planning approximation n = ⌈N(1 − β^{1/M})⌉ with β = 1 − detect.

    IAEA Safeguards Criteria / Avenhaus & Canty (1996), eq. 2.6; capped at N.
    """
    _check_counts(items, defects)
    check_probability(detect, "detect")
    if detect == 0:
        return 0
    if defects == 0:
        raise InputError("no sample can detect zero defects; give at least 1", field="defects")
    beta = 1.0 - detect
    x = items * -math.expm1(math.log(beta) / defects) if beta > 0 else float(items)
    # A product that is an integer up to rounding (e.g. 20.000000000000004) is that integer.
    n = math.ceil(x - 1e-9 * max(1.0, x))
    return min(max(n, 0), items)


def defects_for_goal(goal_kg: float, item_kg: float) -> int:
    """Falsified items needed to divert ``goal_kg``: M = ⌈goal / item content⌉ (exact decimal).

    Avenhaus & Canty (1996), ch. 2. 8 kg in 0.1 kg items is exactly 80 items, not 81.
    """
    if not (math.isfinite(goal_kg) and goal_kg > 0):
        raise InputError(f"must be a positive number of kg, got {goal_kg!r}", field="goal_kg")
    if not (math.isfinite(item_kg) and item_kg > 0):
        raise InputError(f"must be a positive number of kg, got {item_kg!r}", field="item_kg")
    return math.ceil(_exact(goal_kg, "goal_kg") / _exact(item_kg, "item_kg"))


class SamplingPlan(Result):
    """The attribute sample for one defect level (gross, partial, bias)."""

    level: str = Field(description="gross, partial or bias (or the level asked for)")
    fraction_removed: float = Field(description="Fraction of an item's material removed")
    defects: int = Field(description="Falsified items M needed to reach the goal quantity")
    sample_size: int = Field(description="Smallest n with P(detect) ≥ the goal (hypergeometric)")
    sample_size_iaea: int = Field(description="n by the IAEA approximation")
    detection_probability: float = Field(description="P(detect) with the exact n")


def plan_sampling(items: int, defects: int, detect: float, level: str = "gross") -> SamplingPlan:
    """The exact and the IAEA sample size for one defect count and the detection achieved."""
    n = sample_size(items, defects, detect)
    return SamplingPlan(
        level=level,
        fraction_removed=1.0,
        defects=defects,
        sample_size=n,
        sample_size_iaea=sample_size_iaea(items, defects, detect),
        detection_probability=float(detection_probability(items, defects, n)),
    )


def plan_defect_levels(
    items: int,
    item_kg: float,
    goal_kg: float,
    detect: float,
    levels: Mapping[str, float] | None = None,
) -> list[SamplingPlan]:
    """A sample per defect level: removing ``f`` of each item's content needs
    M = ⌈goal / (f·item content)⌉ falsified items, capped at N (IAEA practice; Avenhaus & Canty
    1996, §2.3: gross defects by attribute test, partial by variables test, bias by
    destructive analysis, each with its own sample). A level that cannot reach the goal even
    when every item is falsified is reported with M = N.
    """
    check_probability(detect, "detect")
    chosen = dict(DEFAULT_DEFECT_LEVELS if levels is None else levels)
    plans = []
    for name, frac in chosen.items():
        if not 0.0 < frac <= 1.0:
            raise InputError(f"fraction removed must be in (0, 1], got {frac:g}", field=name)
        m = min(defects_for_goal(goal_kg, item_kg * frac), items)
        p = plan_sampling(items, m, detect, level=name)
        plans.append(
            SamplingPlan(
                level=name,
                fraction_removed=frac,
                defects=p.defects,
                sample_size=p.sample_size,
                sample_size_iaea=p.sample_size_iaea,
                detection_probability=p.detection_probability,
            )
        )
    return plans


def mixed_detection_probability(
    items: int, defects: Mapping[str, int], samples: Mapping[str, int]
) -> float:
    """Detection probability when ``defects[level]`` items are falsified at each level and each
    level is verified by its own independent sample ``samples[level]``:
    1 − Π_level C(N − M_l, n_l)/C(N, n_l) (independent samples; Avenhaus & Canty 1996, §2.3).
    """
    miss = 1.0
    for level, m in defects.items():
        n = samples.get(level, 0)
        miss *= 1.0 - float(detection_probability(items, m, n))
    return 1.0 - miss


def detection_curve(items: int, defects: int, sizes: ArrayLike) -> NDArray[np.float64]:
    """Detection probability against sample size (for plots): exact hypergeometric."""
    _check_counts(items, defects)
    n = np.clip(np.asarray(sizes, dtype=np.int64), 0, items)
    return detection_probability(items, defects, n)
