"""Benchmark of the negotiation simulator (cvid.negotiate), each ratio measured in this run.

1. The vectorized engine against the scalar reference of tests/negotiate/reference.py on
   100,000 runs × 120 months. The scalar reference is timed on a subset of runs and scaled
   linearly to 100,000 (its cost is per run; it would take minutes in full).
2. The engine against numpy drawing just the random numbers the model consumes (the same
   generator, blocks and counts: one uniform per run for the type, the per-run draws of stocks
   and facility rates, three uniforms a month per run still going).
3. Memory: peak of traced allocations (tracemalloc sees numpy's buffers) for 10^5 and 10^6
   runs; flat means independent of the number of runs (10^8 runs then fit in 24 GB).
4. A sweep on a local Dask cluster with 2 worker processes against 1 (clusters started
   beforehand; the time is the sweep's).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.negotiate.reference

from tests.negotiate.reference import reference_runs  # noqa: E402

from cvid.negotiate import simulate, sweep  # noqa: E402
from cvid.negotiate.engine import block_generator, block_sizes, run_block  # noqa: E402
from cvid.negotiate.simulate import compile_all  # noqa: E402
from cvid.scenario import load_scenario  # noqa: E402

SCENARIO = "dprk-2018-step-by-step"
STRATEGY = "step-by-step"
RUNS, MONTHS, SEED, P = 100_000, 120, 1, 0.05
REPEATS = 3


def median_time(fn: object, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ratio(what: str, cvid: float, base_name: str, base: float, target: str) -> None:
    print(
        f"ratio  {what}: {base / cvid if 'faster' in target else cvid / base:.2f}x  "
        f"(cvid {cvid:.3f} s vs {base_name} {base:.3f} s; target {target})",
        flush=True,
    )


def main() -> int:
    import os

    print(
        "machine load average (1, 5, 15 min): "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} CPUs (timings are shared with other processes)",
        flush=True,
    )
    sc = load_scenario(SCENARIO)
    compiled = compile_all(sc, [STRATEGY], MONTHS, P)[STRATEGY]
    blocks = list(enumerate(block_sizes(RUNS)))

    def engine() -> None:
        for b, n in blocks:
            run_block(compiled, SEED, b, n)

    def draws_only() -> None:  # what the model consumes, in the same blocks and order
        p = compiled.production
        for b, n in blocks:
            rng = block_generator(SEED, b)
            rng.random(n)
            for _, est in p.stocks:
                est.sample(rng, n)
            for r in p.rates:
                r.sample(rng, n)
            for _ in range(MONTHS):
                rng.random((3, n))

    subset = 2_000

    def scalar() -> None:
        reference_runs(compiled, block_generator(SEED, 0), subset)

    # interleaved repetitions, so that the machine's load falls alike on each side
    t_engine, t_scalar, t_draws = [], [], []
    for _ in range(5):
        t_engine.append(median_time(engine, 1))
        t_draws.append(median_time(draws_only, 1))
        t_scalar.append(median_time(scalar, 1) * RUNS / subset)
    ratio(
        f"engine vs scalar reference, {RUNS:,} runs × {MONTHS} months "
        f"(reference timed on {subset:,} runs, scaled ×{RUNS // subset})",
        statistics.median(t_engine),
        "scalar reference",
        statistics.median(t_scalar),
        ">= 100x faster",
    )
    ratio(
        "engine vs drawing its random numbers alone",
        statistics.median(t_engine),
        "numpy draws",
        statistics.median(t_draws),
        "<= 4x",
    )

    peaks = {}
    for runs in (100_000, 1_000_000):
        tracemalloc.start()
        simulate(sc, [STRATEGY], runs=runs, months=MONTHS, seed=SEED, detection_probability=P)
        peaks[runs] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"memory peak: {peaks[100_000] / 2**20:.1f} MiB at 10^5 runs, "
        f"{peaks[1_000_000] / 2**20:.1f} MiB at 10^6 runs "
        f"(ratio {peaks[1_000_000] / peaks[100_000]:.2f}; target flat, <= 1.1)",
        flush=True,
    )

    from distributed import LocalCluster

    grid = ["detection_probability=0:0.3:8"]
    sweep_runs = 2 * 32_768

    def run_sweep(address: str) -> None:
        sweep(
            sc,
            grid,
            ["agreement", "step-by-step"],
            runs=sweep_runs,
            months=MONTHS,
            seed=SEED,
            scheduler=address,
        )

    clusters = {
        workers: LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        )
        for workers in (1, 2)
    }
    times: dict[int, list[float]] = {1: [], 2: []}
    try:
        for cluster in clusters.values():
            run_sweep(cluster.scheduler_address)  # warm the workers (imports)
        for _ in range(3):  # interleaved
            for workers, cluster in clusters.items():
                times[workers].append(
                    median_time(lambda a=cluster.scheduler_address: run_sweep(a), 1)
                )
    finally:
        for cluster in clusters.values():
            cluster.close()
    t1, t2 = statistics.median(times[1]), statistics.median(times[2])
    print(f"machine load average now: {os.getloadavg()[0]:.1f}", flush=True)
    ratio(
        f"Dask sweep, 2 workers vs 1 (8 points × 2 strategies × {sweep_runs:,} runs × "
        f"{MONTHS} months)",
        t2,
        "1 worker",
        t1,
        ">= 1.6x faster",
    )
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
