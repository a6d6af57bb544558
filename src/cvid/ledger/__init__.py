"""The evidence ledger: an append-only, signed RFC 9162 Merkle-tree log of evidence records.

Typical use::

    from cvid.ledger import Ledger, generate_party_key

    iaea = generate_party_key("iaea", "inspectorate")
    with Ledger.create("evidence.db") as led:          # or Ledger.open("postgresql://...")
        led.register(iaea.public)
        [i] = led.append({"kind": "inspection", ...}, iaea)
        for entry in led.records():                     # each signature checked on read
            print(entry.index, entry.kind, entry.signer, entry.role)
        proof = led.inclusion_proof(i)
        verify_inclusion(proof.leaf_hash, i, proof.tree_size, proof.proof, proof.root_hash)

Records are RFC 8785 canonical JSON, signed (Ed25519) by the party that submits them; the
roles allowed to sign each kind are :data:`KIND_SIGNERS`. The log follows RFC 9162 and signs a
C2SP checkpoint per appended batch; :meth:`Ledger.audit` recomputes and checks everything.

Trust model: a party's private key never enters the ledger (only its public key and role);
the log's private key lives in a file beside a SQLite ledger (``<file>.logkey``, mode 0600) or
where ``--log-key``/``$CVID_LEDGER_LOG_KEY`` say, never in the database. Someone who edits the
database without the log key is caught by the stored checkpoints, and every append refuses to
sign until the stored tree is again the one the log signed: it checks the tree against the
latest signed checkpoint, the one before it (sequence numbers: no checkpoint row may be
missing) and the signer's own record of what it last signed (``<log key>.signed``), by RFC 9162
consistency proofs from stored nodes (O(log n) reads), so the log never signs two checkpoints
of one size with different roots. An operator who holds the log key and rewrites history is
caught by any checkpoint a party kept earlier (``audit(known_checkpoints=...)``,
``cvid ledger verify --known``) and by witnesses: :mod:`cvid.ledger.witness` cosigns only
checkpoints consistent with what each witness saw (C2SP tlog-cosignature), and two witnesses
comparing their states find a split view at once; ``audit(witnesses=..., quorum=k)`` is a
k-of-n witness policy.

Storage: one engine per database per process (:func:`acquire_engine`, shared with the service's
own tables); the SQLite file is only ever opened through SQLite, and a foreign, truncated or
damaged file, or a folder, is refused with an :class:`~cvid.errors.InputError`. The audit reads
one snapshot (SQLite: one read transaction; PostgreSQL: ``REPEATABLE READ READ ONLY``).
The same signed record submitted twice becomes two entries; consumers that count evidence
should treat equal leaf hashes as one record.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvid.ledger.bundle import verify_bundle
    from cvid.ledger.entry import AuditReport, ConsistencyProof, Entry, InclusionProof, Problem
    from cvid.ledger.keys import (
        PartyKey,
        PartyPublicKey,
        Role,
        generate_party_key,
        read_private_key,
        read_public_key,
        write_private_key,
        write_public_key,
    )
    from cvid.ledger.ledger import DEFAULT_BATCH, Ledger, acquire_engine, release_engine
    from cvid.ledger.merkle import (
        EMPTY_ROOT,
        ProofError,
        leaf_hash,
        node_hash,
        verify_consistency,
        verify_inclusion,
    )
    from cvid.ledger.note import Checkpoint, NoteError, parse_checkpoint, verify_checkpoint
    from cvid.ledger.records import (
        KIND_SIGNERS,
        KINDS,
        SOURCE_KIND_SIGNERS,
        SOURCE_KINDS,
        canonical_json,
        record_schema,
        sign_record,
    )

#: Public name → the module that defines it. The package imports a module only when one of its
#: names is first used, so ``cvid ledger proof`` does not load the record models (pydantic) or
#: the audit and bundle code it never runs.
_HOMES = {
    "AuditReport": "cvid.ledger.entry",
    "Checkpoint": "cvid.ledger.note",
    "ConsistencyProof": "cvid.ledger.entry",
    "DEFAULT_BATCH": "cvid.ledger.ledger",
    "EMPTY_ROOT": "cvid.ledger.merkle",
    "Entry": "cvid.ledger.entry",
    "InclusionProof": "cvid.ledger.entry",
    "KINDS": "cvid.ledger.records",
    "KIND_SIGNERS": "cvid.ledger.records",
    "Ledger": "cvid.ledger.ledger",
    "NoteError": "cvid.ledger.note",
    "PartyKey": "cvid.ledger.keys",
    "PartyPublicKey": "cvid.ledger.keys",
    "Problem": "cvid.ledger.entry",
    "ProofError": "cvid.ledger.merkle",
    "Role": "cvid.ledger.keys",
    "SOURCE_KINDS": "cvid.ledger.records",
    "SOURCE_KIND_SIGNERS": "cvid.ledger.records",
    "acquire_engine": "cvid.ledger.ledger",
    "canonical_json": "cvid.ledger.records",
    "generate_party_key": "cvid.ledger.keys",
    "leaf_hash": "cvid.ledger.merkle",
    "node_hash": "cvid.ledger.merkle",
    "parse_checkpoint": "cvid.ledger.note",
    "read_private_key": "cvid.ledger.keys",
    "read_public_key": "cvid.ledger.keys",
    "record_schema": "cvid.ledger.records",
    "release_engine": "cvid.ledger.ledger",
    "sign_record": "cvid.ledger.records",
    "verify_bundle": "cvid.ledger.bundle",
    "verify_checkpoint": "cvid.ledger.note",
    "verify_consistency": "cvid.ledger.merkle",
    "verify_inclusion": "cvid.ledger.merkle",
    "write_private_key": "cvid.ledger.keys",
    "write_public_key": "cvid.ledger.keys",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_BATCH",
    "EMPTY_ROOT",
    "KINDS",
    "KIND_SIGNERS",
    "SOURCE_KINDS",
    "SOURCE_KIND_SIGNERS",
    "AuditReport",
    "Checkpoint",
    "ConsistencyProof",
    "Entry",
    "InclusionProof",
    "Ledger",
    "NoteError",
    "PartyKey",
    "PartyPublicKey",
    "Problem",
    "ProofError",
    "Role",
    "acquire_engine",
    "canonical_json",
    "generate_party_key",
    "leaf_hash",
    "node_hash",
    "parse_checkpoint",
    "read_private_key",
    "read_public_key",
    "record_schema",
    "release_engine",
    "sign_record",
    "verify_bundle",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "write_private_key",
    "write_public_key",
]
