"""C2SP signed notes and transparency-log checkpoints with Ed25519 keys.

Sources: C2SP ``signed-note`` v1.0.0 (https://c2sp.org/signed-note): a note is UTF-8 text ending in
a newline, a blank line, then signature lines ``— <name> <base64(key ID ‖ signature)>``; the key
ID of an Ed25519 key is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key) and a
verifier key is written ``<name>+<hex key ID>+<base64(0x01 ‖ public key)>``. C2SP
``tlog-checkpoint`` v1.0.0 (https://c2sp.org/tlog-checkpoint): the note text is the origin line,
the decimal tree size, the base64 root hash, then optional extension lines. The Go reference is
``golang.org/x/mod/sumdb/note``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
_SIG_PREFIX = "\u2014 "  # em dash and a space
_NAME_RE = re.compile(r"^[^\s+]+\Z")
_SIZE_RE = re.compile(r"^(0|[1-9][0-9]{0,19})\Z")


class NoteError(ValueError):
    """A note, checkpoint or verifier key that is malformed or whose signature does not verify."""


def check_note_name(name: str) -> None:
    """A note key name is non-empty, without spaces or '+' (C2SP signed-note)."""
    if not name or not _NAME_RE.match(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


_check_name = check_note_name


def split_note(note: str) -> tuple[str, list[str]]:
    """A signed note's text (ending in a newline) and its signature lines."""
    if not note.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    return note[: cut + 1], note[cut + 2 :].splitlines()


def key_id(name: str, public_key: bytes, alg: int = ALG_ED25519) -> bytes:
    """The 4-byte key ID of a note key: SHA-256(name ‖ '\\n' ‖ alg ‖ key)[:4] (``alg`` 0x01 for
    an Ed25519 signer, 0x04 for an Ed25519 cosignature/v1 witness; C2SP signed-note)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


#: What each key type of a verifier key is called in errors.
_KEY_TYPES = {
    ALG_ED25519: "an Ed25519 key (type 0x01)",
    0x04: "an Ed25519 cosignature/v1 key (type 0x04)",
}


def verifier_key(name: str, public_key: bytes, alg: int = ALG_ED25519) -> str:
    """The verifier key string ``name+hexid+base64(alg ‖ key)`` that pins a note key (``alg``
    0x01 for a log or party signer, 0x04 for a witness's cosignatures)."""
    _check_name(name)
    raw = base64.b64encode(bytes([alg]) + public_key).decode()
    return f"{name}+{key_id(name, public_key, alg).hex()}+{raw}"


def parse_verifier_key(
    vkey: str, alg: int = ALG_ED25519, what: str = "verifier key"
) -> tuple[str, bytes]:
    """Split a verifier key of type ``alg`` into (name, 32-byte Ed25519 public key), checking
    its key ID; errors call it ``what``."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"a {what} has the form name+keyid+base64key")
    name, hexid, b64 = parts
    _check_name(name)
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hexid)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"{what} is not valid base64/hex: {exc}") from None
    if len(raw) != 33 or raw[0] != alg:
        raise NoteError(f"{what} is not {_KEY_TYPES.get(alg, f'of type {alg:#04x}')}")
    if len(kid) != 4 or key_id(name, raw[1:], alg) != kid:
        raise NoteError(f"{what} ID does not match its name and key")
    return name, raw[1:]


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign note ``text`` (which must end in a newline) and return the whole signed note."""
    _check_name(name)
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("note text must end in a newline and contain no blank line")
    public = private_key.public_key().public_bytes_raw()
    sig = private_key.sign(text.encode())
    return f"{text}\n{signature_line(name, key_id(name, public) + sig)}\n"


def signature_line(name: str, blob: bytes) -> str:
    """A note signature line: ``— name base64(blob)``."""
    return f"{_SIG_PREFIX}{name} {base64.b64encode(blob).decode()}"


def parse_signature_line(line: str) -> tuple[str, bytes]:
    """The signer's name and the decoded blob of a note signature line, or NoteError."""
    if not line.startswith(_SIG_PREFIX):
        raise NoteError(f"malformed signature line {line!r}")
    fields = line[len(_SIG_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise NoteError(f"malformed signature line {line!r}")
    try:
        return fields[0], strict_b64decode(fields[1])
    except binascii.Error:
        raise NoteError(f"signature line is not canonical base64: {line!r}") from None


def open_note(note: str, vkey: str) -> str:
    """Verify a signed note against a verifier key and return its text.

    The note must carry a signature line with the key's name and ID that verifies; other
    signatures (for example a witness's) are ignored.
    """
    name, public = parse_verifier_key(vkey)
    text, sigs = split_note(note)
    want = key_id(name, public)
    found = False
    for line in sigs:
        signer, blob = parse_signature_line(line)
        if signer != name or len(blob) != 68 or blob[:4] != want:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
        except InvalidSignature:
            raise NoteError(f"signature by {name} does not verify") from None
        found = True
    if not found:
        raise NoteError(f"note has no signature by the key {name}+{want.hex()}")
    return text


@dataclass(frozen=True)
class Checkpoint:
    """A log's state: its origin, tree size and root hash (C2SP tlog-checkpoint)."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body: origin, size and base64 root hash, one per line."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (the note text, without signatures)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin:
        raise NoteError("checkpoint origin is empty")
    if not _SIZE_RE.match(size):
        raise NoteError(f"checkpoint tree size {size!r} is not a decimal number")
    try:
        digest = strict_b64decode(root)
    except binascii.Error:
        raise NoteError("checkpoint root hash is not canonical base64") from None
    if len(digest) != 32:
        raise NoteError("checkpoint root hash is not 32 bytes")
    return Checkpoint(origin, int(size), digest, tuple(lines[3:-1]))


def strict_b64decode(text: str) -> bytes:
    """Standard base64 in its one canonical spelling: the padding bits of the last character
    must be zero, so that no two note texts carry the same signature or root (RFC 4648 §3.5)."""
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise binascii.Error("non-canonical base64 (nonzero padding bits)")
    return raw


SEQ_PREFIX = "cvid-seq "


def checkpoint_seq(cp: Checkpoint) -> int | None:
    """The sequence number a cvid log writes in each checkpoint (extension line
    ``cvid-seq N``: the N-th checkpoint the log signed, 0 for the empty tree), or None for a
    checkpoint without one (written before sequence numbers)."""
    for line in cp.extensions:
        if line.startswith(SEQ_PREFIX) and _SIZE_RE.match(line[len(SEQ_PREFIX) :]):
            return int(line[len(SEQ_PREFIX) :])
    return None


def sign_checkpoint(checkpoint: Checkpoint, name: str, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note."""
    return sign_note(checkpoint.text(), name, private_key)


def verify_checkpoint(note: str, vkey: str, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint against the log's verifier key; return its contents.

    If ``origin`` is given the checkpoint must name it (a checkpoint of another log is refused).
    """
    cp = parse_checkpoint(open_note(note, vkey))
    if origin is not None and cp.origin != origin:
        raise NoteError(f"checkpoint is for log {cp.origin!r}, not {origin!r}")
    return cp
