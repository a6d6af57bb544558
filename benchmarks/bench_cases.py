"""Cost of the case backtest (``cvid cases backtest --no-sensitivity``).

Baseline, measured in the same run: the work the backtest cannot avoid — assessing every
case's scenario and simulating its agreement with the same runs and seed — done directly with
``cvid.assess.assess`` and ``cvid.negotiate.simulate``. The ratio is the overhead of the
catalogue, the evidence streams (parsed and signed) and the statistics. Median of repetitions.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

from cvid.assess import assess
from cvid.cases import backtest, load_catalog, with_default_counterpart
from cvid.negotiate import simulate

REPEATS = 5
RUNS = 1000


def _median(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    catalog = load_catalog()
    scenarios = [c.scenario() for c in catalog.cases]

    def direct() -> None:
        for s in scenarios:
            assess(s, simulate=False)
            months = max(120, math.ceil(s.agreement.duration_months))
            simulate(with_default_counterpart(s), ["agreement"], runs=RUNS, months=months, seed=0)

    def full() -> None:
        backtest(catalog, runs=RUNS, seed=0, sensitivity=False)

    full()  # warm imports and caches
    t_direct = _median(direct)
    t_full = _median(full)
    print(f"cases: {len(scenarios)}; {RUNS} runs each; median of {REPEATS} repetitions")
    print(f"  assess + simulate directly : {t_direct:8.3f} s")
    print(f"  backtest (no sensitivity)  : {t_full:8.3f} s")
    print(f"ratio  backtest vs assess+simulate directly: {t_full / t_direct:.2f}x")


if __name__ == "__main__":
    main()
