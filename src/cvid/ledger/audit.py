"""Audit of a stored ledger: recompute every hash, check every signature, node and checkpoint.

The audit trusts nothing stored but the parties' registered keys and the log's public key: leaf
hashes are recomputed from the records, every interior node from the leaves (RFC 9162 §2.1.1),
each stored checkpoint's signature is verified (C2SP signed note) and its root compared with the
root recomputed at its size, which is exactly its consistency with the current tree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from cvid.errors import InputError
from cvid.ledger.entry import AuditReport
from cvid.ledger.keys import PartyPublicKey
from cvid.ledger.merkle import EMPTY_ROOT, CompactRange, leaf_hash, node_position
from cvid.ledger.note import NoteError, checkpoint_seq, verifier_key, verify_checkpoint
from cvid.ledger.records import check_signed
from cvid.ledger.store import (
    checkpoints_t,
    cosignatures_t,
    entries_t,
    head_t,
    nodes_t,
    parties_t,
)

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
    conn: Connection,
    source: str,
    origin: str,
    log_public_key: bytes,
    *,
    known: Mapping[int, tuple[str, bytes]] | None = None,
    witnesses: Sequence[str] = (),
    quorum: int | None = None,
) -> AuditReport:
    """Audit the ledger read through ``conn`` (one read transaction, one snapshot).

    ``known`` maps tree sizes to (label, root) of checkpoints a verifier kept; each must match
    the tree. ``witnesses`` and ``quorum`` are a witness policy (see :func:`check_witnesses`).
    """
    report = AuditReport(source=source)
    try:
        if conn.dialect.name == "sqlite":
            result = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check")]
            if result != ["ok"]:
                report.add("database file", "; ".join(result)[:500])
        _audit(conn, report, origin, log_public_key, dict(known or {}))
        if witnesses:
            check_witnesses(conn, report, origin, log_public_key, witnesses, quorum)
    except SQLAlchemyError as exc:
        report.add("database", f"cannot be read ({str(exc).splitlines()[0]})")
    return report


def check_witnesses(
    conn: Connection,
    report: AuditReport,
    origin: str,
    log_public_key: bytes,
    witnesses: Sequence[str],
    quorum: int | None,
) -> None:
    """Witness policy: some stored checkpoint must carry valid C2SP cosignatures by at least
    ``quorum`` of the distinct ``witnesses`` (default: all). The largest such checkpoint is
    ``report.witnessed_size``; a cosignature by a listed witness that does not verify is a
    problem."""
    from cvid.ledger.witness import count_quorum

    keys = list(dict.fromkeys(witnesses))
    need = len(keys) if quorum is None else quorum
    report.quorum = f"{need} of {len(keys)}"
    if not 1 <= need <= len(keys):
        report.add("witness policy", f"quorum {need} is not between 1 and {len(keys)} witnesses")
        return
    sizes = [
        int(s)
        for (s,) in conn.execute(
            select(cosignatures_t.c.tree_size)
            .distinct()
            .order_by(cosignatures_t.c.tree_size.desc())
        )
    ]
    vkey = verifier_key(origin, log_public_key)
    for size in sizes:
        note = conn.execute(
            select(checkpoints_t.c.note).where(checkpoints_t.c.tree_size == size)
        ).scalar_one_or_none()
        if note is None:
            report.add(f"cosignatures of size {size}", "no stored checkpoint of that size")
            continue
        lines = [
            str(ln)
            for (ln,) in conn.execute(
                select(cosignatures_t.c.line).where(cosignatures_t.c.tree_size == size)
            )
        ]
        full = str(note) + "".join(ln + "\n" for ln in lines)
        try:
            verify_checkpoint(full, vkey, origin=origin)
        except NoteError:
            continue  # reported by the checkpoint checks
        good, bad = count_quorum(full, keys)
        for what in bad:
            report.add(f"checkpoint at size {size}", what)
        if good >= need:
            report.witnessed_size = size
            return
    report.add(
        "witness policy",
        f"no checkpoint is cosigned by {need} of the {len(keys)} given witnesses",
    )


def _audit(
    conn: Connection,
    report: AuditReport,
    origin: str,
    log_public_key: bytes,
    known: dict[int, tuple[str, bytes]],
) -> None:
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
    position, seen_seq = 0, False
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
        seq = checkpoint_seq(cp)
        if seq is not None:
            if seq != position:
                late.append(
                    (
                        where,
                        f"is the log's checkpoint number {seq} but is stored as number "
                        f"{position}: checkpoint rows were deleted or inserted",
                    )
                )
            seen_seq = True
        elif seen_seq:
            late.append((where, "has no sequence number after one that had"))
        position += 1
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
            if expect in known:
                label, root = known[expect]
                report.checkpoints += 1
                if root != cr.root():
                    report.add(label, "is not consistent with the ledger (history was rewritten)")
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
    for size_k, (label, root) in sorted(known.items()):
        if size_k == 0:
            report.checkpoints += 1
            if root != EMPTY_ROOT:
                report.add(label, "root is not the empty-tree hash")
        elif size_k > size:
            report.add(label, f"is for {size_k} records, more than the ledger's {size}")
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
