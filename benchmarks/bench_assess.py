"""Cost of loading and assessing every bundled example.

Baseline, measured in the same run: parsing the same TOML files with the standard library
(``tomllib``) alone, i.e. the floor any loader pays. Prints the median of several repetitions.
"""

from __future__ import annotations

import tomllib

from cvid.assess import assess
from cvid.scenario import example_path, examples, load_scenario
from timing import median_seconds

REPEATS = 15


def main() -> None:
    names = [n for n, _ in examples()]
    paths = [example_path(n) for n in names]
    texts = [p.read_text() for p in paths]

    def parse_only() -> None:
        for t in texts:
            tomllib.loads(t)

    def load_all() -> None:
        for p in paths:
            load_scenario(p)

    def assess_all() -> None:
        for p in paths:
            assess(p)

    assess_all()  # warm imports and caches
    t_parse = median_seconds(parse_only, REPEATS)
    t_load = median_seconds(load_all, REPEATS)
    t_assess = median_seconds(assess_all, REPEATS)
    n = len(paths)
    print(f"examples: {n}; median of {REPEATS} runs")
    print(f"  tomllib parse only : {t_parse * 1e3:8.2f} ms")
    print(f"  load + validate    : {t_load * 1e3:8.2f} ms")
    print(f"  load + assess      : {t_assess * 1e3:8.2f} ms  ({t_assess / n * 1e3:.2f} ms each)")
    print(f"ratio  load+validate vs tomllib parse: {t_load / t_parse:.2f}x")
    print(f"ratio  load+assess vs tomllib parse: {t_assess / t_parse:.2f}x")


if __name__ == "__main__":
    main()
