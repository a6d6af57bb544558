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
database without the log key is caught by the stored checkpoints; an operator who holds the log
key and rewrites history is caught by any checkpoint a party kept earlier
(``verify_bundle(..., known_checkpoints=...)`` / ``cvid ledger verify --bundle --known``).
The same signed record submitted twice becomes two entries; consumers that count evidence
should treat equal leaf hashes as one record.
"""

from __future__ import annotations

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
