"""A separate process that appends to a ledger and acknowledges each committed batch.

Usage: python -m tests.ledger.writer DB LOG_KEY PARTY_KEY FIRST BATCHES BATCH_SIZE
Prints one line ``ack <first>-<last> n<first record number>`` per committed batch (flushed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cvid.ledger import Ledger, read_private_key
from tests.ledger.samples import sample_record


def main(argv: list[str]) -> None:
    db, log_key, party_key = argv[0], Path(argv[1]), Path(argv[2])
    first, batches, size = int(argv[3]), int(argv[4]), int(argv[5])
    key = read_private_key(party_key)
    with Ledger.open(db, log_key=log_key) as led:
        n = first
        for _ in range(batches):
            records = [sample_record("seal-check", n + i) for i in range(size)]
            indices = led.append(records, key, batch_size=size)
            print(f"ack {indices[0]}-{indices[-1]} n{n}", flush=True)
            n += size


if __name__ == "__main__":
    main(sys.argv[1:])
