"""Start-up time of the ``cvid`` console script, against starting Python itself.

Baseline, measured in the same run: ``python -c pass`` (the interpreter's own start-up).
Bounds (issue 17): ``cvid --help`` and ``cvid scenario validate`` under 0.5 s, ``cvid ledger
proof`` under 1 s, on a quiet two-core machine. Prints medians of several runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 7
CVID = str(Path(sys.executable).with_name("cvid"))
BOUNDS_S = {"--help": 0.5, "scenario validate": 0.5, "ledger proof": 1.0}


def _median(argv: list[str], cwd: str) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "sp.db")  # a real ledger: the bundled Six-Party evidence stream
        subprocess.run([CVID, "ledger", "replay", db, "six-party-2007"], capture_output=True)
        cases = {
            "--help": [CVID, "--help"],
            "scenario validate": [CVID, "scenario", "validate", "libya-2003"],
            "ledger proof": [CVID, "ledger", "proof", db, "0"],
        }
        base = _median([sys.executable, "-c", "pass"], tmp)
        print(f"python -c pass: {base * 1e3:.0f} ms (median of {REPEATS})")
        for name, argv in cases.items():
            t = _median(argv, tmp)
            verdict = "within" if t <= BOUNDS_S[name] else "OVER"
            print(
                f"ratio  cvid {name} vs python -c pass: {t / base:.1f}x "
                f"({t * 1e3:.0f} ms; bound {BOUNDS_S[name] * 1e3:.0f} ms: {verdict})"
            )


if __name__ == "__main__":
    main()
