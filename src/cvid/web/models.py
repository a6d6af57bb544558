"""The request bodies and response models of the REST API (``/api/v1``).

Responses that are cvid results are the results themselves (:class:`cvid.assess.Assessment`,
:class:`cvid.compliance.ComplianceState`, :class:`cvid.negotiate.SimulationResult`); the
service's own rows (parties, scenarios, jobs, ledger views) are the small frozen ``*Out``
models here. Every ``*Out`` refuses unknown fields, so a row that gains a column fails the
tests instead of leaving the OpenAPI document silently behind.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cvid.assess.result import Assessment
from cvid.negotiate import SimulationResult

Role = Literal["inspectorate", "state", "observer", "admin"]


# ------------------------------------------------------------------------- requests
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioIn(_In):
    """A scenario file's TOML text."""

    toml: str = Field(
        max_length=512_000, description="The scenario, TOML (see `cvid scenario schema`)"
    )


class PartyIn(_In):
    """A new party: its name, role and (optional) Ed25519 public key, base64 of 32 bytes."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    role: Role
    public_key: str | None = Field(default=None, min_length=44, max_length=44)


class KeyIn(_In):
    """An Ed25519 public key, base64 of its 32 bytes."""

    public_key: str = Field(min_length=44, max_length=44)


class AppendIn(_In):
    """Records signed by the caller's own key (see ``cvid.ledger.sign_record``)."""

    records: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class SimulationIn(_In):
    """What to simulate: strategy names (default: all), runs, months and seed."""

    strategies: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=20
    )
    runs: int = Field(default=2000, ge=1, le=200_000)
    months: int = Field(default=60, ge=1, le=600)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)


class CosignatureIn(_In):
    """A witness's cosignature: the checkpoint note with its C2SP cosignature line, and the
    witness's cosignature/v1 verifier key."""

    checkpoint: str = Field(min_length=1, max_length=20_000)
    witness_key: str = Field(min_length=5, max_length=500)


# ------------------------------------------------------------------------- responses
class Out(BaseModel):
    """Base of the API's own response models: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class HealthOut(Out):
    """Liveness."""

    ok: bool
    tree_size: int


class MeOut(Out):
    """The caller: name, role, registered key, rights and the record kinds it may sign."""

    name: str
    role: str
    public_key: str | None
    rights: list[str]
    may_sign: list[str]


# ---------------------------------------------------------------- parties
class PartyOut(Out):
    """A party of the service (its token is never shown again)."""

    name: str
    role: Role
    public_key: str | None = Field(description="Ed25519 public key, base64 of 32 bytes")
    created: str = Field(description="UTC time, ISO 8601")
    created_by: str


class NewPartyOut(PartyOut):
    """A party just created, with its API token (shown in this response only)."""

    token: str


class TokenOut(Out):
    """A party's new API token (shown in this response only)."""

    name: str
    token: str


# ---------------------------------------------------------------- scenarios
class ProblemOut(Out):
    """One problem of a scenario: the field and why."""

    field: str
    reason: str


class ValidationOut(Out):
    """Whether scenario TOML is valid; its name and title when it is."""

    valid: bool
    name: str | None = Field(default=None, exclude_if=lambda v: v is None)
    title: str | None = Field(default=None, exclude_if=lambda v: v is None)
    problems: list[ProblemOut]


class ScenarioOut(Out):
    """A stored scenario (without its TOML)."""

    id: int
    name: str
    title: str
    uploaded_by: str
    uploaded: str = Field(description="UTC time, ISO 8601")


class AssessmentRowOut(Out):
    """A stored assessment, without its result."""

    id: int
    scenario_id: int
    overall: Literal["pass", "warn", "fail"]
    created_by: str
    created: str = Field(description="UTC time, ISO 8601")
    report_ready: bool = Field(description="True once its HTML report is rendered")


class AssessmentOut(AssessmentRowOut):
    """A stored assessment with its result (the JSON of ``cvid assess --json``)."""

    result: Assessment


class ScenarioDetailOut(ScenarioOut):
    """A stored scenario with its TOML text and its assessments (newest first)."""

    toml: str
    assessments: list[AssessmentRowOut]


# ---------------------------------------------------------------- simulations
class SimulationParamsOut(Out):
    """What a simulation job runs: strategies (None: all of the scenario's), runs, months
    and seed."""

    strategies: list[str] | None
    runs: int
    months: int
    seed: int


class JobOut(Out):
    """A simulation job: its status, progress (0–1) and, when done, the result of
    :func:`cvid.negotiate.simulate`; ``error`` says why a failed job failed."""

    id: int
    scenario_id: int
    params: SimulationParamsOut
    status: Literal["queued", "running", "done", "failed"]
    done: int = Field(description="runs finished")
    total: int = Field(description="runs to do: runs × strategies")
    progress: float = Field(ge=0, le=1)
    result: SimulationResult | None
    error: str | None
    created_by: str
    created: str = Field(description="UTC time, ISO 8601")
    finished: str | None = Field(description="UTC time, ISO 8601")


# ---------------------------------------------------------------- ledger
class LedgerOut(Out):
    """The log's identity and head, and which roles may sign each record kind."""

    origin: str
    verifier_key: str
    tree_size: int
    root_hash: str = Field(description="hex SHA-256")
    kinds: dict[str, list[str]]


class CosignatureOut(Out):
    """A stored cosignature: the tree size it is for and the witness's name."""

    tree_size: int
    witness: str


class CosignatureLineOut(Out):
    """A witness's cosignature of a checkpoint (C2SP tlog-cosignature) as stored: the
    witness's name, key id, timestamp (seconds since 1970), verifier key and note line."""

    witness: str
    key_id: str
    timestamp: int
    vkey: str
    line: str


class WitnessedOut(Out):
    """The largest checkpoint a witness cosigned: the note with its cosignature lines."""

    note: str
    tree_size: int
    cosignatures: list[CosignatureLineOut]


class CheckpointOut(Out):
    """The latest signed checkpoint (C2SP signed note with its cosignature lines), parsed,
    with its cosignatures and the largest checkpoint any witness cosigned (or None)."""

    note: str
    origin: str
    tree_size: int
    root_hash: str = Field(description="hex SHA-256")
    verifier_key: str
    cosignatures: list[CosignatureLineOut]
    witnessed: WitnessedOut | None


class RecordOut(Out):
    """A ledger record (``cvid ledger show``): its index, leaf hash (hex), whether its
    signature was checked and held, its signer and role, and the signed record."""

    index: int
    leaf_hash: str
    verified: bool
    signer: str
    role: str
    record: dict[str, Any] = Field(description="The signed record (see /ledger/kinds/{kind})")


class RecordDataOut(RecordOut):
    """A ledger record with its canonical bytes (base64), the bytes its leaf hash is of."""

    data: str


class RecordsOut(Out):
    """A page of records: the tree size, the first index and the records."""

    tree_size: int
    start: int
    records: list[RecordOut]


class AppendOut(Out):
    """The indices the appended records got, and the tree size after them."""

    indices: list[int]
    tree_size: int


class InclusionOut(Out):
    """RFC 9162 inclusion proof of record ``index`` in the tree of ``tree_size`` (hex)."""

    index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyOut(Out):
    """RFC 9162 consistency proof from tree size ``old_size`` to ``new_size`` (hex)."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class AuditProblemOut(Out):
    """One thing the ledger audit found wrong: where and what."""

    where: str
    what: str


class LedgerAuditOut(Out):
    """The full ledger audit (``cvid ledger verify``): what was checked and every problem."""

    ok: bool
    source: str = Field(description="The database (its password never shown)")
    tree_size: int
    root_hash: str
    records_checked: int
    signatures_checked: int
    nodes_checked: int
    checkpoints_checked: int
    witness_quorum: str | None
    witnessed_size: int | None
    problems: list[AuditProblemOut]


# ---------------------------------------------------------------- beliefs
class DemandOut(Out):
    """A commitment to demand next, with the information its outcome would give."""

    commitment: str
    kind: str
    hard: bool
    information_bits: float = Field(description="expected information gain, bits")
    completion_probability: dict[str, float] = Field(
        description="by counterpart type: probability of completing it within a month"
    )
    reason: str


class MoverOut(Out):
    """A record that moved the posterior, and by how much (total variation distance)."""

    index: int
    time: str
    kind: str
    commitments: list[str]
    acts: list[str]
    posterior: dict[str, float]
    shift: float
    silence_shift: float


class BeliefsOut(Out):
    """The posterior over the counterpart's types from the ledger (``cvid.compliance.beliefs``);
    ``model_defaults`` is true when the scenario gives no ``[counterpart]`` (the prior and
    likelihoods are the built-in defaults)."""

    scenario: str
    types: list[str]
    prior: dict[str, float]
    posterior: dict[str, float]
    most_likely: str
    records: int
    movers: list[MoverOut]
    next_demands: list[DemandOut]
    levels: dict[str, str]
    model_defaults: bool


# ---------------------------------------------------------------- audit log
class AuditLineOut(Out):
    """One line of the service's audit log of writes."""

    id: int
    time: str = Field(description="UTC time, ISO 8601")
    party: str | None
    role: str | None
    client: str
    method: str
    path: str
    status: int
    detail: str


__all__ = [
    "AppendIn",
    "AppendOut",
    "AssessmentOut",
    "AssessmentRowOut",
    "AuditLineOut",
    "AuditProblemOut",
    "BeliefsOut",
    "CheckpointOut",
    "ConsistencyOut",
    "CosignatureIn",
    "CosignatureLineOut",
    "CosignatureOut",
    "DemandOut",
    "HealthOut",
    "InclusionOut",
    "JobOut",
    "KeyIn",
    "LedgerAuditOut",
    "LedgerOut",
    "MeOut",
    "MoverOut",
    "NewPartyOut",
    "Out",
    "PartyIn",
    "PartyOut",
    "ProblemOut",
    "RecordDataOut",
    "RecordOut",
    "RecordsOut",
    "ScenarioDetailOut",
    "ScenarioIn",
    "ScenarioOut",
    "SimulationIn",
    "SimulationParamsOut",
    "TokenOut",
    "ValidationOut",
    "WitnessedOut",
]
