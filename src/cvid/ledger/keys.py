"""Ed25519 keys of the parties and of the log, and their files.

A party key file ``NAME.key`` (JSON, mode 0600) holds the party's name, role and raw private key;
``NAME.pub`` holds the same without the private key and is what ``cvid ledger register`` admits.
The log's own key (it signs checkpoints) has the same form with role ``log``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cvid.errors import InputError

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}\Z")
ALGORITHM = "ed25519"


class Role(StrEnum):
    """What a party is in the agreement; it decides which record kinds it may sign."""

    INSPECTORATE = "inspectorate"
    STATE = "state"
    OBSERVER = "observer"
    ADMIN = "admin"


LOG_ROLE = "log"


def check_party_name(name: str, *, source: str | None = None) -> str:
    """A party name is 1-64 characters of a-z, 0-9, '.', '_' or '-' (it becomes a file name)."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(
            "a party name is 1-64 characters a-z 0-9 . _ - starting with a letter or digit",
            source=source,
            field="party",
        )
    return name


def parse_role(role: str, *, source: str | None = None) -> Role:
    """The :class:`Role` named ``role``, or an :class:`InputError` listing the valid ones."""
    try:
        return Role(role)
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise InputError(
            f"unknown role {role!r}; one of {valid}", source=source, field="role"
        ) from None


def b64(data: bytes) -> str:
    """Standard base64 text of bytes."""
    return base64.b64encode(data).decode()


def unb64(text: object, size: int, *, source: str | None, field: str) -> bytes:
    """Decode standard base64 of exactly ``size`` bytes, or raise :class:`InputError`."""
    if not isinstance(text, str):
        raise InputError("expected a base64 string", source=source, field=field)
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise InputError("not valid base64", source=source, field=field) from None
    if len(raw) != size:
        raise InputError(f"expected {size} bytes, got {len(raw)}", source=source, field=field)
    return raw


@dataclass(frozen=True)
class PartyPublicKey:
    """A party's name, role and Ed25519 public key (32 raw bytes)."""

    name: str
    role: str
    public_key: bytes

    @cached_property
    def public_key_b64(self) -> str:
        """The public key in base64, as records carry it."""
        return b64(self.public_key)

    @cached_property
    def verifier(self) -> Ed25519PublicKey:
        """The key as a ``cryptography`` verifier (made once)."""
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def to_json(self) -> dict[str, str]:
        """The content of a ``.pub`` file."""
        return {
            "party": self.name,
            "role": self.role,
            "algorithm": ALGORITHM,
            "public_key": b64(self.public_key),
        }


@dataclass(frozen=True)
class PartyKey:
    """A party's (or the log's) private signing key with its name and role. Never printed."""

    name: str
    role: str
    private_key: Ed25519PrivateKey

    @property
    def public(self) -> PartyPublicKey:
        """The public half, as registered in a ledger."""
        return PartyPublicKey(
            self.name, self.role, self.private_key.public_key().public_bytes_raw()
        )

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature of ``message``."""
        return self.private_key.sign(message)

    def __repr__(self) -> str:
        return f"PartyKey(name={self.name!r}, role={self.role!r}, private_key=<hidden>)"


def generate_party_key(name: str, role: str) -> PartyKey:
    """A new Ed25519 key for party ``name`` with ``role`` (inspectorate, state, observer, admin)."""
    check_party_name(name)
    return PartyKey(name, parse_role(role).value, Ed25519PrivateKey.generate())


def generate_log_key(name: str) -> PartyKey:
    """A new Ed25519 key for the log that signs checkpoints under the note key name ``name``."""
    return PartyKey(name, LOG_ROLE, Ed25519PrivateKey.generate())


def write_file_atomic(path: Path, text: str, mode: int, *, force: bool = False) -> None:
    """Write a file atomically (a temporary file, fsync, rename) with ``mode``; refuse to
    replace an existing one unless ``force``. For key and witness-state files."""
    if path.exists() and not force:
        raise InputError("file exists; use --force to overwrite", source=str(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in the file ``path`` (a ``what``: "JSON key file", "witness state"…),
    or an :class:`InputError` naming the file and why it cannot be read as one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a readable {what} ({exc})", source=str(path)) from None
    if not isinstance(data, dict):
        raise InputError(f"not a {what}: it does not hold a JSON object", source=str(path))
    return data


def write_private_key(key: PartyKey, path: Path, *, force: bool = False) -> None:
    """Write a private key file readable by its owner only (mode 0600)."""
    body = {
        "party": key.name,
        "role": key.role,
        "algorithm": ALGORITHM,
        "private_key": b64(key.private_key.private_bytes_raw()),
    }
    write_file_atomic(path, json.dumps(body, indent=2) + "\n", 0o600, force=force)


def write_public_key(key: PartyPublicKey, path: Path, *, force: bool = False) -> None:
    """Write a public key file."""
    write_file_atomic(path, json.dumps(key.to_json(), indent=2) + "\n", 0o644, force=force)


def _read_json(path: Path) -> dict[str, Any]:
    data = read_json_object(path, "JSON key file")
    if data.get("algorithm") != ALGORITHM:
        raise InputError(f"algorithm must be {ALGORITHM!r}", source=str(path), field="algorithm")
    return data


def _name_role(data: dict[str, Any], src: str, *, log: bool) -> tuple[str, str]:
    name = data.get("party")
    role = data.get("role")
    if log:
        if role != LOG_ROLE or not isinstance(name, str) or not name:
            raise InputError("not a log key file", source=src, field="role")
        return name, LOG_ROLE
    check_party_name(str(name), source=src)
    return str(name), parse_role(str(role), source=src).value


def read_private_key(path: Path, *, log: bool = False) -> PartyKey:
    """Read a ``.key`` file written by :func:`write_private_key`."""
    data = _read_json(path)
    name, role = _name_role(data, str(path), log=log)
    raw = unb64(data.get("private_key"), 32, source=str(path), field="private_key")
    return PartyKey(name, role, Ed25519PrivateKey.from_private_bytes(raw))


def read_public_key(path: Path) -> PartyPublicKey:
    """Read a ``.pub`` file written by :func:`write_public_key`."""
    data = _read_json(path)
    if "private_key" in data:
        raise InputError("this is a private key; register the .pub file", source=str(path))
    name, role = _name_role(data, str(path), log=False)
    raw = unb64(data.get("public_key"), 32, source=str(path), field="public_key")
    return PartyPublicKey(name, role, raw)
