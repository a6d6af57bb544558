"""Cost of the four lessons per bundled example, and of the red team inside lesson 3.

Baseline, measured in the same run: the lessons without the red team (lesson 3 from its rules
and cvid.verify figures only). Then the red team solved fresh (cache cleared: a new scenario)
and from the per-scenario cache (the report, the service or a repeated run asking again).
Also the search model's E[min(N, K)] in closed form against the defining K-term sum it
replaced. Prints medians of several repetitions.
"""

from __future__ import annotations

import numpy as np

from cvid.assess.lessons import (
    lesson1,
    lesson2,
    lesson3,
    lesson3_quantitative,
    lesson3_red_team,
    lesson4,
)
from cvid.assess.lessons import verification as lesson3_module
from cvid.scenario import examples, load_scenario
from cvid.verify.search import expected_visits_by_sum, expected_visits_without_replacement
from timing import median_seconds

REPEATS = 5


def main() -> None:
    scenarios = [load_scenario(n) for n, _ in examples()]

    def without_red_team() -> None:
        for s in scenarios:
            lesson1(s)
            lesson2(s)
            lesson3(s, lesson3_quantitative(s))
            lesson4(s)

    def with_red_team_fresh() -> None:
        lesson3_module._BEST_PATHS.clear()
        for s in scenarios:
            lesson1(s)
            lesson2(s)
            lesson3(s, lesson3_quantitative(s), lesson3_red_team(s))
            lesson4(s)

    def with_red_team_cached() -> None:
        for s in scenarios:
            lesson1(s)
            lesson2(s)
            lesson3(s, lesson3_quantitative(s), lesson3_red_team(s))
            lesson4(s)

    with_red_team_fresh()  # warm imports
    t_base = median_seconds(without_red_team, REPEATS)
    t_fresh = median_seconds(with_red_team_fresh, REPEATS)
    with_red_team_cached()
    t_cached = median_seconds(with_red_team_cached, REPEATS)
    n = len(scenarios)
    print(f"examples: {n}; median of {REPEATS} runs")
    print(f"  lessons without the red team : {t_base * 1e3:8.1f} ms ({t_base / n * 1e3:.1f} each)")
    print(
        f"  with the red team, fresh     : {t_fresh * 1e3:8.1f} ms ({t_fresh / n * 1e3:.1f} each)"
    )
    print(f"  with the red team, cached    : {t_cached * 1e3:8.1f} ms")
    print(f"ratio  fresh red team vs no red team: {t_fresh / t_base:.2f}x")
    print(f"ratio  cached red team vs no red team: {t_cached / t_base:.2f}x")

    mu = np.linspace(0.0, 400.0, 2000)
    t_sum = median_seconds(lambda: expected_visits_by_sum(mu, 200), REPEATS)
    t_closed = median_seconds(lambda: expected_visits_without_replacement(mu, 200), REPEATS)
    print(f"  E[min(N, 200)] at 2000 means: sum {t_sum * 1e3:.2f} ms")
    print(f"  E[min(N, 200)] closed form   : {t_closed * 1e3:.2f} ms")
    print(f"ratio  closed form vs sum: {t_closed / t_sum:.3f}x")


if __name__ == "__main__":
    main()
