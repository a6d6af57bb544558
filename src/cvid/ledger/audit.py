"""Audit of a stored ledger: recompute every hash, check every signature, node and checkpoint.

The audit trusts nothing stored but the parties' registered keys and the log's public key: leaf
hashes are recomputed from the records, every interior node from the leaves (RFC 9162 §2.1.1),
each stored checkpoint's signature is verified (C2SP signed note) and its root compared with the
root recomputed at its size, which is exactly its consistency with the current tree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from cvid.errors import InputError
from cvid.ledger.entry import AuditReport
from cvid.ledger.keys import PartyPublicKey
from cvid.ledger.merkle import EMPTY_ROOT, CompactRange, leaf_hash, node_position
from cvid.ledger.note import NoteError, verifier_key, verify_checkpoint
from cvid.ledger.records import check_signed
from cvid.ledger.store import checkpoints_t, entries_t, head_t, nodes_t, parties_t

CHUNK_LEVEL = 12
CHUNK = 1 << CHUNK_LEVEL


def check_record_data(
    report: AuditReport, where: str, data: bytes, parties: Mapping[str, PartyPublicKey]
) -> None:
    """Check one stored record: JSON, canonical form, schema, signer, role and signature."""
    try:
        record = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add(where, f"not valid JSON ({exc})")
        return
    try:
        if check_signed(record, parties, source=None).data != data:
            report.add(where, "not in canonical (RFC 8785) form")
            return
    except InputError as exc:
        report.add(where, exc.describe())
        return
    report.signatures += 1


def _node_label(pos_level: int, index: int) -> str:
    lo = index << pos_level
    hi = ((index + 1) << pos_level) - 1
    return f"tree node level {pos_level} index {index} (records {lo}-{hi})"


def audit_database(
    conn: Connection, source: str, origin: str, log_public_key: bytes
) -> AuditReport:
    """Audit the ledger read through ``conn`` (one read transaction, one snapshot)."""
    report = AuditReport(source=source)
    try:
        _audit(conn, report, origin, log_public_key)
    except SQLAlchemyError as exc:
        report.add("database", f"cannot be read ({str(exc).splitlines()[0]})")
    return report


def _audit(conn: Connection, report: AuditReport, origin: str, log_public_key: bytes) -> None:
    vkey = verifier_key(origin, log_public_key)
    parties = {
        str(n): PartyPublicKey(str(n), str(r), bytes(k))
        for n, r, k in conn.execute(
            select(parties_t.c.name, parties_t.c.role, parties_t.c.public_key)
        )
    }
    head = conn.execute(select(head_t.c.tree_size, head_t.c.root_hash)).all()
    if len(head) != 1:
        report.add("head", f"expected one head row, found {len(head)}")
        return
    size, head_root = int(head[0][0]), bytes(head[0][1])
    report.tree_size, report.root_hash = size, head_root

    # Checkpoints: each note must verify with the log key and say what its row says.
    late: list[tuple[str, str]] = []
    cp_roots: dict[int, bytes] = {}
    for cp_size, cp_root, note in conn.execute(
        select(checkpoints_t.c.tree_size, checkpoints_t.c.root_hash, checkpoints_t.c.note).order_by(
            checkpoints_t.c.tree_size
        )
    ):
        where = f"checkpoint at size {cp_size}"
        try:
            cp = verify_checkpoint(str(note), vkey, origin=origin)
        except NoteError as exc:
            late.append((where, f"signed note does not verify ({exc})"))
            continue
        if cp.size != int(cp_size) or cp.root_hash != bytes(cp_root):
            late.append((where, "signed note does not match its row"))
            continue
        if cp.size > size:
            late.append((where, f"is beyond the tree size {size}"))
            continue
        cp_roots[cp.size] = cp.root_hash
    if size not in cp_roots:
        late.append(("head", f"no valid checkpoint for the current tree size {size}"))
    if 0 in cp_roots:
        report.checkpoints += 1
        if cp_roots[0] != EMPTY_ROOT:
            report.add("checkpoint at size 0", "root is not the empty-tree hash")

    cr = CompactRange()
    expect = 0
    stop = False
    for start in range(0, size, CHUNK):
        rows = conn.execute(
            select(entries_t.c.idx, entries_t.c.leaf_hash, entries_t.c.data)
            .where(entries_t.c.idx >= start, entries_t.c.idx < start + CHUNK)
            .order_by(entries_t.c.idx)
        ).all()
        expected_nodes: dict[int, tuple[int, int, bytes]] = {}
        for idx, stored_leaf, data in rows:
            if int(idx) != expect:
                report.add(f"record {expect}", f"missing (the next stored record is {idx})")
                stop = True
                break
            where = f"record {expect}"
            data = bytes(data)
            lh = leaf_hash(data)
            if lh != bytes(stored_leaf):
                report.add(where, "data does not match its stored leaf hash")
            check_record_data(report, where, data, parties)
            report.records += 1
            for level, index, h in cr.append(lh)[1:]:
                expected_nodes[node_position(level, index)] = (level, index, h)
            expect += 1
            if expect in cp_roots:
                report.checkpoints += 1
                if cp_roots[expect] != cr.root():
                    report.add(
                        f"checkpoint at size {expect}",
                        "root hash does not match the records (the tree was rewritten)",
                    )
        if not stop and expect < min(start + CHUNK, size):
            report.add(f"record {expect}", "missing from the database")
            stop = True
        _compare_nodes(conn, report, start, expected_nodes)
        if stop:
            break

    if not stop:
        if cr.root() != head_root:
            report.add("head", "root hash does not match the records")
        extra = conn.execute(
            select(func.count()).select_from(entries_t).where(entries_t.c.idx >= size)
        ).scalar_one()
        if extra:
            report.add("records", f"{extra} stored beyond the tree size {size}")
        want_nodes = sum(size >> level for level in range(1, size.bit_length() + 1))
        have_nodes = conn.execute(select(func.count()).select_from(nodes_t)).scalar_one()
        if have_nodes > want_nodes:
            report.add("tree nodes", f"{have_nodes - want_nodes} unexpected rows")
    for where, what in late:
        report.add(where, what)


def _compare_nodes(
    conn: Connection,
    report: AuditReport,
    start: int,
    expected: dict[int, tuple[int, int, bytes]],
) -> None:
    """Compare the stored interior nodes completed by leaves [start, start + CHUNK)."""
    lo, hi = 2 * start, 2 * (start + CHUNK) - 2
    stored: dict[int, bytes] = {
        int(p): bytes(h)
        for p, h in conn.execute(
            select(nodes_t.c.pos, nodes_t.c.hash).where(nodes_t.c.pos >= lo, nodes_t.c.pos <= hi)
        )
    }
    outside = [p for p in expected if not lo <= p <= hi]
    if outside:
        stored.update(
            {
                int(p): bytes(h)
                for p, h in conn.execute(
                    select(nodes_t.c.pos, nodes_t.c.hash).where(nodes_t.c.pos.in_(outside))
                )
            }
        )
    for pos in sorted(expected, key=lambda p: (expected[p][0], expected[p][1])):
        level, index, h = expected[pos]
        got = stored.get(pos)
        report.nodes += 1
        if got is None:
            report.add(_node_label(level, index), "missing from the database")
        elif got != h:
            report.add(_node_label(level, index), "stored hash does not match the records below it")
    for pos in sorted(set(stored) - set(expected)):
        report.add(f"tree node at position {pos}", "unexpected row (not a complete subtree)")
