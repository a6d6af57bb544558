"""Several writer processes at once, and a writer killed (SIGKILL) in the middle of appending."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cvid.errors import InputError
from cvid.ledger import Ledger, PartyKey, write_private_key
from tests.ledger.samples import sample_record

REPO = Path(__file__).resolve().parents[2]


def _writer(
    db: str, log_key: Path, party: Path, first: int, batches: int, size: int
) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "tests.ledger.writer", db, str(log_key), str(party)]
    cmd += [str(first), str(batches), str(size)]
    return subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _acks(text: str) -> list[tuple[int, int, int]]:
    out = []
    for line in text.splitlines():
        if line.startswith("ack "):
            span, n = line[4:].split(" ")
            lo, hi = span.split("-")
            out.append((int(lo), int(hi), int(n[1:])))
    return out


def _record_matches(led: Ledger, index: int, number: int) -> bool:
    record = dict(led.get(index).record)
    record.pop("signer")
    record.pop("signature")
    return record == sample_record("seal-check", number)


def test_concurrent_writers_get_contiguous_indices_and_one_tree(
    ledger: Ledger, db_url: str, tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    party = tmp_path / "iaea.key"
    write_private_key(keys["inspectorate"], party)
    procs = [_writer(db_url, tmp_path / "log.key", party, 10_000 * w, 8, 25) for w in range(4)]
    acks = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        acks += _acks(out)
    assert len(acks) == 32
    covered = sorted(i for lo, hi, _ in acks for i in range(lo, hi + 1))
    assert covered == list(range(800))  # no gaps, no duplicates
    for lo, hi, n in acks:  # each batch landed contiguously, in order
        assert _record_matches(ledger, lo, n)
        assert _record_matches(ledger, hi, n + hi - lo)
    assert ledger.size == 800
    report = ledger.audit()
    assert report.ok, report.problems
    assert report.checkpoints == 33


def test_sigkill_mid_append_loses_nothing_acknowledged(
    ledger: Ledger, db_url: str, tmp_path: Path, keys: dict[str, PartyKey]
) -> None:
    party = tmp_path / "iaea.key"
    write_private_key(keys["inspectorate"], party)
    proc = _writer(db_url, tmp_path / "log.key", party, 0, 400, 50)
    seen: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while len(seen) < 15 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    acks = _acks("".join(seen) + rest)
    assert len(acks) >= 15
    with Ledger.open(db_url, log_key=tmp_path / "log.key") as led:
        report = led.audit()
        assert report.ok, report.problems
        last = acks[-1][1]
        assert led.size >= last + 1  # every acknowledged append is there...
        assert led.size % 50 == 0  # ...and no half batch
        for lo, hi, n in acks:
            assert _record_matches(led, lo, n)
            assert _record_matches(led, hi, n + hi - lo)
        size = led.size
        assert led.append(sample_record("seal-check", 99_999), keys["inspectorate"]) == [size]
        assert led.audit().ok


def test_append_is_atomic_when_a_batch_fails(ledger: Ledger, keys: dict[str, PartyKey]) -> None:
    """A record refused in the middle of the input leaves nothing of that input behind."""
    good = [sample_record("seal-check", n) for n in range(10)]
    bad = dict(good[5], kind="gossip")
    with pytest.raises(InputError, match="unknown record kind"):
        ledger.append([*good[:5], bad, *good[6:]], keys["inspectorate"], batch_size=2)
    assert ledger.size == 0
