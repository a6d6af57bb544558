"""Witnesses: parties that cosign the log's checkpoints, so no single operator can rewrite history.

A witness keeps, per log, the largest checkpoint it has seen and cosigned. It cosigns a new
checkpoint only when the log's signature verifies and an RFC 9162 consistency proof shows the
new tree extends the one it saw (same size: same root); otherwise it refuses and keeps the
log-signed checkpoint it refused, which is itself the evidence of a rewrite or a split view.
Two witnesses that compare their states find a split view (two log-signed checkpoints of one
size with different roots) at once: :func:`compare_states`.

Format: C2SP ``tlog-cosignature`` (https://c2sp.org/tlog-cosignature), Ed25519
``cosignature/v1``: the key ID is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]; the signature
line is ``— <name> base64(key ID ‖ timestamp ‖ signature)`` with the timestamp a big-endian
u64 of POSIX seconds; the signed message is ``cosignature/v1\\n`` ``time <timestamp>\\n``
followed by the whole checkpoint body (the note text without signature lines). A witness
verifier key is ``<name>+<hex key ID>+base64(0x04 ‖ public key)`` (C2SP signed-note vkeys).
Semantics (tlog-cosignature): "as of the specified time, the consistent tree head with the
largest size the cosigner has observed for the log identified by the origin line has the
specified root hash".
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cvid.errors import CheckFailed, InputError
from cvid.ledger.keys import read_json_object, write_file_atomic
from cvid.ledger.merkle import EMPTY_ROOT, ProofError, verify_consistency
from cvid.ledger.note import (
    Checkpoint,
    NoteError,
    check_note_name,
    key_id,
    parse_checkpoint,
    parse_signature_line,
    parse_verifier_key,
    signature_line,
    split_note,
    verifier_key,
    verify_checkpoint,
)

ALG_COSIGNATURE_V1 = 0x04
COSIGNATURE_HEADER = b"cosignature/v1\n"
STATE_FORMAT = "cvid-witness-state/1"
KEY_FORMAT = "cvid-witness-key/1"


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ '\\n' ‖ 0x04 ‖ key)[:4], the key ID of an Ed25519 cosigner."""
    return key_id(name, public_key, ALG_COSIGNATURE_V1)


def witness_verifier_key(name: str, public_key: bytes) -> str:
    """The witness's verifier key ``name+hexid+base64(0x04 ‖ key)``."""
    return verifier_key(name, public_key, ALG_COSIGNATURE_V1)


def parse_witness_vkey(vkey: str) -> tuple[str, bytes]:
    """(name, 32-byte Ed25519 key) of a witness verifier key, its key ID checked."""
    return parse_verifier_key(vkey, ALG_COSIGNATURE_V1, "witness verifier key")


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: header, time line, then the checkpoint body."""
    if not 0 <= timestamp < 2**63:
        raise NoteError("cosignature timestamp out of range")
    return COSIGNATURE_HEADER + f"time {timestamp}\n".encode() + body.encode()


@dataclass(frozen=True)
class Cosignature:
    """One witness's cosignature line of a checkpoint."""

    witness: str
    key_id: bytes
    timestamp: int
    signature: bytes

    @property
    def line(self) -> str:
        """The note signature line ``— name base64(keyid ‖ u64 time ‖ sig)``."""
        blob = self.key_id + self.timestamp.to_bytes(8, "big") + self.signature
        return signature_line(self.witness, blob)

    @classmethod
    def from_line(cls, line: str) -> Cosignature:
        """Parse a signature line as a cosignature/v1 (76-byte blob), or raise NoteError."""
        witness, blob = parse_signature_line(line)
        if len(blob) != 4 + 8 + 64:
            raise NoteError("not a cosignature/v1 line (wrong length)")
        return cls(witness, blob[:4], int.from_bytes(blob[4:12], "big"), blob[12:])

    def verify(self, body: str, vkey: str) -> None:
        """Check this cosignature over checkpoint ``body`` with the witness key ``vkey``."""
        name, public = parse_witness_vkey(vkey)
        if name != self.witness or cosignature_key_id(name, public) != self.key_id:
            raise NoteError(f"cosignature is not by the witness key {name}")
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(
                self.signature, cosignature_message(body, self.timestamp)
            )
        except InvalidSignature:
            raise NoteError(f"cosignature by {name} does not verify") from None


def cosignatures_of(note: str) -> list[Cosignature]:
    """Every signature line of ``note`` that has the cosignature/v1 shape."""
    _, lines = split_note(note)
    out = []
    for line in lines:
        try:
            out.append(Cosignature.from_line(line))
        except NoteError:
            continue
    return out


def find_cosignature(note: str, vkey: str) -> Cosignature | None:
    """The cosignature of ``note`` by the witness ``vkey`` that verifies, or None.

    A line with the witness's name and key ID that does not verify raises :class:`NoteError`.
    """
    name, public = parse_witness_vkey(vkey)
    kid = cosignature_key_id(name, public)
    body, _ = split_note(note)
    for cos in cosignatures_of(note):
        if cos.witness == name and cos.key_id == kid:
            cos.verify(body, vkey)
            return cos
    return None


def with_lines(note: str, lines: Iterable[str]) -> str:
    """``note`` with signature ``lines`` added (those it already has are not repeated)."""
    have = set(split_note(note)[1])
    extra = [ln for ln in lines if ln not in have]
    return note + "".join(ln + "\n" for ln in extra)


def count_quorum(note: str, witness_vkeys: Sequence[str]) -> tuple[int, list[str]]:
    """How many distinct witnesses of ``witness_vkeys`` validly cosigned ``note``, and the
    problems found (a cosignature line by one of them that does not verify)."""
    problems = []
    good = 0
    for vkey in dict.fromkeys(witness_vkeys):
        try:
            if find_cosignature(note, vkey) is not None:
                good += 1
        except NoteError as exc:
            problems.append(str(exc))
    return good, problems


# --------------------------------------------------------------------------- witness keys


@dataclass(frozen=True)
class WitnessKey:
    """A witness's Ed25519 cosigning key and its name (a schema-less URL such as
    ``iaea.example/witness``). Never printed."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes_raw()

    @property
    def vkey(self) -> str:
        """The verifier key others use in their witness policy."""
        return witness_verifier_key(self.name, self.public_key)

    def cosign(self, note: str, timestamp: int | None = None) -> Cosignature:
        """A cosignature/v1 of the checkpoint in ``note`` (its body as is)."""
        body, _ = split_note(note)
        ts = int(time.time()) if timestamp is None else timestamp
        sig = self.private_key.sign(cosignature_message(body, ts))
        return Cosignature(self.name, cosignature_key_id(self.name, self.public_key), ts, sig)

    def __repr__(self) -> str:
        return f"WitnessKey(name={self.name!r}, private_key=<hidden>)"


def generate_witness_key(name: str) -> WitnessKey:
    """A new witness key named ``name``."""
    try:
        check_note_name(name)
    except NoteError as exc:
        raise InputError(str(exc), field="--name") from None
    return WitnessKey(name, Ed25519PrivateKey.generate())


def write_witness_key(key: WitnessKey, path: Path, *, force: bool = False) -> None:
    """Write the witness's private key (JSON, mode 0600)."""
    raw = key.private_key.private_bytes_raw()
    body = {"format": KEY_FORMAT, "witness": key.name, "algorithm": "ed25519"}
    body["private_key"] = base64.b64encode(raw).decode()
    write_file_atomic(path, json.dumps(body, indent=2) + "\n", 0o600, force=force)


def read_witness_key(path: Path) -> WitnessKey:
    """Read a witness key file written by :func:`write_witness_key`."""
    data = read_json_object(path, "witness key file")
    if data.get("format") != KEY_FORMAT or not isinstance(data.get("witness"), str):
        raise InputError(f"not a {KEY_FORMAT} file", source=str(path), field="format")
    try:
        check_note_name(data["witness"])
        raw = base64.b64decode(str(data.get("private_key")), validate=True)
    except (NoteError, binascii.Error) as exc:
        raise InputError(f"bad witness key ({exc})", source=str(path)) from None
    if len(raw) != 32:
        raise InputError("expected 32 bytes", source=str(path), field="private_key")
    return WitnessKey(data["witness"], Ed25519PrivateKey.from_private_bytes(raw))


def read_vkey_file(path: Path) -> str:
    """A witness verifier key from a file (one line) or given directly as text."""
    text = str(path)
    if "+" in text and not path.exists():
        vkey = text
    else:
        try:
            vkey = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise InputError("file not found", source=text) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read ({exc})", source=text) from None
    try:
        parse_witness_vkey(vkey)
    except NoteError as exc:
        raise InputError(str(exc), source=text) from None
    return vkey


# --------------------------------------------------------------------------- witness state


@dataclass
class LogView:
    """What a witness has seen of one log: the largest consistent checkpoint it cosigned,
    every (size, root) it cosigned, and the log-signed checkpoints it refused."""

    origin: str
    log_vkey: str
    size: int
    root: bytes
    note: str  # the latest cosigned checkpoint: log signature and this witness's cosignature
    history: dict[int, bytes] = field(default_factory=dict)
    refused: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "log_vkey": self.log_vkey,
            "tree_size": self.size,
            "root_hash": base64.b64encode(self.root).decode(),
            "checkpoint": self.note,
            "history": {str(s): base64.b64encode(r).decode() for s, r in self.history.items()},
            "refused": self.refused,
        }

    @classmethod
    def from_json(cls, origin: str, d: dict[str, Any], src: str) -> LogView:
        try:
            return cls(
                origin,
                str(d["log_vkey"]),
                int(d["tree_size"]),
                base64.b64decode(d["root_hash"], validate=True),
                str(d["checkpoint"]),
                {int(s): base64.b64decode(r, validate=True) for s, r in d["history"].items()},
                [dict(x) for x in d.get("refused", [])],
            )
        except (KeyError, TypeError, ValueError, binascii.Error, AttributeError) as exc:
            raise InputError(f"damaged witness state ({exc})", source=src, field=origin) from None


@dataclass
class WitnessState:
    """A witness's state file: its name and verifier key, and one :class:`LogView` per log."""

    path: Path
    witness: str
    vkey: str
    logs: dict[str, LogView] = field(default_factory=dict)

    @classmethod
    def create(cls, path: Path, key: WitnessKey, *, force: bool = False) -> WitnessState:
        if path.exists() and not force:
            raise InputError("file exists; use --force to start a new state", source=str(path))
        state = cls(path, key.name, key.vkey)
        state.save()
        return state

    @classmethod
    def load(cls, path: Path) -> WitnessState:
        data = read_json_object(path, "witness state")
        if data.get("format") != STATE_FORMAT:
            raise InputError(f"not a {STATE_FORMAT} file", source=str(path), field="format")
        logs = data.get("logs")
        if not isinstance(logs, dict):
            raise InputError("damaged witness state", source=str(path), field="logs")
        return cls(
            path,
            str(data.get("witness")),
            str(data.get("vkey")),
            {o: LogView.from_json(o, v, str(path)) for o, v in logs.items()},
        )

    def save(self) -> None:
        body = {
            "format": STATE_FORMAT,
            "witness": self.witness,
            "vkey": self.vkey,
            "logs": {o: v.to_json() for o, v in sorted(self.logs.items())},
        }
        write_file_atomic(self.path, json.dumps(body, indent=2) + "\n", 0o644, force=True)


@dataclass(frozen=True)
class CosignResult:
    """What a witness did with a checkpoint: ``note`` is the checkpoint with the new
    cosignature line; ``old_size`` the size it had seen before (None: first sight)."""

    note: str
    checkpoint: Checkpoint
    cosignature: Cosignature
    old_size: int | None


def cosign_checkpoint(
    state: WitnessState,
    key: WitnessKey,
    note: str,
    *,
    log_vkey: str,
    proof: Sequence[bytes] | None = None,
    timestamp: int | None = None,
) -> CosignResult:
    """Check ``note`` (a log-signed checkpoint) against what this witness saw, cosign it and
    save the state.

    The log key must be the one the witness pinned for the origin (the first checkpoint seen
    of a log pins it). A checkpoint larger than the one seen needs the RFC 9162 consistency
    ``proof`` from the seen size; one of the seen size must have the same root; a smaller one
    is refused. A refused checkpoint is kept in the state (it is signed evidence) and
    :class:`CheckFailed` says why.
    """
    if key.vkey != state.vkey:
        raise InputError("this witness key does not belong to this witness state")
    try:
        origin = parse_checkpoint(split_note(note)[0]).origin
    except NoteError as exc:
        raise InputError(f"not a checkpoint: {exc}", field="checkpoint") from None
    pinned = state.logs.get(origin)
    if pinned is not None and pinned.log_vkey != log_vkey:
        raise CheckFailed(
            f"log {origin}: the witness pinned the log key {pinned.log_vkey}, not {log_vkey}"
        )
    try:
        cp = verify_checkpoint(note, log_vkey)
    except NoteError as exc:
        raise CheckFailed(f"checkpoint does not verify with the log key: {exc}") from None
    body, _ = split_note(note)
    log_only = (
        body + "\n" + "\n".join(ln for ln in split_note(note)[1] if not _is_cosignature(ln)) + "\n"
    )
    view = state.logs.get(cp.origin)
    if view is not None and view.log_vkey != log_vkey:
        raise CheckFailed(
            f"log {cp.origin}: the witness pinned the log key {view.log_vkey}, not {log_vkey}"
        )
    old_size = None if view is None else view.size
    if view is not None:
        reason = _inconsistency(view, cp, proof)
        if reason is not None:
            view.refused.append({"note": log_only, "reason": reason, "time": str(int(time.time()))})
            state.save()
            raise CheckFailed(f"log {cp.origin}: refused to cosign: {reason}")
    cos = key.cosign(log_only, timestamp)
    cosigned = with_lines(log_only, [cos.line])
    if view is None:
        view = state.logs[cp.origin] = LogView(cp.origin, log_vkey, cp.size, cp.root_hash, cosigned)
    view.size, view.root, view.note = cp.size, cp.root_hash, cosigned
    view.history[cp.size] = cp.root_hash
    state.save()
    return CosignResult(cosigned, cp, cos, old_size)


def _is_cosignature(line: str) -> bool:
    try:
        Cosignature.from_line(line)
    except NoteError:
        return False
    return True


def _inconsistency(view: LogView, cp: Checkpoint, proof: Sequence[bytes] | None) -> str | None:
    """Why ``cp`` is not consistent with what the witness saw, or None when it is."""
    seen = view.history.get(cp.size)
    if seen is not None and seen != cp.root_hash:
        return (
            f"it already cosigned size {cp.size} with root {seen.hex()}; this checkpoint of "
            f"the same size has root {cp.root_hash.hex()} (split view or rewritten history)"
        )
    if cp.size < view.size:
        return f"tree size {cp.size} is smaller than the size {view.size} it already saw"
    if cp.size == view.size:
        return None if cp.root_hash == view.root else "same size, different root"
    if view.size == 0:  # the empty tree is a prefix of every tree (RFC 9162 §2.1.4)
        return None if view.root == EMPTY_ROOT else "the empty tree it saw has a wrong root"
    if proof is None:
        return (
            f"no consistency proof from the size it saw ({view.size}) to {cp.size}; "
            "give one (--proof or --ledger)"
        )
    try:
        verify_consistency(view.size, cp.size, proof, view.root, cp.root_hash)
    except ProofError as exc:
        return (
            f"the consistency proof from size {view.size} (root {view.root.hex()}) to "
            f"{cp.size} (root {cp.root_hash.hex()}) does not verify: {exc}"
        )
    return None


@dataclass(frozen=True)
class SplitView:
    """Two witnesses cosigned checkpoints of one log and size with different roots."""

    origin: str
    size: int
    root_a: bytes
    root_b: bytes
    witness_a: str
    witness_b: str

    def __str__(self) -> str:
        return (
            f"split view of log {self.origin} at tree size {self.size}: {self.witness_a} saw "
            f"root {self.root_a.hex()}, {self.witness_b} saw root {self.root_b.hex()}"
        )


def compare_states(a: WitnessState, b: WitnessState) -> list[SplitView]:
    """Every split view between two witnesses: a log and tree size both cosigned with
    different roots (including checkpoints either refused, which are log-signed too)."""
    out = []
    for origin in sorted(set(a.logs) & set(b.logs)):
        va, vb = a.logs[origin], b.logs[origin]
        seen_a = dict(va.history)
        seen_b = dict(vb.history)
        for view, seen in ((va, seen_a), (vb, seen_b)):
            for r in view.refused:
                try:
                    cp = parse_checkpoint(split_note(r["note"])[0])
                except (NoteError, KeyError):
                    continue
                seen.setdefault(cp.size, cp.root_hash)
        for size in sorted(set(seen_a) & set(seen_b)):
            if seen_a[size] != seen_b[size]:
                out.append(
                    SplitView(origin, size, seen_a[size], seen_b[size], a.witness, b.witness)
                )
    return out
