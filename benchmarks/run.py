"""Run every benchmark (benchmarks/bench_*.py), or those named on the command line.

Each benchmark is a script that measures cvid against a baseline in the same run and prints
``ratio`` lines. Usage: ``python benchmarks/run.py [NAME ...]`` (NAME like ``assess``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        wanted = {a.removeprefix("bench_").removesuffix(".py") for a in argv}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
        if not scripts:
            print(f"no benchmark named {', '.join(sorted(wanted))}", file=sys.stderr)
            return 2
    failed = 0
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"   ({time.perf_counter() - t0:.1f} s, exit {rc})\n", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
