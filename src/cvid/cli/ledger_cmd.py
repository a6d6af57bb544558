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
  "nodes_checked", "checkpoints_checked", "witness_quorum", "witnessed_size",
  "problems": [{"where", "what"}, ...]}``
- export: ``{"bundle", "tree_size", "root_hash", "files": [...]}``
- kinds: ``[{"kind", "roles": [...]}, ...]``
- sign: the signed record (one input record) or a JSON array of them
- witness init: ``{"witness", "vkey", "key_file", "state_file"}``
- witness cosign: ``{"origin", "tree_size", "root_hash", "old_size", "timestamp", "stored",
  "checkpoint"}`` (the checkpoint with the new cosignature line)
- witness compare: ``{"ok", "split_views": [{"origin", "tree_size", "roots": {witness: hex}}]}``
Hashes are lowercase hex. Exit 0 ok, 1 failed check (verify found a problem), 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cvid.cli.common import JSON_OPT, console, emit_json, err_console
from cvid.errors import CheckFailed, InputError

if TYPE_CHECKING:  # the ledger is imported inside each command: `cvid ledger` starts fast
    from cvid.ledger import AuditReport

ledger_app = typer.Typer(
    help="Tamper-evident evidence ledger: signed records in an RFC 9162 Merkle-tree log.",
    no_args_is_help=True,
)

DB_HELP = "Ledger: a SQLite file path, sqlite:///PATH or postgresql://URL."
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
    from cvid.ledger import Ledger

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
    out: Path = typer.Option(
        ..., "--out", help="Folder for NAME.key and NAME.pub (created if it does not exist)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing key files."),
    as_json: bool = JSON_OPT,
) -> None:
    """Make a party's Ed25519 key pair: OUT/NAME.key (private, mode 0600) and OUT/NAME.pub."""
    from cvid.ledger import generate_party_key, write_private_key, write_public_key

    key = generate_party_key(party, role)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", source=str(out), field="--out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", source=str(out)) from exc
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
    from cvid.ledger import Ledger, read_public_key

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
        None,
        "--key",
        help="The submitting party's NAME.key (no default; not needed for signed records).",
    ),
    batch: int = typer.Option(10_000, "--batch", min=1, help="Records per transaction."),
    log_key: Path | None = LOG_KEY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Sign and append records (all checked first; each batch is one commit and checkpoint)."""
    from cvid.ledger import Ledger, read_private_key, verify_checkpoint

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
    from cvid.ledger import Ledger

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
    from cvid.ledger import Ledger

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
    from cvid.ledger import Ledger

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
    from rich.table import Table

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
    from cvid.ledger import Ledger, verify_checkpoint

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
    """Print an audit report; a report with problems exits 1 (CheckFailed)."""
    if as_json:
        emit_json(report.to_json())
    elif report.ok:
        console.print(
            f"[green]ok[/] {report.source}: {report.records} records, "
            f"{report.signatures} signatures, {report.nodes} tree nodes, "
            f"{report.checkpoints} checkpoints checked; tree size {report.tree_size}, "
            f"root {report.root_hash.hex()}"
            + (
                f"; witnessed ({report.quorum}) up to size {report.witnessed_size}"
                if report.witnessed_size is not None
                else ""
            )
        )
    else:
        for p in report.problems:
            console.print(f"[red]problem[/] {p}")
    if not report.ok:
        first = report.problems[0]
        more = len(report.problems) - 1
        raise CheckFailed(f"{report.source}: {first}" + (f" (and {more} more)" if more else ""))


def _read_notes(paths: list[Path]) -> list[str]:
    notes = []
    for path in paths:
        try:
            notes.append(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("file not found", source=str(path), field="--known") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read ({exc})", source=str(path), field="--known") from None
    return notes


@ledger_app.command("verify")
def verify(
    db: str | None = typer.Argument(None, help=DB_HELP + " No default: give DB or --bundle."),
    bundle: Path | None = typer.Option(
        None, "--bundle", help="Verify an exported bundle (default: none; give DB or this)."
    ),
    trusted_key: str | None = typer.Option(
        None,
        "--log-vkey",
        help="Pin the log's verifier key (name+id+key) for --bundle (default: the "
        "bundle's log.vkey).",
    ),
    known: list[Path] = typer.Option(
        [], "--known", help="A checkpoint kept earlier; it must be consistent (repeatable)."
    ),
    witness: list[Path] = typer.Option(
        [],
        "--witness",
        help="A witness's verifier key (file or name+id+key text); repeat for each witness "
        "of the policy.",
    ),
    quorum: int | None = typer.Option(
        None, "--quorum", min=1, help="Cosignatures needed from the --witness keys (default: all)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Audit: recompute every hash, check every signature, node and checkpoint (exit 1 if not).

    With --known, each kept checkpoint must be consistent with the log; with --witness (and
    --quorum K), some checkpoint must be cosigned by K of the given witnesses (C2SP
    tlog-cosignature).
    """
    from cvid.ledger import Ledger, verify_bundle
    from cvid.ledger.witness import read_vkey_file

    if (db is None) == (bundle is None):
        raise InputError("give either DB or --bundle FOLDER", field="DB")
    if quorum is not None and not witness:
        raise InputError("--quorum needs --witness keys", field="--quorum")
    if quorum is not None and quorum > len(set(witness)):
        raise InputError(
            f"quorum {quorum} is more than the {len(set(witness))} witnesses given",
            field="--quorum",
        )
    notes = _read_notes(known)
    vkeys = [read_vkey_file(w) for w in witness]
    if bundle is not None:
        report = verify_bundle(
            bundle, trusted_key=trusted_key, known_checkpoints=notes, witnesses=vkeys, quorum=quorum
        )
    else:
        assert db is not None
        with Ledger.open(db) as led:
            report = led.audit(known_checkpoints=notes, witnesses=vkeys, quorum=quorum)
    _report(report, as_json)


@ledger_app.command("export")
def export(
    db: str = typer.Argument(..., help=DB_HELP),
    out: Path = typer.Argument(..., help="New folder for the bundle."),
    as_json: bool = JSON_OPT,
) -> None:
    """Write a bundle (records, checkpoint, public keys) for offline `verify --bundle`."""
    from cvid.ledger import Ledger

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
    from rich.table import Table

    from cvid.ledger import KIND_SIGNERS, KINDS

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
    from cvid.ledger import record_schema

    typer.echo(json.dumps(record_schema(kind), indent=2))


@ledger_app.command("sign")
def sign(
    file: Path = typer.Argument(..., help="One JSON record, a JSON array, or JSON Lines."),
    key: Path = typer.Option(..., "--key", help="The signing party's NAME.key."),
    out: Path | None = typer.Option(
        None, "--out", help="Write here instead of stdout (default: stdout)."
    ),
) -> None:
    """Sign records with a party key and print the signed JSON, without appending.

    The output can be appended later: `cvid ledger append DB FILE` or the service's
    POST /api/v1/ledger/records (as {"records": [...]}).
    """
    from cvid.ledger import read_private_key, sign_record

    records = _read_records(file)
    party = read_private_key(key)
    signed = [sign_record(r, party, source=f"{file}: record {n}") for n, r in enumerate(records, 1)]
    body = signed[0] if len(signed) == 1 else signed
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists():
        raise InputError("file exists; give a new file", source=str(out), field="--out")
    out.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {len(signed)} signed records to {out}")


witness_app = typer.Typer(
    help="Witnesses: keep a party's last seen checkpoint of a log, check that the log only "
    "grows (RFC 9162 consistency proofs) and cosign its checkpoints (C2SP tlog-cosignature).",
    no_args_is_help=True,
)
ledger_app.add_typer(witness_app, name="witness")
STATE_OPT = typer.Option(..., "--state", help="The witness's state file (last seen checkpoints).")
WKEY_OPT = typer.Option(..., "--key", help="The witness's private key file.")


@witness_app.command("init")
def witness_init(
    name: str = typer.Option(
        ..., "--name", help="The witness's name, a schema-less URL (e.g. iaea.example/witness)."
    ),
    key: Path = typer.Option(..., "--key", help="New private key file (mode 0600)."),
    state: Path = typer.Option(..., "--state", help="New state file."),
    vkey_out: Path | None = typer.Option(
        None,
        "--vkey-out",
        help="Also write the verifier key here (for others' policies; default: not written).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
    as_json: bool = JSON_OPT,
) -> None:
    """Make a witness: its Ed25519 cosigning key and an empty state."""
    from cvid.ledger.witness import WitnessState, generate_witness_key, write_witness_key

    for path in (key, state, vkey_out):
        if path is not None and not path.resolve().parent.is_dir():
            raise InputError("folder does not exist", source=str(path))
    wkey = generate_witness_key(name)
    write_witness_key(wkey, key, force=force)
    WitnessState.create(state, wkey, force=force)
    if vkey_out is not None:
        if vkey_out.exists() and not force:
            raise InputError("file exists; use --force", source=str(vkey_out))
        vkey_out.write_text(wkey.vkey + "\n", encoding="utf-8")
    result = {"witness": name, "vkey": wkey.vkey, "key_file": str(key), "state_file": str(state)}
    if as_json:
        emit_json(result)
        return
    console.print(f"witness {name}: key {key} (keep it private), state {state}")
    console.print(f"verifier key: {wkey.vkey}")


def _read_text(path: Path, field: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path), field=field) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read ({exc})", source=str(path), field=field) from None


def _read_proof(path: Path) -> list[bytes]:
    data = _read_text(path, "--proof")
    try:
        obj = json.loads(data)
        hashes = obj["proof"] if isinstance(obj, dict) else obj
        out = [bytes.fromhex(h) for h in hashes]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"not a consistency proof (`cvid ledger consistency --json` output): {exc}",
            source=str(path),
        ) from None
    return out


@witness_app.command("cosign")
def witness_cosign(
    key: Path = WKEY_OPT,
    state: Path = STATE_OPT,
    ledger: str | None = typer.Option(
        None,
        "--ledger",
        help="Read the latest checkpoint and the proof from this ledger, and store the "
        "cosignature in it (no default: give this or --checkpoint).",
    ),
    checkpoint_file: Path | None = typer.Option(
        None, "--checkpoint", help="A signed checkpoint (note) to cosign instead (default: none)."
    ),
    proof_file: Path | None = typer.Option(
        None,
        "--proof",
        help="With --checkpoint: the consistency proof from the size last seen (default: "
        "none, for a first sighting).",
    ),
    log_vkey: str | None = typer.Option(
        None,
        "--log-vkey",
        help="The log's verifier key (default: the one pinned at first sight, or the ledger's).",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the cosigned checkpoint here (default: not written)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Check a log's checkpoint against the last one this witness saw and cosign it.

    Refuses (exit 1) a checkpoint that is smaller than, or not consistent with, what the
    witness saw, and keeps it in the state as evidence.
    """
    from cvid.ledger import Ledger, parse_checkpoint
    from cvid.ledger.note import split_note
    from cvid.ledger.witness import WitnessState, cosign_checkpoint, read_witness_key

    if (ledger is None) == (checkpoint_file is None):
        raise InputError("give either --ledger DB or --checkpoint FILE", field="--ledger")
    wkey = read_witness_key(key)
    st = WitnessState.load(state)
    stored = False
    if ledger is not None:
        with Ledger.open(ledger) as led:
            note = led.checkpoint(cosigned=False)
            vkey = log_vkey or led.verifier_key
            cp = parse_checkpoint(split_note(note)[0])
            view = st.logs.get(cp.origin)
            proof = None
            if view is not None and 0 < view.size < cp.size:
                proof = list(led.consistency_proof(view.size, cp.size).proof)
            result = cosign_checkpoint(st, wkey, note, log_vkey=vkey, proof=proof)
            led.add_cosignature(result.note, wkey.vkey)
            stored = True
    else:
        assert checkpoint_file is not None
        note = _read_text(checkpoint_file, "--checkpoint")
        try:
            cp = parse_checkpoint(split_note(note)[0])
        except ValueError as exc:
            raise InputError(f"not a checkpoint: {exc}", source=str(checkpoint_file)) from None
        view = st.logs.get(cp.origin)
        pinned = log_vkey or (view.log_vkey if view is not None else None)
        if pinned is None:
            raise InputError(
                f"first checkpoint of log {cp.origin}: give its --log-vkey", field="--log-vkey"
            )
        proof = _read_proof(proof_file) if proof_file is not None else None
        result = cosign_checkpoint(st, wkey, note, log_vkey=pinned, proof=proof)
    if out is not None:
        out.write_text(result.note, encoding="utf-8")
    if as_json:
        emit_json(
            {
                "origin": result.checkpoint.origin,
                "tree_size": result.checkpoint.size,
                "root_hash": result.checkpoint.root_hash.hex(),
                "old_size": result.old_size,
                "timestamp": result.cosignature.timestamp,
                "stored": stored,
                "checkpoint": result.note,
            }
        )
        return
    since = "first sight" if result.old_size is None else f"consistent with size {result.old_size}"
    err_console.print(
        f"cosigned {result.checkpoint.origin} at size {result.checkpoint.size} ({since})"
        + (" and stored the cosignature in the ledger" if stored else "")
    )
    if out is None:
        typer.echo(result.note, nl=False)


@witness_app.command("compare")
def witness_compare(
    state_a: Path = typer.Argument(..., help="One witness's state file."),
    state_b: Path = typer.Argument(..., help="Another witness's state file."),
    as_json: bool = JSON_OPT,
) -> None:
    """Compare two witnesses' cosigned checkpoints: a log that showed them different trees of
    one size (a split view) is reported and exits 1."""
    from cvid.ledger.witness import WitnessState, compare_states

    a, b = WitnessState.load(state_a), WitnessState.load(state_b)
    splits = compare_states(a, b)
    if as_json:
        emit_json(
            {
                "ok": not splits,
                "split_views": [
                    {
                        "origin": sv.origin,
                        "tree_size": sv.size,
                        "roots": {sv.witness_a: sv.root_a.hex(), sv.witness_b: sv.root_b.hex()},
                    }
                    for sv in splits
                ],
            }
        )
    else:
        for sv in splits:
            console.print(f"[red]split view[/] {sv}")
        if not splits:
            common = sorted(set(a.logs) & set(b.logs))
            console.print(
                f"[green]ok[/] {a.witness} and {b.witness} agree on every tree size both "
                f"cosigned ({len(common)} logs in common)"
            )
    if splits:
        raise CheckFailed(
            str(splits[0]) + (f" (and {len(splits) - 1} more)" if len(splits) > 1 else "")
        )


@witness_app.command("show")
def witness_show(state: Path = typer.Argument(..., help="A witness's state file.")) -> None:
    """Print a witness's state: per log the size and root last cosigned, and refusals."""
    from cvid.ledger.witness import WitnessState

    st = WitnessState.load(state)
    console.print(f"witness {st.witness}: {st.vkey}")
    for origin, view in sorted(st.logs.items()):
        console.print(
            f"  {origin}: size {view.size}, root {view.root.hex()}, {len(view.history)} "
            f"cosigned, {len(view.refused)} refused"
        )


def register(app: typer.Typer) -> None:
    """Attach ``cvid ledger`` to the root app."""
    app.add_typer(ledger_app, name="ledger")
