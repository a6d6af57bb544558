"""Benchmarks of cvid.verify against baselines measured in the same run.

1. Monte Carlo detection probability of the balance tests (Page on SITMUF and total MUF) for
   100 balance periods × 100,000 replications, against numpy merely drawing the same number
   of standard normal variates (target ≤ 3×; peak memory reported, target < 1 GB).
2. A 500 × 500 zero-sum game by ``solve_zero_sum`` (LP, duals, regret check) against calling
   HiGHS directly (highspy) on the same LP (target ≤ 1.5×).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable

import numpy as np

from cvid.verify import BalanceSequence, ErrorModel, monte_carlo_tests, page_threshold
from cvid.verify.games import solve_zero_sum


def median_time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_balance() -> None:
    t_n, reps = 100, 100_000
    inv = np.full(t_n + 1, 20.0)
    seq = BalanceSequence.from_arrays(inv[:-1], np.full(t_n, 10.0), np.full(t_n, 10.0), inv[1:])
    err = ErrorModel.uniform(0.01, 0.005)
    h = page_threshold(t_n, 0.5, 0.05)
    d = np.full(t_n, 0.02)
    normals = reps * (3 * t_n + 1 + 3)  # every measurement's random error + 3 systematic

    def cvid_mc() -> object:
        return monte_carlo_tests(
            seq, err, k=0.5, h=h, alpha=0.05, replications=reps, seed=1, diversion=d
        )

    def baseline() -> object:
        rng = np.random.default_rng(1)
        chunk = 10_000
        left = normals
        while left > 0:
            n = min(chunk * (3 * t_n + 4), left)
            rng.standard_normal(n)
            left -= n
        return None

    cvid_mc()  # warm up (BLAS threads, caches)
    t_c = median_time(cvid_mc, 5)
    t_b = median_time(baseline, 5)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"ratio  MC balance tests 100 periods x 100,000 reps: {t_c / t_b:.2f}x  "
        f"(cvid {t_c:.3f} s vs numpy drawing {normals:,} normals {t_b:.3f} s; target <= 3x)"
    )
    print(f"       peak memory of this process: {peak_mb:.0f} MB (target < 1024 MB)")


def bench_game() -> None:
    import highspy

    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 500))
    m, n = a.shape

    def direct() -> float:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_ = m + 1
        lp.num_row_ = n + 1
        cost = np.zeros(m + 1)
        cost[-1] = -1.0
        lp.col_cost_ = cost
        lp.col_lower_ = np.r_[np.zeros(m), -highspy.kHighsInf]
        lp.col_upper_ = np.full(m + 1, highspy.kHighsInf)
        lp.row_lower_ = np.r_[np.full(n, -highspy.kHighsInf), 1.0]
        lp.row_upper_ = np.r_[np.zeros(n), 1.0]
        # rows: v − Σ_i a_ij x_i ≤ 0 (j = 1..n), Σ x_i = 1; column-wise (CSC) storage
        mat = np.vstack([np.hstack([-a.T, np.ones((n, 1))]), np.r_[np.ones(m), 0.0][None, :]])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        nz = mat != 0
        lp.a_matrix_.start_ = np.r_[0, np.cumsum(nz.sum(axis=0))].astype(np.int32)
        _, row_index = np.nonzero(nz.T)  # grouped by column of ``mat``
        lp.a_matrix_.index_ = row_index.astype(np.int32)
        lp.a_matrix_.value_ = mat.T[nz.T]
        h.passModel(lp)
        h.run()
        return float(-h.getInfo().objective_function_value)

    def ours() -> float:
        return solve_zero_sum(a).value

    v1, v2 = direct(), ours()
    assert abs(v1 - v2) < 1e-7, (v1, v2)
    t_d = median_time(direct, 5)
    t_o = median_time(ours, 5)
    print(
        f"ratio  500x500 zero-sum game: {t_o / t_d:.2f}x  "
        f"(cvid {t_o:.3f} s vs HiGHS direct {t_d:.3f} s; target <= 1.5x)"
    )


if __name__ == "__main__":
    bench_balance()
    bench_game()
