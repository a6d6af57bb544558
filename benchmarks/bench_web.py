"""Bounded loopback load test of `cvid serve` (SQLite): p99 latency of status and proof reads,
appends per second; each against a baseline measured in the same run. Then compliance reads
at 1,000, 10,000 and 100,000 records through the service's ComplianceTracker (one per
scenario; only the records appended since the last read are read) against the full recompute
(evidence read from the whole ledger, signatures checked, and evaluated: what every request
cost before): a repeated read, the first read after one append; and the belief tracker: a
repeated read, after one append dated after every record, after one dated before the last
record, as of a date, and the /beliefs route's response built from a repeated read (no HTTP).
``python benchmarks/bench_web.py compliance [SIZE ...]`` runs only that part (at 1,000, 10,000
and 100,000 records unless sizes are given; each ledger is built in-process once, before a
service opens a copy of it).

Baselines: reads against a bare FastAPI/uvicorn endpoint returning a constant (the floor of the
HTTP stack: what the service costs on top); appends against `Ledger.submit` of the same
one-record batches in-process (what HTTP, authentication and the audit log cost on top).
Fixed request counts, a time cap per phase, loopback only; the median of REPEATS runs.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cvid.ledger import Ledger, generate_party_key, sign_record

REPEATS = 3
READS = 1500  # per read phase
CLIENTS = 8
APPENDS = 300
TIME_CAP = 40.0  # seconds per phase
PRELOAD = 2000
CVID = str(Path(sys.executable).with_name("cvid"))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def record(i: int) -> dict[str, Any]:
    return {
        "kind": "seal-check",
        "agreement": "bench",
        "time": f"2020-01-01T00:{i % 60:02d}:00Z",
        "refs": {"commitments": ["c1"], "items": []},
        "payload": {"seal_id": f"seal-{i}", "intact": True},
    }


def libya_seal_check(at: str, seal_id: str) -> dict[str, Any]:
    """An intact seal check under the Libya agreement at ``at`` (UTC)."""
    return {
        "kind": "seal-check",
        "agreement": "libya-2003",
        "time": at,
        "refs": {"commitments": [], "items": []},
        "payload": {"seal_id": seal_id, "intact": True},
    }


def load(
    url: str, paths: Callable[[int], str], headers: dict[str, str], n: int
) -> dict[str, float]:
    """GET ``paths(i)`` for i < n from CLIENTS threads; latency quantiles (s) and throughput."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(n))
    deadline = time.monotonic() + TIME_CAP

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                r = c.get(paths(i))
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    errors += r.status_code != 200

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    if errors:
        raise RuntimeError(f"{errors} failed requests")
    return {
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "rps": len(latencies) / wall,
        "count": len(latencies),
    }


BARE_APP = textwrap.dedent(
    """
    import sys, uvicorn
    from fastapi import FastAPI
    app = FastAPI()
    @app.get("/ping")
    def ping() -> dict:
        return {"ok": True, "tree_size": 0}
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
    """
)


def run_once(work: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    # ---------------------------------------------------------------- baseline: bare endpoint
    port = free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)])
    try:
        wait_up(f"http://127.0.0.1:{port}/ping", bare)
        b = load(f"http://127.0.0.1:{port}", lambda i: "/ping", {}, READS)
    finally:
        stop(bare)
    out["bare_p99"], out["bare_p50"] = b["p99"], b["p50"]

    # ---------------------------------------------------------------- cvid serve
    db = work / f"bench-{time.monotonic_ns()}.db"
    tok = db.with_suffix(".token")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [CVID, "serve", "--db", str(db), "--port", str(port), "--admin-token-file", str(tok)],
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(url + "/api/v1/health", proc)
        admin = {"Authorization": f"Bearer {tok.read_text().strip()}"}
        key = generate_party_key("iaea", "inspectorate")
        r = httpx.post(
            url + "/api/v1/parties",
            headers=admin,
            json={"name": key.name, "role": key.role, "public_key": key.public.public_key_b64},
        )
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        signed = [sign_record(record(i), key) for i in range(PRELOAD + APPENDS)]
        with httpx.Client(base_url=url, headers=auth, timeout=60) as c:
            for s in range(0, PRELOAD, 1000):
                c.post("/api/v1/ledger/records", json={"records": signed[s : s + 1000]})
        st = load(url, lambda i: "/api/v1/ledger", auth, READS)
        pr = load(
            url, lambda i: f"/api/v1/ledger/records/{(i * 7919) % PRELOAD}/inclusion", auth, READS
        )
        out["status_p99"], out["status_p50"], out["status_rps"] = st["p99"], st["p50"], st["rps"]
        out["proof_p99"], out["proof_p50"], out["proof_rps"] = pr["p99"], pr["p50"], pr["rps"]
        # appends: one record per request, one client (each acknowledged = durably committed)
        t0 = time.perf_counter()
        with httpx.Client(base_url=url, headers=auth, timeout=60) as c:
            for rec in signed[PRELOAD:]:
                r = c.post("/api/v1/ledger/records", json={"records": [rec]})
                if r.status_code != 201:
                    raise RuntimeError(r.text)
        out["http_appends_s"] = APPENDS / (time.perf_counter() - t0)
        # the same number of appends from 4 clients at once (the database serializes them)
        more = [sign_record(record(i), key) for i in range(APPENDS)]
        shares = [more[k::4] for k in range(4)]

        def client(share: list[dict[str, Any]]) -> None:
            with httpx.Client(base_url=url, headers=auth, timeout=60) as c:
                for rec in share:
                    r = c.post("/api/v1/ledger/records", json={"records": [rec]})
                    if r.status_code != 201:
                        raise RuntimeError(r.text)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(sh,)) for sh in shares]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out["http_appends_4_s"] = APPENDS / (time.perf_counter() - t0)
    finally:
        stop(proc)

    # ---------------------------------------------------------------- baseline: in-process submit
    bdb = work / f"base-{time.monotonic_ns()}.db"
    with Ledger.create(bdb) as led:
        led.register(key.public)
        for s in range(0, PRELOAD, 1000):
            led.submit(signed[s : s + 1000])
        t0 = time.perf_counter()
        for rec in signed[PRELOAD:]:
            led.submit(rec)
        out["direct_appends_s"] = APPENDS / (time.perf_counter() - t0)
    return out


COMPLIANCE_SIZES = (1_000, 10_000, 100_000)
COMPLIANCE_READS = 7  # cached reads per run (after-append reads: 3)
COMPLIANCE_AT = "2004-06-30"
#: Full recomputes timed per run: each reads and checks every record (about 30 s at 100,000).
UNCACHED_READS = {1_000: 3, 10_000: 3, 100_000: 1}


def compliance_ledger(work: Path, size: int) -> Path:
    """The ledger of :func:`compliance_once` at ``size`` records, built once per size before
    any service opens it: the Libya stream's records, then seal checks by the IAEA up to
    ``size``, signed here and appended in-process with ``Ledger.submit`` in batches of 10,000
    (every signature checked, one durable commit and signed checkpoint a batch)."""
    from cvid.compliance import demo_key, load_stream

    stream = load_stream("libya-2003")
    db = work / f"comp-base-{size}.db"
    keys = {n: demo_key(n, r) for n, r in stream.parties.items()}
    signed = [sign_record(r.record, keys[r.party]) for r in stream.records]
    iaea = keys["iaea"]
    filler = [
        sign_record(
            libya_seal_check(
                f"2004-0{1 + i % 6}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z", f"seal-{i}"
            ),
            iaea,
        )
        for i in range(size - len(signed))
    ]
    with Ledger.create(db) as led:
        for k in keys.values():
            led.register(k.public)
        led.submit(signed + filler, batch_size=10_000)
    return db


def compliance_once(work: Path, size: int, base: Path) -> dict[str, float]:
    """Seconds per compliance read of the Libya scenario on a ledger of ``size`` records (a
    copy of ``base``, from :func:`compliance_ledger`): uncached (evidence_from_ledger +
    evaluate, the old path), the first read of a new service (its tracker reads every
    record), cached (a repeated read), and after one more append (the incremental path: only
    the new record is read)."""
    import shutil

    from cvid.compliance import agreement_id, demo_key, evaluate, evidence_from_ledger, load_stream
    from cvid.web import Caller, Service

    stream = load_stream("libya-2003")
    db = work / f"comp-{size}-{time.monotonic_ns()}.db"
    shutil.copy(base, db)
    shutil.copy(base.with_name(base.name + ".logkey"), db.with_name(db.name + ".logkey"))
    svc = Service(str(db))
    try:
        iaea = demo_key("iaea", stream.parties["iaea"])
        toml = example_toml()
        sid = svc.upload_scenario(toml, Caller("root", "admin", None))["id"]
        scenario = stream.scenario
        aid = agreement_id(scenario)

        def uncached() -> None:
            svc.on_ledger(
                lambda led: evaluate(
                    scenario, evidence_from_ledger(led, aid), at=COMPLIANCE_AT, check=False
                )
            )

        def timed(fn: Callable[[], object]) -> float:
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0

        full = statistics.median(timed(uncached) for _ in range(UNCACHED_READS[size]))
        first = timed(lambda: svc.compliance(sid, at=COMPLIANCE_AT, check=False))
        hit = statistics.median(
            timed(lambda: svc.compliance(sid, at=COMPLIANCE_AT, check=False))
            for _ in range(COMPLIANCE_READS)
        )
        svc.beliefs(sid)
        grown, believed = [], []
        for j in range(3):
            svc.ledger.submit(
                sign_record(libya_seal_check("2004-03-01T00:00:00Z", f"extra-{j}"), iaea)
            )
            absorbed = svc.records_absorbed
            grown.append(timed(lambda: svc.compliance(sid, at=COMPLIANCE_AT, check=False)))
            assert svc.records_absorbed == absorbed + 1  # the tracker read one record
            believed.append(timed(lambda: svc.beliefs(sid)))
        in_order = []
        for j in range(3):  # dated after every record so far: the belief tracker's fast path
            svc.ledger.submit(
                sign_record(libya_seal_check(f"2010-01-0{j + 1}T00:00:00Z", f"later-{j}"), iaea)
            )
            svc.compliance(sid, at=COMPLIANCE_AT, check=False)
            in_order.append(timed(lambda: svc.beliefs(sid)))
        as_of = statistics.median(
            timed(lambda: svc.beliefs(sid, at=COMPLIANCE_AT)) for _ in range(3)
        )
        belief_hit = statistics.median(
            timed(lambda: svc.beliefs(sid)) for _ in range(COMPLIANCE_READS)
        )
        # what a GET /beliefs costs on top of the read: the route's response model (no HTTP)
        from cvid.web.routes.compliance import beliefs as beliefs_route

        response = statistics.median(
            timed(lambda: beliefs_route(sid, svc)) for _ in range(COMPLIANCE_READS)
        )
        # the worst case: a back-dated record that moves the posterior (a refusal), so every
        # later record is replayed; on the service's tracker in-process (it is closed next)
        from cvid.compliance import Evidence

        tracker = svc.follow(sid)[0].beliefs
        assert tracker is not None
        refusals = []
        for j in range(3):
            late = Evidence(
                index=10**9 + j,
                kind="access-denied",
                time=datetime(2004, 3, 1, tzinfo=UTC),
                signer="iaea",
                role="inspectorate",
                commitments=("remove-spent-heu",),
            )
            t0 = time.perf_counter()
            tracker.insert(late)
            tracker.state()
            refusals.append(time.perf_counter() - t0)
        return {
            "beliefs_moving": statistics.median(refusals),
            "beliefs_cached": belief_hit,
            "beliefs_as_of": as_of,
            "beliefs_response": response,
            "beliefs_in_order": statistics.median(in_order),
            "uncached": full,
            "first": first,
            "cached": hit,
            "grown": statistics.median(grown),
            "beliefs": statistics.median(believed),
        }
    finally:
        svc.close()


def example_toml() -> str:
    from cvid.scenario import example_path

    return example_path("libya-2003").read_text(encoding="utf-8")


def compliance_main(sizes: tuple[int, ...] = COMPLIANCE_SIZES) -> None:
    ms = 1000.0
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            t0 = time.perf_counter()
            base = compliance_ledger(Path(tmp), size)
            built = time.perf_counter() - t0
            runs = [compliance_once(Path(tmp), size, base) for _ in range(REPEATS)]

            def med(k: str, runs: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[k] for r in runs)

            print(
                f"compliance at {size:,} records (median of {REPEATS} runs; "
                f"{COMPLIANCE_READS} cached reads, {UNCACHED_READS[size]} uncached, 3 of the "
                f"others a run; ledger built in {built:.1f} s): uncached "
                f"{med('uncached') * ms:.1f} ms, first read of a new service "
                f"{med('first') * ms:.0f} ms, cached "
                f"{med('cached') * ms:.2f} ms, after one append {med('grown') * ms:.1f} ms "
                f"(tracker); beliefs after one append dated before the last record "
                f"{med('beliefs') * ms:.1f} ms, after one dated later "
                f"{med('beliefs_in_order') * ms:.2f} ms (updated), repeated "
                f"{med('beliefs_cached') * ms:.3f} ms, as of {COMPLIANCE_AT} "
                f"{med('beliefs_as_of') * ms:.1f} ms, after a back-dated refusal (every later "
                f"record replayed) {med('beliefs_moving') * ms:.0f} ms; the /beliefs response "
                f"built from a repeated read {med('beliefs_response') * ms:.2f} ms"
            )
            print(
                f"ratio  compliance read at {size:,} records, tracker vs full recompute: "
                f"{med('cached') / med('uncached'):.4f}x  (after one append: "
                f"{med('grown') / med('uncached'):.3f}x; target cached < 50 ms: "
                f"{med('cached') * ms:.2f} ms)"
            )


def main() -> int:
    if sys.argv[1:2] == ["compliance"]:  # optionally the sizes: compliance 100000
        compliance_main(tuple(int(n) for n in sys.argv[2:]) or COMPLIANCE_SIZES)
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(REPEATS):
            runs.append(run_once(Path(tmp)))

    def med(k: str) -> float:
        return statistics.median(r[k] for r in runs)

    ms = 1000.0
    print(
        f"loopback, SQLite, {CLIENTS} clients, {READS} reads per phase, {APPENDS} appends; "
        f"median of {REPEATS} runs"
    )
    print(
        f"status read  p50 {med('status_p50') * ms:.2f} ms  p99 {med('status_p99') * ms:.2f} ms"
        f"  ({med('status_rps'):.0f} req/s)"
    )
    print(
        f"proof read   p50 {med('proof_p50') * ms:.2f} ms  p99 {med('proof_p99') * ms:.2f} ms"
        f"  ({med('proof_rps'):.0f} req/s)"
    )
    print(f"bare FastAPI p50 {med('bare_p50') * ms:.2f} ms  p99 {med('bare_p99') * ms:.2f} ms")
    print(
        f"appends      {med('http_appends_s'):.0f} records/s over HTTP (1 record per request, "
        f"durable before the reply) vs {med('direct_appends_s'):.0f}/s in-process; "
        f"{med('http_appends_4_s'):.0f}/s from 4 clients at once"
    )
    for what, k in (("status read p99", "status_p99"), ("proof read p99", "proof_p99")):
        print(
            f"ratio  {what} vs bare endpoint: {med(k) / med('bare_p99'):.2f}x  "
            f"(cvid {med(k):.4f} s vs bare FastAPI {med('bare_p99'):.4f} s; target <= 3x)"
        )
    ratio = med("direct_appends_s") / med("http_appends_s")
    print(
        f"ratio  append time per record, HTTP vs in-process: {ratio:.2f}x  "
        f"(cvid {1 / med('http_appends_s'):.4f} s vs Ledger.submit "
        f"{1 / med('direct_appends_s'):.4f} s; target <= 3x)"
    )
    compliance_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
