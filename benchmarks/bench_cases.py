"""Cost of the case backtest (``cvid cases backtest --no-sensitivity``).

Baseline, measured in the same run: the work the backtest cannot avoid — assessing every
case's scenario and simulating its agreement with the same runs and seed — done directly with
``cvid.assess.assess`` and ``cvid.negotiate.simulate``. The ratio is the overhead of the
catalogue, the evidence streams (parsed and signed) and the statistics. Median of repetitions.
"""

from __future__ import annotations

import math

from cvid.assess import assess
from cvid.cases import backtest, load_catalog, with_default_counterpart
from cvid.negotiate import simulate
from timing import median_seconds

REPEATS = 5
RUNS = 1000


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
    t_direct = median_seconds(direct, REPEATS)
    t_full = median_seconds(full, REPEATS)
    print(f"cases: {len(scenarios)}; {RUNS} runs each; median of {REPEATS} repetitions")
    print(f"  assess + simulate directly : {t_direct:8.3f} s")
    print(f"  backtest (no sensitivity)  : {t_full:8.3f} s")
    print(f"ratio  backtest vs assess+simulate directly: {t_full / t_direct:.2f}x")


if __name__ == "__main__":
    main()
