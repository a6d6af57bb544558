"""Timing shared by the benchmark scripts (each runs as ``python benchmarks/bench_X.py``, so
this module is imported from the scripts' own folder)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """The median wall-clock time of ``repeats`` calls of ``fn`` (perf_counter), in seconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
