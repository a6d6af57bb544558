"""What the ledger hands out: stored entries, proofs and audit reports (frozen dataclasses)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One record of the log with its index, who signed it and whether that was checked.

    ``record`` is the signed record as stored (a JSON object); ``data`` its canonical bytes
    (the Merkle leaf data) and ``leaf_hash`` their RFC 9162 leaf hash. ``verified`` is true when
    the leaf hash, the signature and the signer's registration and role were checked on read.
    """

    index: int
    record: dict[str, Any]
    data: bytes
    leaf_hash: bytes
    verified: bool

    @property
    def kind(self) -> str:
        return str(self.record["kind"])

    @property
    def agreement(self) -> str:
        return str(self.record["agreement"])

    @property
    def time(self) -> datetime:
        """When the recorded event happened (UTC)."""
        return datetime.fromisoformat(str(self.record["time"])).astimezone(UTC)

    @property
    def refs(self) -> dict[str, list[str]]:
        """Commitment ids and program item ids: ``{"commitments": [...], "items": [...]}``."""
        refs = self.record["refs"]
        return {
            "commitments": list(refs.get("commitments", [])),
            "items": list(refs.get("items", [])),
        }

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.record["payload"])

    @property
    def attachments(self) -> list[dict[str, str]]:
        return [dict(a) for a in self.record.get("attachments", [])]

    @property
    def signer(self) -> str:
        """Name of the registered party that signed the record."""
        return str(self.record["signer"]["name"])

    @property
    def role(self) -> str:
        """Role of the signer (inspectorate, state, observer, admin)."""
        return str(self.record["signer"]["role"])

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``cvid ledger show``."""
        return {
            "index": self.index,
            "leaf_hash": self.leaf_hash.hex(),
            "verified": self.verified,
            "signer": self.signer,
            "role": self.role,
            "record": self.record,
        }

    @classmethod
    def from_data(cls, index: int, data: bytes, leaf: bytes, *, verified: bool) -> Entry:
        return cls(index, json.loads(data), data, leaf, verified)


@dataclass(frozen=True)
class InclusionProof:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``tree_size``."""

    index: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"index", "tree_size", "leaf_hash", "root_hash", "proof": [hex, ...]}``."""
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "root_hash": self.root_hash.hex(),
            "proof": [p.hex() for p in self.proof],
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 consistency proof between tree sizes ``old_size`` and ``new_size``."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"old_size", "new_size", "old_root", "new_root", "proof": [hex, ...]}``."""
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
            "proof": [p.hex() for p in self.proof],
        }


@dataclass(frozen=True)
class Problem:
    """One thing an audit found wrong: where (a record, node, checkpoint, row) and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class AuditReport:
    """Result of ``verify``: what was checked and every problem found (first one first)."""

    source: str
    tree_size: int = 0
    root_hash: bytes = b""
    records: int = 0
    signatures: int = 0
    nodes: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    max_problems: int = 100
    #: With a witness policy: the policy ("k of n") and the largest checkpoint meeting it.
    quorum: str | None = None
    witnessed_size: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, what: str) -> None:
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(where, what))

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``cvid ledger verify``."""
        return {
            "ok": self.ok,
            "source": self.source,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "records_checked": self.records,
            "signatures_checked": self.signatures,
            "nodes_checked": self.nodes,
            "checkpoints_checked": self.checkpoints,
            "witness_quorum": self.quorum,
            "witnessed_size": self.witnessed_size,
            "problems": [{"where": p.where, "what": p.what} for p in self.problems],
        }
