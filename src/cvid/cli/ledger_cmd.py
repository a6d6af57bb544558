"""``cvid ledger ...``: the tamper-evident evidence ledger from the command line.

JSON shapes (``--json``):
- init: ``{"db", "origin", "verifier_key", "log_key"}``
- keygen: ``{"party", "role", "private_key_file", "public_key_file", "public_key"}``
- register: ``{"party", "role", "registered"}`` (false if it already was)
- append: ``{"indices": [...], "tree_size", "root_hash", "checkpoint"}``
- show: ``{"index", "leaf_hash", "verified", "signer", "role", "record"}``
- proof: ``{"index", "tree_size", "leaf_hash", "root_hash", "proof": [hex, ...]}``
- consistency: ``{"old_size", "new_size", "old_root", "new_root", "proof": [hex, ...]}``
- checkpoint: ``{"origin", "tree_size", "root_hash", "verifier_key", "note"}``
- verify: ``{"ok", "source", "tree_size", "root_hash", "records_checked", "signatures_checked",
  "nodes_checked", "checkpoints_checked", "problems": [{"where", "what"}, ...]}``
- export: ``{"bundle", "tree_size", "root_hash", "files": [...]}``
- kinds: ``[{"kind", "roles": [...]}, ...]``
Hashes are lowercase hex. Exit 0 ok, 1 failed check (verify found a problem), 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from cvid.cli.common import console, emit_json, err_console
from cvid.errors import CheckFailed, InputError
from cvid.ledger import (
    KIND_SIGNERS,
    KINDS,
    AuditReport,
    Ledger,
    generate_party_key,
    read_private_key,
    read_public_key,
    record_schema,
    verify_bundle,
    verify_checkpoint,
    write_private_key,
    write_public_key,
)

ledger_app = typer.Typer(
    help="Tamper-evident evidence ledger: signed records in an RFC 9162 Merkle-tree log.",
    no_args_is_help=True,
)

DB_HELP = "Ledger: a SQLite file path, sqlite:///PATH or postgresql://URL."
JSON_OPT = typer.Option(False, "--json", help="Print the result as JSON.")
LOG_KEY_OPT = typer.Option(
    None,
    "--log-key",
    help="The log's private key file (default: $CVID_LEDGER_LOG_KEY, or DB.logkey beside a "
    "SQLite file).",
)


def _read_records(path: Path) -> list[dict[str, Any]]:
    """One JSON object, a JSON array of objects, or JSON Lines (one object per line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read ({exc})", source=str(path)) from None
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON ({exc.msg})", source=f"{path}: line {n}") from None
    else:
        out = whole if isinstance(whole, list) else [whole]
    for n, rec in enumerate(out, 1):
        if not isinstance(rec, dict):
            raise InputError("a record is a JSON object", source=f"{path}: record {n}")
    if not out:
        raise InputError("no records in the file", source=str(path))
    return out


@ledger_app.command("init")
def init(
    db: str = typer.Argument(..., help=DB_HELP),
    origin: str | None = typer.Option(
        None, "--origin", help="The log's name in checkpoints (default: a random one)."
    ),
    log_key: Path | None = LOG_KEY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Create a new ledger and the log's signing key (kept private, never printed)."""
    with Ledger.create(db, origin=origin, log_key_path=log_key) as led:
        out = {
            "db": db,
            "origin": led.origin,
            "verifier_key": led.verifier_key,
            "log_key": str(led.log_key_path),
        }
    if as_json:
        emit_json(out)
        return
    console.print(f"created ledger {db} (origin {out['origin']})")
    console.print(f"log key: {out['log_key']} (keep it private)")
    console.print(f"verifier key: {out['verifier_key']}")


@ledger_app.command("keygen")
def keygen(
    party: str = typer.Option(..., "--party", help="Party name (a-z 0-9 . _ -)."),
    role: str = typer.Option(..., "--role", help="inspectorate, state, observer or admin."),
    out: Path = typer.Option(..., "--out", help="Folder for NAME.key and NAME.pub."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing key files."),
    as_json: bool = JSON_OPT,
) -> None:
    """Make a party's Ed25519 key pair: OUT/NAME.key (private, mode 0600) and OUT/NAME.pub."""
    key = generate_party_key(party, role)
    if not out.is_dir():
        raise InputError("folder does not exist", source=str(out), field="--out")
    private, public = out / f"{party}.key", out / f"{party}.pub"
    if private.exists() and not force:
        raise InputError("file exists; use --force to overwrite", source=str(private))
    write_public_key(key.public, public, force=force)
    write_private_key(key, private, force=force)
    result = {
        "party": key.name,
        "role": key.role,
        "private_key_file": str(private),
        "public_key_file": str(public),
        "public_key": key.public.public_key_b64,
    }
    if as_json:
        emit_json(result)
        return
    console.print(f"wrote {private} (private, keep it safe) and {public}")


@ledger_app.command("register")
def register_party(
    db: str = typer.Argument(..., help=DB_HELP),
    pub: Path = typer.Argument(..., help="A party's NAME.pub file."),
    as_json: bool = JSON_OPT,
) -> None:
    """Admit a party's public key with its role."""
    key = read_public_key(pub)
    with Ledger.open(db) as led:
        new = led.register(key)
    if as_json:
        emit_json({"party": key.name, "role": key.role, "registered": new})
        return
    console.print(
        f"registered {key.name} ({key.role})" if new else f"{key.name} was already registered"
    )


@ledger_app.command("append")
def append(
    db: str = typer.Argument(..., help=DB_HELP),
    file: Path = typer.Argument(..., help="One JSON record, a JSON array, or JSON Lines."),
    key: Path | None = typer.Option(
        None, "--key", help="The submitting party's NAME.key (not needed for signed records)."
    ),
    batch: int = typer.Option(10_000, "--batch", min=1, help="Records per transaction."),
    log_key: Path | None = LOG_KEY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Sign and append records (all checked first; each batch is one commit and checkpoint)."""
    records = _read_records(file)
    signed = ["signature" in r for r in records]
    if any(signed) and not all(signed):
        raise InputError("mix of signed and unsigned records", source=str(file))

    def progress(indices: list[int]) -> None:
        if not as_json:
            err_console.print(f"committed records {indices[0]}-{indices[-1]}")

    with Ledger.open(db, log_key=log_key) as led:
        if all(signed):
            indices = led.submit(records, batch_size=batch, source=str(file), on_commit=progress)
        else:
            if key is None:
                raise InputError("unsigned records need --key NAME.key", field="--key")
            party = read_private_key(key)
            indices = led.append(
                records, party, batch_size=batch, source=str(file), on_commit=progress
            )
        note = led.checkpoint()
        cp = verify_checkpoint(note, led.verifier_key)
    if as_json:
        emit_json(
            {
                "indices": indices,
                "tree_size": cp.size,
                "root_hash": cp.root_hash.hex(),
                "checkpoint": note,
            }
        )
        return
    console.print(f"appended {len(indices)} records: indices {indices[0]}-{indices[-1]}")
    console.print(f"tree size {cp.size}, root {cp.root_hash.hex()}")


@ledger_app.command("show")
def show(
    db: str = typer.Argument(..., help=DB_HELP),
    index: int = typer.Argument(..., help="Record index (0-based)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Show one record, its signer and role, with its signature checked."""
    with Ledger.open(db) as led:
        entry = led.get(index)
    if as_json:
        emit_json(entry.to_json())
        return
    console.print(
        f"[bold]record {entry.index}[/] {entry.kind} by {entry.signer} ({entry.role}), "
        f"signature verified, leaf {entry.leaf_hash.hex()}"
    )
    console.print_json(json.dumps(entry.record))


@ledger_app.command("proof")
def proof(
    db: str = typer.Argument(..., help=DB_HELP),
    index: int = typer.Argument(..., help="Record index (0-based)."),
    size: int | None = typer.Option(None, "--size", help="Tree size (default: current)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Inclusion proof of a record (RFC 9162 §2.1.3)."""
    with Ledger.open(db) as led:
        p = led.inclusion_proof(index, size)
    if as_json:
        emit_json(p.to_json())
        return
    _hash_table(
        f"record {p.index} in tree of {p.tree_size}",
        [("leaf hash", p.leaf_hash.hex()), ("root hash", p.root_hash.hex())]
        + [(f"proof[{i}]", h.hex()) for i, h in enumerate(p.proof)],
    )


@ledger_app.command("consistency")
def consistency(
    db: str = typer.Argument(..., help=DB_HELP),
    old: int = typer.Argument(..., help="Old tree size."),
    new: int = typer.Argument(..., help="New tree size."),
    as_json: bool = JSON_OPT,
) -> None:
    """Consistency proof between two tree sizes (RFC 9162 §2.1.4)."""
    with Ledger.open(db) as led:
        c = led.consistency_proof(old, new)
    if as_json:
        emit_json(c.to_json())
        return
    _hash_table(
        f"tree {c.old_size} → {c.new_size}",
        [("old root", c.old_root.hex()), ("new root", c.new_root.hex())]
        + [(f"proof[{i}]", h.hex()) for i, h in enumerate(c.proof)],
    )


def _hash_table(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table("", "hash (hex)", title=title)
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


@ledger_app.command("checkpoint")
def checkpoint(
    db: str = typer.Argument(..., help=DB_HELP),
    as_json: bool = JSON_OPT,
) -> None:
    """The latest signed checkpoint (C2SP tlog-checkpoint as a signed note)."""
    with Ledger.open(db) as led:
        note = led.checkpoint()
        cp = verify_checkpoint(note, led.verifier_key)
        vkey = led.verifier_key
    if as_json:
        emit_json(
            {
                "origin": cp.origin,
                "tree_size": cp.size,
                "root_hash": cp.root_hash.hex(),
                "verifier_key": vkey,
                "note": note,
            }
        )
        return
    typer.echo(note, nl=False)


def _report(report: AuditReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.to_json())
    elif report.ok:
        console.print(
            f"[green]ok[/] {report.source}: {report.records} records, "
            f"{report.signatures} signatures, {report.nodes} tree nodes, "
            f"{report.checkpoints} checkpoints checked; tree size {report.tree_size}, "
            f"root {report.root_hash.hex()}"
        )
    else:
        for p in report.problems:
            console.print(f"[red]problem[/] {p}")
    if not report.ok:
        first = report.problems[0]
        more = len(report.problems) - 1
        raise CheckFailed(f"{report.source}: {first}" + (f" (and {more} more)" if more else ""))


@ledger_app.command("verify")
def verify(
    db: str | None = typer.Argument(None, help=DB_HELP),
    bundle: Path | None = typer.Option(None, "--bundle", help="Verify an exported bundle."),
    trusted_key: str | None = typer.Option(
        None, "--log-vkey", help="Pin the log's verifier key (name+id+key) for --bundle."
    ),
    known: list[Path] = typer.Option(
        [], "--known", help="A checkpoint kept earlier; it must be consistent (repeatable)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Audit: recompute every hash, check every signature, node and checkpoint (exit 1 if not)."""
    if (db is None) == (bundle is None):
        raise InputError("give either DB or --bundle FOLDER", field="DB")
    if bundle is not None:
        notes = []
        for path in known:
            try:
                notes.append(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise InputError(f"cannot read ({exc})", source=str(path)) from None
        report = verify_bundle(bundle, trusted_key=trusted_key, known_checkpoints=notes)
    else:
        assert db is not None
        with Ledger.open(db) as led:
            report = led.audit()
    _report(report, as_json)


@ledger_app.command("export")
def export(
    db: str = typer.Argument(..., help=DB_HELP),
    out: Path = typer.Argument(..., help="New folder for the bundle."),
    as_json: bool = JSON_OPT,
) -> None:
    """Write a bundle (records, checkpoint, public keys) for offline `verify --bundle`."""
    with Ledger.open(db) as led:
        led.export(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in out.iterdir())
    if as_json:
        emit_json(
            {
                "bundle": str(out),
                "tree_size": manifest["tree_size"],
                "root_hash": manifest["root_hash"],
                "files": files,
            }
        )
        return
    console.print(f"wrote bundle {out}: {manifest['tree_size']} records, {', '.join(files)}")


@ledger_app.command("kinds")
def kinds(as_json: bool = JSON_OPT) -> None:
    """Record kinds and the roles allowed to sign each."""
    roles = {k: sorted(r.value for r in KIND_SIGNERS[k]) for k in KINDS}
    if as_json:
        emit_json([{"kind": k, "roles": r} for k, r in roles.items()])
        return
    table = Table("kind", "may be signed by", title="Record kinds")
    for kind, allowed in roles.items():
        table.add_row(kind, ", ".join(allowed))
    console.print(table)


@ledger_app.command("schema")
def schema(kind: str = typer.Argument(..., help="Record kind.")) -> None:
    """Print the JSON Schema of a record kind."""
    typer.echo(json.dumps(record_schema(kind), indent=2))


def register(app: typer.Typer) -> None:
    """Attach ``cvid ledger`` to the root app."""
    app.add_typer(ledger_app, name="ledger")
