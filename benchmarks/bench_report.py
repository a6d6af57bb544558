"""Cost of the assessment report for every bundled example, simulation included.

Baseline, measured in the same run: the plain ``assess`` of the same scenario (lessons,
verification figures and the 10,000-run simulation of the agreement against the Libya model).
The report adds the figures' data, drawing every plot to SVG and rendering the HTML page.
Target: any bundled example's report in under 10 s. Prints medians of several repetitions,
then one PDF rendering per example for information.
"""

from __future__ import annotations

import time

from cvid.assess import assess
from cvid.assess.report import render_html
from cvid.scenario import examples, load_scenario
from timing import median_seconds

REPEATS = 5
TARGET_S = 10.0


def main() -> None:
    names = [n for n, _ in examples()]
    t0 = time.perf_counter()
    render_html(load_scenario(names[0]), assess(names[0]))  # warm imports, fonts, caches
    print(
        f"first report in a fresh process (imports, font cache): {time.perf_counter() - t0:.2f} s"
    )
    print(f"median of {REPEATS} runs; simulation 10,000 runs x 120 months per strategy")
    worst = 0.0
    for name in names:
        s = load_scenario(name)

        def plain(s: object = s) -> object:
            return assess(s)  # type: ignore[arg-type]

        def report(s: object = s) -> object:
            return render_html(s, assess(s))  # type: ignore[arg-type]

        t_assess = median_seconds(plain, REPEATS)
        t_report = median_seconds(report, REPEATS)
        worst = max(worst, t_report)
        print(
            f"ratio  report vs assess [{name}]: {t_report / t_assess:.2f}x  "
            f"(cvid report {t_report:.2f} s vs assess {t_assess:.2f} s; target < {TARGET_S:g} s)"
        )
    print(f"slowest report: {worst:.2f} s ({'within' if worst < TARGET_S else 'OVER'} target)")
    for name in names:
        s = load_scenario(name)
        html_report = render_html(s, assess(s))
        t0 = time.perf_counter()
        pdf = html_report.to_pdf()
        print(f"  pdf [{name}]: {time.perf_counter() - t0:.2f} s, {len(pdf) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
