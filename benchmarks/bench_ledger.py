"""Benchmark of the evidence ledger (cvid.ledger) against its baselines, measured in one run.

1. Bulk append of 100,000 signed records to SQLite (``Ledger.submit``: schema check, Ed25519
   verification, RFC 8785 canonical form, Merkle tree with every interior node stored, durable
   WAL commits of 10,000 records each with one signed checkpoint per batch) against
   - verifying the 100,000 signatures alone (``cryptography``; target: cvid ≤ 1.5×);
   - pymerkle's SqliteTree appending the same canonical records one by one (``append_entry``,
     one durable commit each, the way a log acknowledges an entry; measured on 500 entries and
     scaled to 100,000, as 100,000 fsyncs take over ten minutes; target: cvid ≥ 10× faster);
   - pymerkle's bulk ``append_entries`` (one transaction, no signatures, no interior nodes):
     shown for information, with cvid's own tree-and-storage part alone beside it.
2. Inclusion and consistency proofs at 1,000,000 records from SQLite (median of 300; target
   < 1 ms each) against pymerkle's ``prove_inclusion``/``prove_consistency`` on the same size.
   The 1,000,000-record ledger is built efficiently (see :func:`build_million`): distinct
   records are signed in two processes and committed in batches of 100,000, each batch one
   transaction that extends the tree in memory from its stored right edge.

3. Appends as a service makes them, at a tree of 100,000 records: 100 appends of 100 signed
   records each (``Ledger.submit``: signature checks, the history check before signing —
   stored tree against the latest signed checkpoint, the one before it and the signer's own
   record, by RFC 9162 consistency proofs from stored nodes — then a durable commit and a
   signed checkpoint) against verifying the same 10,000 signatures alone (target <= 1.5x);
   and the history check alone at 100,000 records against at 1,000 (O(log n): about 1x).

Usage: python benchmarks/run.py ledger
(or python benchmarks/bench_ledger.py [append|service|proofs]: ``append`` runs parts 1 and 3,
``service`` part 3 alone)
"""

from __future__ import annotations

import base64
import multiprocessing as mp
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cvid.ledger import (
    Ledger,
    PartyKey,
    generate_party_key,
    read_private_key,
    sign_record,
    verify_consistency,
    verify_inclusion,
    write_private_key,
)
from cvid.ledger.records import SIGNING_CONTEXT, CheckedRecord, record_bytes

N_APPEND = 100_000
N_PROOF = 1_000_000
REPS = 3
SERVICE_REPS = 5  # part 3 is short: more repetitions for a steadier median
PYMERKLE_SAMPLE = 500


def record(n: int) -> dict[str, Any]:
    """A realistic inspection record, distinct for each n."""
    return {
        "kind": "inspection",
        "agreement": "dprk-2018",
        "time": f"2019-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
        "refs": {"commitments": ["c-declare", f"c-{n % 7}"], "items": [f"site-{n % 97}"]},
        "payload": {
            "site": f"site-{n % 97}",
            "started": "2019-03-01T08:00:00Z",
            "access": "full",
            "notice_hours": n % 72,
            "activities": ["walkthrough", "seal-check"],
            "description": f"Routine inspection number {n}.",
        },
        "attachments": [{"name": f"photo-{n}.jpg", "sha256": f"{n:064x}"}],
    }


def median_time(fn: Any, reps: int = REPS) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ratio(what: str, x: float, a: str, ta: float, b: str, tb: float, target: str) -> None:
    print(f"ratio  {what}: {x:.2f}x  ({a} {ta:.3f} s vs {b} {tb:.3f} s; target {target})")


def bench_append(tmp: Path) -> None:
    keys = [generate_party_key(f"inspector-{i}", "inspectorate") for i in range(3)]
    print(f"signing {N_APPEND} records (not timed) ...", flush=True)
    signed = [sign_record(record(n), keys[n % 3]) for n in range(N_APPEND)]

    # Baseline: the Ed25519 verifications alone, on precomputed messages.
    verifiers = {k.name: k.public.verifier for k in keys}
    jobs = []
    for s in signed:
        body = dict(s)
        sig = base64.b64decode(body.pop("signature"))
        jobs.append((verifiers[s["signer"]["name"]], sig, SIGNING_CONTEXT + record_bytes(body)))

    def verify_only() -> None:
        for pk, sig, msg in jobs:
            pk.verify(sig, msg)

    run = [0]

    def cvid_append() -> None:
        run[0] += 1
        db = tmp / f"append-{run[0]}.db"
        with Ledger.create(db) as led:
            for k in keys:
                led.register(k.public)
            led.submit(signed, batch_size=10_000)

    # Interleaved repetitions (verify-only, then cvid, REPS times) so that a change in the
    # machine's load affects both sides of each ratio alike; the median ratio is reported.
    pairs = []
    for _ in range(REPS):
        pairs.append((median_time(verify_only, 1), median_time(cvid_append, 1)))
    t_verify = statistics.median(v for v, _ in pairs)
    t_cvid = statistics.median(c for _, c in pairs)
    with Ledger.open(tmp / "append-1.db") as led:
        assert led.size == N_APPEND
    ratio(
        "bulk append 100k signed records / verifying their signatures alone",
        statistics.median(c / v for v, c in pairs),
        "cvid",
        t_cvid,
        "verify-only",
        t_verify,
        "<= 1.5x",
    )

    # cvid's log part alone (records already checked): tree, inserts, checkpoints, commits.
    checked = [
        CheckedRecord("inspection", s["signer"]["name"], "inspectorate", record_bytes(s))
        for s in signed
    ]

    def cvid_log_only() -> None:
        run[0] += 1
        with Ledger.create(tmp / f"append-{run[0]}.db") as led:
            led._commit(checked, 10_000, None)

    t_log = median_time(cvid_log_only)

    from pymerkle import SqliteTree

    data = [c.data for c in checked]

    def pymerkle_each() -> None:
        run[0] += 1
        tree = SqliteTree(str(tmp / f"pm-{run[0]}.db"))
        for d in data[:PYMERKLE_SAMPLE]:
            tree.append_entry(d)
        tree.close()

    t_pm_each = median_time(pymerkle_each) * (N_APPEND / PYMERKLE_SAMPLE)
    ratio(
        "pymerkle SqliteTree append_entry (one commit each) / cvid bulk append, 100k",
        t_pm_each / t_cvid,
        "pymerkle",
        t_pm_each,
        "cvid",
        t_cvid,
        ">= 10x",
    )

    def pymerkle_bulk() -> None:
        run[0] += 1
        tree = SqliteTree(str(tmp / f"pm-{run[0]}.db"))
        tree.append_entries(data)
        tree.close()

    t_pm_bulk = median_time(pymerkle_bulk)
    ratio(
        "cvid bulk append (with signature checks) / pymerkle append_entries (no signatures)",
        t_cvid / t_pm_bulk,
        "cvid",
        t_cvid,
        "pymerkle",
        t_pm_bulk,
        "information only",
    )
    ratio(
        "cvid log part alone (tree with all nodes, checkpoints) / pymerkle append_entries",
        t_log / t_pm_bulk,
        "cvid",
        t_log,
        "pymerkle",
        t_pm_bulk,
        "information only",
    )


def bench_service_appends(tmp: Path) -> None:
    """Appends of 100 records each onto a 100,000-record ledger, with the history check, against
    verifying the same signatures alone; then the history check alone at two tree sizes."""
    keys = [generate_party_key(f"inspector-{i}", "inspectorate") for i in range(3)]
    base = tmp / "service-base.db"
    with Ledger.create(base, log_key_path=tmp / "service.key") as led:
        for k in keys:
            led.register(k.public)
        filler = [
            CheckedRecord("inspection", k.name, k.role, record_bytes(sign_record(record(n), k)))
            for n in range(N_APPEND)
            for k in (keys[n % 3],)
        ]
        led._commit(filler, 10_000, None)
    n_batches, per_batch = 100, 100
    signed = [sign_record(record(N_APPEND + n), keys[n % 3]) for n in range(n_batches * per_batch)]
    batches = [signed[i : i + per_batch] for i in range(0, len(signed), per_batch)]
    verifiers = {k.name: k.public.verifier for k in keys}
    jobs = []
    for s_ in signed:
        body = dict(s_)
        sig = base64.b64decode(body.pop("signature"))
        jobs.append((verifiers[s_["signer"]["name"]], sig, SIGNING_CONTEXT + record_bytes(body)))

    def verify_only() -> None:
        for pk, sig, msg in jobs:
            pk.verify(sig, msg)

    def fresh_copy(n: int) -> tuple[Path, Path]:
        """A copy of the 100,000-record ledger and its log key, made and flushed to disk before
        the clock starts: copying 90 MB is not part of appending (unflushed, the copy would be
        written back by the first fsync of the file, the first WAL checkpoint's, on the clock)."""
        db, key = tmp / f"service-{n}.db", tmp / f"service-{n}.key"
        shutil.copy(base, db)
        shutil.copy(tmp / "service.key", key)
        for path in (db, key):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return db, key

    def service_appends(db: Path, key: Path) -> None:
        with Ledger.open(db, log_key=key) as led:
            for b in batches:
                led.submit(b)

    pairs = []
    for n in range(1, SERVICE_REPS + 1):
        copy = fresh_copy(n)
        pairs.append(
            (median_time(verify_only, 1), median_time(lambda c=copy: service_appends(*c), 1))
        )
    ratio(
        f"{n_batches} appends of {per_batch} records at 100k (history check, durable commit, "
        "signed checkpoint each) / verifying their signatures alone",
        statistics.median(c / v for v, c in pairs),
        "cvid",
        statistics.median(c for _, c in pairs),
        "verify-only",
        statistics.median(v for v, _ in pairs),
        "<= 1.5x",
    )

    def history_check_time(db: Path, key: Path) -> float:
        from cvid._db import write_tx
        from cvid.ledger.ledger import _fetcher, _head

        times = []
        with Ledger.open(db, log_key=key) as led:
            for _ in range(200):
                led._state.verified.clear()  # as a new process: verify the notes, count rows
                t0 = time.perf_counter()
                with write_tx(led._engine) as conn:
                    size, root = _head(conn)
                    led._check_history(conn, size, root, _fetcher(conn), None)
                times.append(time.perf_counter() - t0)
        return statistics.median(times)

    small = tmp / "service-small.db"
    with Ledger.create(small, log_key_path=tmp / "small.key") as led:
        for k in keys:
            led.register(k.public)
        led._commit(filler[:1000], 100, None)
    big = tmp / "service-1.db"
    t_big = history_check_time(big, tmp / "service-1.key")
    t_small = history_check_time(small, tmp / "small.key")
    ratio(
        "history check before signing at 110k records / at 1k records",
        t_big / t_small,
        "110k",
        t_big,
        "1k",
        t_small,
        "O(log n): close to 1x",
    )


def _sign_chunk(args: tuple[Path, int, int]) -> list[bytes]:
    """Sign records ``start .. start + count`` with the builder key; their canonical bytes."""
    key_file, start, count = args
    key = read_private_key(key_file)
    return [record_bytes(sign_record(record(n), key)) for n in range(start, start + count)]


def build_million(tmp: Path, key: PartyKey) -> Path:
    """Build the 1,000,000-record ledger: sign in two processes, commit in one.

    Signing (20 µs per Ed25519 signature, plus schema check and JCS) is spread over both
    cores; the records, signed by the benchmark itself, then go through the ledger's own
    commit path in batches of 100,000, as ``Ledger.append`` does for records it has just
    signed (it does not re-verify its own signatures). Each batch is one transaction that
    extends the tree in memory from its stored right edge and bulk-inserts the leaves and
    every new interior node, so the build is linear in the number of records.
    """
    db = tmp / "million.db"
    key_file = tmp / "builder.key"
    write_private_key(key, key_file)
    chunk = 50_000
    ctx = mp.get_context("spawn")
    with Ledger.create(db) as led, ctx.Pool(2) as pool:
        led.register(key.public)
        jobs = [(key_file, start, chunk) for start in range(0, N_PROOF, chunk)]
        pending: list[CheckedRecord] = []
        for data in pool.imap(_sign_chunk, jobs):
            pending += [CheckedRecord("inspection", key.name, key.role, d) for d in data]
            if len(pending) >= 100_000:
                led._commit(pending, 100_000, None)
                pending = []
        if pending:
            led._commit(pending, 100_000, None)
    return db


def bench_proofs(tmp: Path) -> None:
    key = generate_party_key("iaea", "inspectorate")
    print(f"building a {N_PROOF}-record ledger (signing in two processes) ...", flush=True)
    t0 = time.perf_counter()
    db = build_million(tmp, key)
    print(f"   built in {time.perf_counter() - t0:.1f} s", flush=True)
    rng = random.Random(7)
    with Ledger.open(db) as led:
        n = led.size
        assert n == N_PROOF
        root = led.root_hash()
        idx = [rng.randrange(n) for _ in range(300)]
        olds = [rng.randrange(1, n) for _ in range(300)]
        led.inclusion_proof(0)  # warm the connection pool and statement cache

        def timed(fn: Any, args: list[int]) -> float:
            times = []
            for a in args:
                t = time.perf_counter()
                fn(a)
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        t_inc = timed(led.inclusion_proof, idx)
        t_con = timed(lambda o: led.consistency_proof(o, n), olds)
        for i in idx[:20]:
            p = led.inclusion_proof(i)
            verify_inclusion(p.leaf_hash, i, n, list(p.proof), root)
        for o in olds[:20]:
            c = led.consistency_proof(o, n)
            verify_consistency(o, n, list(c.proof), c.old_root, root)
        with led._engine.connect() as conn:  # the same entries for pymerkle
            data = [
                bytes(d)
                for (d,) in conn.exec_driver_sql("SELECT data FROM ledger_entries ORDER BY idx")
            ]

    from pymerkle import SqliteTree

    tree = SqliteTree(str(tmp / "pm-million.db"))
    tree.append_entries(data)
    del data
    tree.prove_inclusion(1)
    t_pm_inc = timed(lambda i: tree.prove_inclusion(i + 1), idx[:60])
    t_pm_con = timed(lambda o: tree.prove_consistency(o, n), olds[:60])
    tree.close()
    for what, ours, theirs in (
        ("inclusion", t_inc, t_pm_inc),
        ("consistency", t_con, t_pm_con),
    ):
        print(
            f"ratio  pymerkle / cvid median {what} proof at 1M records: {theirs / ours:.1f}x  "
            f"(cvid {ours * 1e3:.3f} ms vs pymerkle {theirs * 1e3:.3f} ms; target cvid < 1 ms)"
        )


def main(argv: list[str]) -> int:
    parts = set(argv) or {"append", "proofs"}
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as d:
        tmp = Path(d)
        if "append" in parts:
            bench_append(tmp)
        if parts & {"append", "service"}:
            bench_service_appends(tmp)
        if "proofs" in parts:
            bench_proofs(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
