"""Cost of a compliance read at 100,000 evidence records: incremental against from scratch.

Scenario: the bundled Six-Party agreement (six-party-2007) with 100,000 records of a
monitoring mix — 35 % inspections with full access at the Yongbyon facilities, 25 % intact
seal checks, 25 % observations of no test, 13.5 % state statements, 0.5 % access requests
(answered by the inspectorate's next record of entry at the site), 1 % consistent findings —
spread over the agreement's first two years.

- **Baseline** (measured in the same run): ``cvid.compliance.evaluate`` from scratch on all
  100,000 records, what the service did on every request (issue 11: 65 → 740 ms at 0 → 4,000
  records).
- **Incremental**: a :class:`cvid.compliance.ComplianceTracker` that has absorbed the
  100,000 records; each request absorbs 10 new ones and reads the state (plus ``to_dict``,
  what the service returns). Target: under 50 ms a request.
- **Ledger**: the same tracker over a real SQLite ledger (``absorb_ledger``: size, root check,
  only the new records read and their signatures checked) at ``LEDGER_RECORDS`` records,
  against reading and evaluating the whole ledger.

Prints medians of several runs and the ratios.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cvid.compliance import ComplianceTracker, Evidence, evaluate, evidence_from_ledger
from cvid.ledger import Ledger, generate_party_key
from cvid.scenario import load_scenario

RECORDS = 100_000
LEDGER_RECORDS = 20_000
NEW_PER_REQUEST = 10
REQUESTS = 30
BATCHES = 2 * REQUESTS + 5
BASELINE_REPEATS = 3
TARGET_MS = 50.0

SCENARIO = load_scenario("six-party-2007")
SITES = ["yongbyon-5mwe", "reprocessing", "fuel-fabrication"]


def _record(i: int, rng: random.Random, start: datetime) -> dict[str, Any]:
    """One unsigned record of the monitoring mix (as written to a ledger)."""
    t = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
    stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    site = rng.choice(SITES)
    u = rng.random()
    refs: dict[str, list[str]] = {"commitments": [], "items": [site]}
    if u < 0.35:
        kind, payload = (
            "inspection",
            {
                "site": site,
                "started": stamp,
                "access": "full",
                "activities": ["on-site-inspection"],
            },
        )
        refs["commitments"] = ["shutdown-and-seal"]
    elif u < 0.6:
        kind, payload = "seal-check", {"seal_id": f"seal-{i % 40}", "intact": True, "site": site}
        refs["commitments"] = ["shutdown-and-seal"]
    elif u < 0.85:
        kind, payload = "observation", {"description": "no activity seen", "site": site}
    elif u < 0.985:
        kind, payload = "statement", {"text": "operations frozen", "claim": "in-progress"}
        refs["commitments"] = ["disable"]
    elif u < 0.99:
        kind, payload = (
            "access-request",
            {"request_id": f"r{i}", "site": site, "access": "site"},
        )
    else:
        kind, payload = (
            "finding",
            {"result": "consistent", "site": site, "description": "as declared"},
        )
    return {
        "kind": kind,
        "agreement": "six-party-2007",
        "time": stamp,
        "refs": refs,
        "payload": payload,
    }


_ROLE = {"statement": "state", "observation": "observer"}


def _evidence(n: int, seed: int, first: int = 0) -> list[Evidence]:
    rng = random.Random(seed)
    start = datetime(2007, 2, 13, tzinfo=UTC)
    out = []
    for i in range(first, first + n):
        r = _record(i, rng, start)
        out.append(
            Evidence(
                i,
                r["kind"],
                datetime.fromisoformat(r["time"]),
                "p",
                _ROLE.get(r["kind"], "inspectorate"),
                tuple(r["refs"]["commitments"]),
                tuple(r["refs"]["items"]),
                r["payload"],
            )
        )
    return out


def _median(
    fn: Callable[[], Any], repeats: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def engine_level() -> tuple[float, float]:
    ev = _evidence(RECORDS, 1)
    t_scratch = _median(lambda: evaluate(SCENARIO, ev).to_dict(), BASELINE_REPEATS)
    tracker = ComplianceTracker(SCENARIO)
    t0 = time.perf_counter()
    tracker.absorb(ev)
    t_absorb = time.perf_counter() - t0
    batches = iter(
        [_evidence(NEW_PER_REQUEST, 100 + k, RECORDS + k * NEW_PER_REQUEST) for k in range(BATCHES)]
    )

    def request() -> None:
        tracker.absorb(next(batches))
        tracker.state().to_dict()

    t_inc = _median(request, REQUESTS)
    t_inc_cpu = _median(request, REQUESTS, time.process_time)
    t_read = _median(lambda: tracker.state().to_dict(), REQUESTS)
    print(f"engine, {RECORDS:,} records (Six-Party, monitoring mix); medians")
    print(f"  from scratch (evaluate)         : {t_scratch * 1e3:9.1f} ms")
    print(f"  tracker: first absorb of all    : {t_absorb * 1e3:9.1f} ms (once)")
    print(f"  tracker: +{NEW_PER_REQUEST} records and a read  : {t_inc * 1e3:9.2f} ms")
    print(f"    the same, CPU time of the process  : {t_inc_cpu * 1e3:9.2f} ms")
    print(f"  tracker: read only              : {t_read * 1e3:9.2f} ms")
    ok = "meets" if t_inc * 1e3 < TARGET_MS else "MISSES"
    print(
        f"ratio  compliance read at {RECORDS:,} records, from scratch / incremental: "
        f"{t_scratch / t_inc:.0f}x  ({t_inc * 1e3:.2f} ms a request wall clock, "
        f"{t_inc_cpu * 1e3:.2f} ms CPU; {ok} the {TARGET_MS:g} ms target)"
    )
    return t_scratch, t_inc


def ledger_level() -> None:
    key_i = generate_party_key("iaea", "inspectorate")
    key_s = generate_party_key("dprk", "state")
    key_o = generate_party_key("ntm", "observer")
    keys = {"inspectorate": key_i, "state": key_s, "observer": key_o}
    rng = random.Random(7)
    start = datetime(2007, 2, 13, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Ledger.create(db) as led:
            for k in keys.values():
                led.register(k.public)
            t0 = time.perf_counter()
            for lo in range(0, LEDGER_RECORDS, 5000):
                by_role: dict[str, list[dict[str, Any]]] = {}
                for i in range(lo, min(lo + 5000, LEDGER_RECORDS)):
                    r = _record(i, rng, start)
                    by_role.setdefault(_ROLE.get(r["kind"], "inspectorate"), []).append(r)
                for role, recs in by_role.items():
                    led.append(recs, keys[role], batch_size=len(recs))
            t_fill = time.perf_counter() - t0
        with Ledger.open(db) as led:

            def scratch() -> None:
                evaluate(SCENARIO, evidence_from_ledger(led, "six-party-2007")).to_dict()

            t_scratch = _median(scratch, BASELINE_REPEATS)
            tracker = ComplianceTracker(SCENARIO)
            tracker.absorb_ledger(led)
            n = [0]

            def request() -> None:
                recs = [_record(LEDGER_RECORDS + n[0] * 10 + j, rng, start) for j in range(10)]
                n[0] += 1
                for r in recs:
                    r["kind"], r["payload"] = (
                        "observation",
                        {"description": "no activity seen"},
                    )
                led.append(recs, key_o, batch_size=len(recs))
                t0 = time.perf_counter()
                tracker.absorb_ledger(led)
                tracker.state().to_dict()
                times.append(time.perf_counter() - t0)

            times: list[float] = []
            for _ in range(REQUESTS):
                request()
            t_inc = statistics.median(times)
    print(
        f"ledger (SQLite), {LEDGER_RECORDS:,} records (filled in {t_fill:.1f} s); medians, "
        "the append itself not counted"
    )
    print(f"  read all + evaluate             : {t_scratch * 1e3:9.1f} ms")
    print(f"  tracker.absorb_ledger + state   : {t_inc * 1e3:9.2f} ms (10 new records)")
    print(
        f"ratio  ledger compliance read at {LEDGER_RECORDS:,} records, from scratch / "
        f"incremental: {t_scratch / t_inc:.0f}x"
    )


def main() -> int:
    _, t_inc = engine_level()
    if "--no-ledger" not in sys.argv:
        ledger_level()
    return 0 if t_inc * 1e3 < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
