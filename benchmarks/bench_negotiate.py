"""Benchmark of the negotiation simulator (cvid.negotiate), each ratio measured in this run.

Workload: the default of ``cvid simulate`` on the bundled ``dprk-2018-step-by-step`` scenario,
i.e. all five strategies (the scenario's agreement and the four presets), 100,000 runs ×
120 months each, monthly detection probability 0.05.

1. The engine (its month compiled with numba) against the scalar reference of
   tests/negotiate/reference.py. The scalar reference is timed on 2,000 runs of each
   strategy and scaled linearly to 100,000 (its cost is per run; in full it would take about
   a minute per strategy).
2. The engine against numpy drawing just the random numbers the model consumes (the same
   generator and blocks: the initial draws of ``draw_initial`` — type, stocks, facility
   rates, cheating gain, hidden-survival uniform — then four uniforms per run a month until
   no run of the block is left going).
3. Memory: peak of traced allocations (tracemalloc sees numpy's buffers) for 10^5 and 10^6
   runs; flat means independent of the number of runs (so 10^8 runs fit in 24 GB).
4. A sweep on a local Dask cluster with 2 worker processes against 1 (clusters started
   beforehand, repetitions interleaved; wall-clock time of the sweep).
5. The sensitivity analysis of the 8 default parameters (Morris, 10 trajectories = 90
   points, plus 17 one-at-a-time points) at 10,000 runs a point for one strategy, wall clock,
   in one process and in a pool of two (``workers=2``), the latter against the target of one
   minute on two cores.

Times 1–2 are CPU time of this process (``time.process_time``), median of 5 interleaved
repetitions: the machine is shared with other sessions, whose load inflates wall-clock times
unevenly.

``python benchmarks/bench_negotiate.py [engine|dask|sensitivity]`` runs only one part.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.negotiate.reference

from tests.negotiate.reference import reference_runs  # noqa: E402

from cvid.negotiate import simulate, strategy_names, sweep  # noqa: E402
from cvid.negotiate.engine import (  # noqa: E402
    ABSORBING,
    Compiled,
    block_generator,
    block_sizes,
    draw_initial,
    run_block,
)
from cvid.negotiate.simulation import compile_all  # noqa: E402
from cvid.scenario import Scenario, load_scenario  # noqa: E402

SCENARIO = "dprk-2018-step-by-step"
RUNS, MONTHS, SEED, P = 100_000, 120, 1, 0.05
SUBSET = 2_000
REPEATS = 5


def cpu_time(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def wall_time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _spin(_: int) -> float:
    """A fixed amount of pure-Python work (for measuring the parallelism available)."""
    t0 = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - t0


def available_parallelism() -> float:
    """How much faster two processes finish two equal CPU-bound jobs than one process finishes
    one each after the other (2.0 on two idle CPUs)."""
    from multiprocessing import get_context

    with get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [0, 1])  # start-up
        t0 = time.perf_counter()
        pool.map(_spin, [0], chunksize=1)
        pool.map(_spin, [1], chunksize=1)
        serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        pool.map(_spin, [0, 1], chunksize=1)
        parallel = time.perf_counter() - t0
    return serial / parallel


def ratio(what: str, cvid: float, base_name: str, base: float, target: str) -> None:
    value = base / cvid if "faster" in target else cvid / base
    print(
        f"ratio  {what}: {value:.2f}x  (cvid {cvid:.3f} s vs {base_name} {base:.3f} s; "
        f"target {target})",
        flush=True,
    )


def engine_and_memory(sc: Scenario) -> None:
    """Ratios 1–3."""
    names = strategy_names(sc)
    compiled = compile_all(sc, names, MONTHS, P)
    blocks = list(enumerate(block_sizes(RUNS)))

    # months each block draws for: until its last run ends
    def drawn_months(c: Compiled, b: int, n: int) -> int:
        r = run_block(c, SEED, b, n)
        if any(int(x) not in ABSORBING for x in np.unique(r.status)):
            return MONTHS
        return int(r.end_month.max())

    last_month = {name: [drawn_months(c, b, n) for b, n in blocks] for name, c in compiled.items()}

    def engine(c: Compiled) -> None:
        for b, n in blocks:
            run_block(c, SEED, b, n)

    def draws_only(c: Compiled, months: list[int]) -> None:
        for (b, n), last in zip(blocks, months, strict=True):
            rng = block_generator(SEED, b)
            draw_initial(c, rng, n)
            for _ in range(last):
                rng.random((4, n))

    def scalar(c: Compiled) -> None:
        reference_runs(c, block_generator(SEED, 0), SUBSET)

    per: dict[str, dict[str, list[float]]] = {
        name: {"engine": [], "draws": [], "scalar": []} for name in names
    }
    for _ in range(REPEATS):  # interleaved
        for name, c in compiled.items():
            per[name]["engine"].append(cpu_time(lambda c=c: engine(c)))
            per[name]["draws"].append(
                cpu_time(lambda c=c, name=name: draws_only(c, last_month[name]))
            )
            per[name]["scalar"].append(cpu_time(lambda c=c: scalar(c)) * RUNS / SUBSET)
    med = {name: {k: statistics.median(v) for k, v in d.items()} for name, d in per.items()}
    for name in names:
        m = med[name]
        print(
            f"       {name}: engine {m['engine']:.3f} s, scalar reference "
            f"{m['scalar']:.2f} s ({m['scalar'] / m['engine']:.0f}x), draws "
            f"{m['draws']:.3f} s ({m['engine'] / m['draws']:.2f}x)",
            flush=True,
        )
    total = {k: sum(m[k] for m in med.values()) for k in ("engine", "draws", "scalar")}
    ratio(
        f"engine vs scalar reference, {RUNS:,} runs × {MONTHS} months × {len(names)} "
        f"strategies (reference timed on {SUBSET:,} runs, scaled ×{RUNS // SUBSET})",
        total["engine"],
        "scalar reference",
        total["scalar"],
        ">= 100x faster",
    )
    ratio(
        "engine vs drawing its random numbers alone",
        total["engine"],
        "numpy draws",
        total["draws"],
        "<= 4x",
    )

    peaks = {}
    for runs in (100_000, 1_000_000):
        tracemalloc.start()
        simulate(sc, ["step-by-step"], runs=runs, months=MONTHS, seed=SEED, detection_probability=P)
        peaks[runs] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"memory peak: {peaks[100_000] / 2**20:.1f} MiB at 10^5 runs, "
        f"{peaks[1_000_000] / 2**20:.1f} MiB at 10^6 runs "
        f"(ratio {peaks[1_000_000] / peaks[100_000]:.2f}; target flat, <= 1.1)",
        flush=True,
    )


def dask_sweep(sc: Scenario) -> None:
    """Ratio 4."""
    from distributed import LocalCluster

    grid = ["detection_probability=0:0.3:8"]
    # 16 blocks a point: a sweep worth spreading over workers. Each call also pays a fixed
    # ~1 s (connecting a client, compiling the grid, merging), which no worker can share.
    sweep_runs = 16 * 32_768

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
                times[workers].append(wall_time(lambda a=cluster.scheduler_address: run_sweep(a)))
    finally:
        for cluster in clusters.values():
            cluster.close()
    t1, t2 = statistics.median(times[1]), statistics.median(times[2])
    print(
        f"machine load average now: {os.getloadavg()[0]:.1f}; parallelism the machine offers "
        f"right now (two CPU-bound jobs of ~1 s in two processes vs one after the other): "
        f"{available_parallelism():.2f}x (2.0 on two idle CPUs)",
        flush=True,
    )
    ratio(
        f"Dask sweep, 2 workers vs 1 (8 points × 2 strategies × {sweep_runs:,} runs × "
        f"{MONTHS} months; wall clock)",
        t2,
        "1 worker",
        t1,
        ">= 1.6x faster",
    )


def sensitivity_timing(sc: Scenario) -> None:
    """Ratio 5."""
    from cvid.negotiate import DEFAULT_PARAMETERS, sensitivity

    def run(workers: int) -> None:
        sensitivity(sc, ["libya-model"], runs=10_000, months=MONTHS, seed=SEED, workers=workers)

    points = 10 * (len(DEFAULT_PARAMETERS) + 1) + 2 * len(DEFAULT_PARAMETERS) + 1
    times = {w: wall_time(lambda w=w: run(w)) for w in (1, 2)}
    print(
        f"       one process {times[1]:.1f} s, two {times[2]:.1f} s; parallelism the machine "
        f"offers now: {available_parallelism():.2f}x (2.0 on two idle CPUs)",
        flush=True,
    )
    ratio(
        f"sensitivity of {len(DEFAULT_PARAMETERS)} parameters, {points} points × 10,000 runs × "
        f"{MONTHS} months, one strategy, 2 worker processes (wall clock; load "
        f"{os.getloadavg()[0]:.1f})",
        times[2],
        "one minute",
        60.0,
        "<= 1x",
    )


def main(argv: list[str]) -> int:
    print(
        "machine load average (1, 5, 15 min): "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} CPUs",
        flush=True,
    )
    sc = load_scenario(SCENARIO)
    parts = set(argv) or {"engine", "dask", "sensitivity"}
    if "engine" in parts:
        engine_and_memory(sc)
    if "dask" in parts:
        dask_sweep(sc)
    if "sensitivity" in parts:
        sensitivity_timing(sc)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main(sys.argv[1:]))
