"""Attribute sampling against exact enumeration, exact fractions and the IAEA approximation.

Sources: Avenhaus & Canty, Compliance Quantified (1996), ch. 2; JNMM vol. 44 no. 3 (the exact
sample size lies in {n_IAEA − 3, …, n_IAEA}).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.errors import InputError
from cvid.verify import (
    defects_for_goal,
    detection_probability,
    mixed_detection_probability,
    non_detection_probability_exact,
    plan_defect_levels,
    sample_size,
    sample_size_iaea,
)


def test_detection_matches_exact_enumeration() -> None:
    # Enumerate every sample of 4 from 10 items, 3 of them falsified.
    items, falsified = range(10), {0, 1, 2}
    samples = list(itertools.combinations(items, 4))
    caught = sum(1 for s in samples if falsified & set(s))
    assert detection_probability(10, 3, 4) == pytest.approx(caught / len(samples), rel=1e-14)
    assert 1 - non_detection_probability_exact(10, 3, 4) == Fraction(caught, len(samples))


def test_sample_size_is_the_smallest_exact_one() -> None:
    for items, m, goal in [(100, 2, 0.9), (500, 5, 0.95), (40, 1, 0.5), (1000, 13, 0.2)]:
        n = sample_size(items, m, goal)
        beta = Fraction(repr(goal))
        assert 1 - non_detection_probability_exact(items, m, n) >= beta
        assert 1 - non_detection_probability_exact(items, m, n - 1) < beta


def test_goal_exactly_reached_is_accepted() -> None:
    # N = 4, M = 2, n = 1: detection is exactly 1/2; float rounding must not push n to 2.
    assert sample_size(4, 2, 0.5) == 1
    # N = 10, M = 1: detection n/10 = 0.9 exactly at n = 9.
    assert sample_size(10, 1, 0.9) == 9


def test_iaea_formula_by_hand() -> None:
    # n = ⌈N(1 − β^{1/M})⌉: N = 100, M = 2, β = 0.1 → 100(1 − 0.316227…) = 68.38 → 69.
    assert sample_size_iaea(100, 2, 0.9) == 69
    # N = 10, M = 1, β = 0.1: 10 × 0.9 = 9 exactly (no spurious 10 from rounding).
    assert sample_size_iaea(10, 1, 0.9) == 9


def test_defects_from_goal_are_exact_decimals() -> None:
    assert defects_for_goal(8.0, 4.0) == 2
    assert defects_for_goal(8.0, 0.1) == 80  # 8 / 0.1 = 80.00000000000001 in floats
    assert defects_for_goal(25.0, 3.0) == 9
    assert defects_for_goal(0.3, 0.1) == 3


@settings(max_examples=150, deadline=None)
@given(
    items=st.integers(1, 3000),
    frac=st.floats(0.0005, 0.5),
    detect=st.sampled_from([0.2, 0.5, 0.8, 0.9, 0.95, 0.99]),
)
def test_exact_size_within_three_below_iaea(items: int, frac: float, detect: float) -> None:
    # The JNMM bound is for the planning range; we test M ≤ N/2. (With nearly every item
    # falsified, e.g. N = M = 16 at 99 %, the exact size is 1 and the IAEA formula says 5:
    # the approximation is then conservative by more than 3, never short.)
    m = max(1, min(items, round(items * frac)))
    n = sample_size(items, m, detect)
    n_iaea = sample_size_iaea(items, m, detect)
    assert n_iaea - 3 <= n <= n_iaea


@settings(max_examples=150, deadline=None)
@given(items=st.integers(1, 2000), frac=st.floats(0.0, 1.0), detect=st.floats(0.01, 0.999))
def test_exact_size_never_exceeds_iaea(items: int, frac: float, detect: float) -> None:
    m = max(1, min(items, round(items * frac)))
    assert sample_size(items, m, detect) <= sample_size_iaea(items, m, detect)


@settings(max_examples=100, deadline=None)
@given(items=st.integers(2, 400), data=st.data())
def test_detection_monotone_in_n_and_m(items: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(0, items - 1))
    n = np.arange(items + 1)
    p = detection_probability(items, m, n)
    assert np.all(np.diff(p) >= -1e-15)
    p_more = detection_probability(items, m + 1, n)
    assert np.all(p_more >= p - 1e-15)


def test_defect_levels_need_smaller_samples_for_larger_m() -> None:
    plans = plan_defect_levels(200, 4.0, 8.0, 0.9)
    by = {p.level: p for p in plans}
    assert by["gross"].defects == 2
    assert by["partial"].defects == 4
    assert by["bias"].defects == 40
    assert by["gross"].sample_size >= by["partial"].sample_size >= by["bias"].sample_size
    for p in plans:
        assert p.detection_probability >= 0.9


def test_mixed_detection_is_product_of_misses() -> None:
    # Independent samples: 1 − Π C(N−M_l, n_l)/C(N, n_l), computed here in exact integers.
    got = mixed_detection_probability(50, {"gross": 1, "bias": 10}, {"gross": 20, "bias": 5})
    miss = Fraction(math.comb(49, 20), math.comb(50, 20)) * Fraction(
        math.comb(40, 5), math.comb(50, 5)
    )
    assert got == pytest.approx(float(1 - miss), rel=1e-13)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((10, 11, 0.9), "defects"),
        ((10, 2, 1.5), "detect"),
        ((10, 2, -0.1), "detect"),
        ((0, 0, 0.9), "items"),
        ((10, 0, 0.9), "defects"),
    ],
)
def test_bad_input(args: tuple[int, int, float], field: str) -> None:
    with pytest.raises(InputError) as exc:
        sample_size(*args)
    assert exc.value.field == field
