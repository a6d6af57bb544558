"""Speed of the red team and of the belief tracker.

1. The red team of both DPRK 2018 scenarios (all paths, equilibrium, provision values, the
   cheapest deterring change): wall and CPU time, against the goal of 30 s on two cores
   (ratio below 1 meets it) and against one solve of the game alone (the baseline measured
   in the same run: what the provisions and the change search cost on top).
2. The belief tracker at 100,000 records: the median cost of one more record through
   ``BeliefTracker.update`` against recomputing the posterior from scratch over all
   records (``cvid.compliance.beliefs``), and against the goal of 10 ms a record.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from cvid.compliance import BeliefTracker, Evidence, beliefs
from cvid.redteam import build, red_team, solve
from cvid.scenario import load_scenario

REPEATS = 3
RECORDS = 100_000


def _timed(fn: object) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()  # type: ignore[operator]
    return time.perf_counter() - w0, time.process_time() - c0


def bench_redteam() -> None:
    names = ["dprk-2018-step-by-step", "dprk-2018-libya-model"]
    scenarios = [load_scenario(n) for n in names]
    walls, cpus, bases = [], [], []
    for _ in range(REPEATS):
        w, c = _timed(lambda: [red_team(s) for s in scenarios])
        walls.append(w)
        cpus.append(c)
        bases.append(_timed(lambda: [solve(build(s)) for s in scenarios])[0])
    w, c, b = statistics.median(walls), statistics.median(cpus), statistics.median(bases)
    paths = sum(build(s).space.count() for s in scenarios)
    print(f"red team of {', '.join(names)} ({paths} paths); median of {REPEATS} runs")
    print(f"  red team (all blocks) : {w:8.2f} s wall, {c:8.2f} s CPU")
    print(f"  one game solve each   : {b:8.2f} s wall")
    print(f"ratio  red team wall vs 30 s goal: {w / 30.0:.3f}")
    print(f"ratio  red team CPU vs 30 s goal: {c / 30.0:.3f}")
    print(f"ratio  red team vs one game solve: {w / b:.1f}x")


def synthetic_evidence(n: int) -> list[Evidence]:
    """``n`` records on the Six-Party agreement, one every ~2 hours: statements, inspections,
    findings, denials and observations over its commitments, in time order."""
    s = load_scenario("six-party-2007")
    start = datetime(2007, 2, 13, tzinfo=UTC)
    cids = [c.id for c in s.agreement.commitments]
    kinds = [
        ("statement", "state", {"text": "t", "claim": "in-progress"}),
        (
            "inspection",
            "inspectorate",
            {"site": "x", "started": "2007-02-13T00:00:00Z", "access": "partial"},
        ),
        ("observation", "observer", {"description": "d"}),
        ("access-denied", "inspectorate", {"request_id": "r", "reason": "no"}),
        ("finding", "inspectorate", {"result": "consistent", "description": "d"}),
    ]
    out = []
    for i in range(n):
        kind, role, payload = kinds[i % len(kinds)]
        out.append(
            Evidence(
                i,
                kind,
                start + timedelta(hours=2 * i),
                role,
                role,
                (cids[i % len(cids)],),
                (),
                payload,
            )
        )
    return out


def bench_tracker() -> None:
    s = load_scenario("six-party-2007")
    ev = synthetic_evidence(RECORDS)
    tracker = BeliefTracker(s)
    for e in ev[:-200]:
        tracker.update(e)
    per_record = []
    for e in ev[-200:]:
        t0 = time.perf_counter()
        tracker.update(e)
        per_record.append(time.perf_counter() - t0)
    inc = statistics.median(per_record)
    scratch = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        again = beliefs(ev, s)
        scratch.append(time.perf_counter() - t0)
    full = statistics.median(scratch)
    assert abs(again.posterior[1] - float(tracker.posterior[1])) < 1e-9
    print(
        f"belief tracker at {RECORDS:,} records (median of 200 updates; {REPEATS} recomputations)"
    )
    print(f"  one update            : {inc * 1e3:8.4f} ms")
    print(f"  recompute from scratch: {full * 1e3:8.1f} ms")
    print(f"ratio  recompute vs incremental update: {full / inc:,.0f}x")
    print(f"ratio  incremental update vs 10 ms goal: {inc / 0.010:.5f}")


def main() -> None:
    bench_tracker()
    bench_redteam()


if __name__ == "__main__":
    main()
