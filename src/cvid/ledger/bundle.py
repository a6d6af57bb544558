"""Export bundles: what another party needs to verify the ledger offline.

A bundle is a folder with
- ``records.jsonl``: every record of the exported tree, one canonical signed record per line
  (the exact Merkle leaf data);
- ``checkpoint``: the log's signed checkpoint (C2SP tlog-checkpoint) for that tree;
- ``parties.json``: the registered parties' public keys and roles;
- ``log.vkey``: the log's C2SP verifier key;
- ``manifest.json``: format, origin, tree size and root hash.

:func:`verify_bundle` recomputes the tree from the records, checks every signature against the
bundled party keys and the checkpoint's signature against the log key (better: a key the verifier
pinned beforehand), and checks any older checkpoints the verifier kept for consistency.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from cvid.errors import InputError
from cvid.ledger.audit import check_record_data
from cvid.ledger.entry import AuditReport
from cvid.ledger.keys import PartyPublicKey, unb64
from cvid.ledger.merkle import EMPTY_ROOT, CompactRange, leaf_hash
from cvid.ledger.note import Checkpoint, NoteError, parse_verifier_key, verify_checkpoint
from cvid.ledger.store import checkpoints_t, cosignatures_t, entries_t, parties_t

BUNDLE_FORMAT = "cvid-ledger-bundle/1"
_FILES = ("records.jsonl", "checkpoint", "parties.json", "log.vkey", "manifest.json")


def write_bundle(conn: Connection, out: Path, origin: str, vkey: str) -> Path:
    """Write the bundle of the tree at the latest checkpoint into the new folder ``out``."""
    if out.exists():
        raise InputError("already exists; give a new folder for the bundle", source=str(out))
    if not out.parent.is_dir():
        raise InputError("parent folder does not exist", source=str(out))
    row = conn.execute(
        select(checkpoints_t.c.tree_size, checkpoints_t.c.root_hash, checkpoints_t.c.note)
        .order_by(checkpoints_t.c.tree_size.desc())
        .limit(1)
    ).one()
    size, root, note = int(row[0]), bytes(row[1]), str(row[2])
    note += "".join(
        str(ln) + "\n"
        for (ln,) in conn.execute(
            select(cosignatures_t.c.line)
            .where(cosignatures_t.c.tree_size == size)
            .order_by(cosignatures_t.c.witness, cosignatures_t.c.key_id)
        )
    )
    parties = [
        PartyPublicKey(str(n), str(r), bytes(k)).to_json()
        for n, r, k in conn.execute(
            select(parties_t.c.name, parties_t.c.role, parties_t.c.public_key).order_by(
                parties_t.c.name
            )
        )
    ]
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        with (tmp / "records.jsonl").open("wb") as fh:
            start = 0
            while start < size:
                rows = conn.execute(
                    select(entries_t.c.data)
                    .where(entries_t.c.idx >= start, entries_t.c.idx < start + 5000)
                    .order_by(entries_t.c.idx)
                ).all()
                for (data,) in rows:
                    fh.write(bytes(data) + b"\n")
                start += 5000
        (tmp / "checkpoint").write_text(note, encoding="utf-8")
        (tmp / "parties.json").write_text(json.dumps(parties, indent=2) + "\n", encoding="utf-8")
        (tmp / "log.vkey").write_text(vkey + "\n", encoding="utf-8")
        manifest = {
            "format": BUNDLE_FORMAT,
            "origin": origin,
            "tree_size": size,
            "root_hash": root.hex(),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("missing from the bundle", source=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not readable JSON ({exc})", source=str(path)) from None


def _read_parties(path: Path) -> dict[str, PartyPublicKey]:
    data = _read_json(path)
    if not isinstance(data, list):
        raise InputError("expected a list of public keys", source=str(path))
    out: dict[str, PartyPublicKey] = {}
    for n, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("party"), str):
            raise InputError("expected {party, role, public_key}", source=str(path), field=f"[{n}]")
        key = unb64(item.get("public_key"), 32, source=str(path), field=f"[{n}].public_key")
        out[item["party"]] = PartyPublicKey(item["party"], str(item.get("role")), key)
    return out


def verify_bundle(
    folder: Path,
    *,
    trusted_key: str | None = None,
    known_checkpoints: Iterable[str] = (),
    witnesses: Sequence[str] = (),
    quorum: int | None = None,
) -> AuditReport:
    """Verify an exported bundle offline; ``trusted_key`` pins the log's verifier key and each
    of ``known_checkpoints`` (signed notes kept from earlier) must be consistent with it.
    With ``witnesses`` (cosignature/v1 verifier keys) the bundle's checkpoint must carry valid
    cosignatures by ``quorum`` of them (default: all)."""
    if not folder.is_dir():
        raise InputError("not a bundle folder", source=str(folder))
    manifest = _read_json(folder / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise InputError(f"not a {BUNDLE_FORMAT} manifest", source=str(folder / "manifest.json"))
    report = AuditReport(source=str(folder))
    try:
        vkey = trusted_key or (folder / "log.vkey").read_text(encoding="utf-8").strip()
        origin, _ = parse_verifier_key(vkey)
    except FileNotFoundError:
        raise InputError("missing from the bundle", source=str(folder / "log.vkey")) from None
    except NoteError as exc:
        raise InputError(f"bad log verifier key: {exc}", source=str(folder / "log.vkey")) from None
    parties = _read_parties(folder / "parties.json")
    try:
        note = (folder / "checkpoint").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read ({exc})", source=str(folder / "checkpoint")) from None
    try:
        cp: Checkpoint | None = verify_checkpoint(note, vkey, origin=origin)
    except NoteError as exc:
        report.add("checkpoint", f"does not verify with the log key {vkey} ({exc})")
        cp = None
    known: dict[int, tuple[str, bytes]] = {}
    for n, old in enumerate(known_checkpoints, 1):
        try:
            kc = verify_checkpoint(old, vkey, origin=origin)
        except NoteError as exc:
            raise InputError(f"does not verify: {exc}", source=f"known checkpoint {n}") from None
        known[kc.size] = (f"known checkpoint {n} (size {kc.size})", kc.root_hash)

    cr = CompactRange()
    records = folder / "records.jsonl"
    try:
        fh = records.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read ({exc})", source=str(records)) from None
    with fh:
        for line_no, line in enumerate(fh, 1):
            data = line.rstrip(b"\n")
            where = f"record {cr.size} (records.jsonl line {line_no})"
            check_record_data(report, where, data, parties)
            cr.append(leaf_hash(data))
            report.records += 1
            if cr.size in known:
                what, root = known[cr.size]
                report.checkpoints += 1
                if root != cr.root():
                    report.add(what, "is not consistent with the bundle (history was rewritten)")
    report.tree_size, report.root_hash = cr.size, cr.root()
    for size, (what, root) in known.items():
        if size == 0:
            report.checkpoints += 1
            if root != EMPTY_ROOT:
                report.add(what, "root is not the empty-tree hash")
        elif size > cr.size:
            report.add(what, f"is for {size} records, more than the bundle's {cr.size}")
    if cp is not None:
        report.checkpoints += 1
        if cp.size != cr.size:
            report.add("checkpoint", f"is for {cp.size} records, the bundle has {cr.size}")
        elif cp.root_hash != cr.root():
            report.add("checkpoint", "root hash does not match the records")
    if witnesses and cp is not None:
        from cvid.ledger.witness import count_quorum

        keys = list(dict.fromkeys(witnesses))
        need = len(keys) if quorum is None else quorum
        report.quorum = f"{need} of {len(keys)}"
        good, bad = count_quorum(note, keys)
        for what in bad:
            report.add("checkpoint", what)
        if good >= need:
            report.witnessed_size = cp.size
        else:
            report.add(
                "checkpoint",
                f"cosigned by {good} of the {len(keys)} given witnesses; the policy needs {need}",
            )
    if manifest.get("tree_size") != cr.size or manifest.get("root_hash") != cr.root().hex():
        report.add("manifest.json", "tree size or root hash does not match the records")
    return report
