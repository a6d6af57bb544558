"""``/ledger``: the signed evidence log: its head and checkpoints, records, proofs, witnesses'
cosignatures, the record kinds' schemas and the full audit."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from cvid.ledger import KIND_SIGNERS, Ledger, parse_checkpoint, record_schema
from cvid.web.models import (
    AppendIn,
    AppendOut,
    CheckpointOut,
    ConsistencyOut,
    CosignatureIn,
    CosignatureOut,
    InclusionOut,
    LedgerAuditOut,
    LedgerOut,
    RecordDataOut,
    RecordOut,
    RecordsOut,
)
from cvid.web.routes.deps import MAX_INDEX, Index, Svc, Who
from cvid.web.security import SECRETS
from cvid.web.service import Forbidden, NotFound

router = APIRouter(prefix="/ledger", tags=["ledger"])
Size = Annotated[int, Query(ge=1, le=MAX_INDEX)]


def _body(note: str) -> str:
    """The checkpoint text of a signed note (up to the blank line before the signatures)."""
    return note[: note.rfind("\n\n") + 1]


@router.get("", response_model=LedgerOut)
async def ledger_info(svc: Svc) -> LedgerOut:
    """The log's origin, verifier key, size and root, and which roles may sign each kind."""
    note = await svc.aon_ledger(lambda led: led.checkpoint())
    cp = parse_checkpoint(_body(note))
    return LedgerOut(
        origin=svc.origin,
        verifier_key=svc.verifier_key,
        tree_size=cp.size,
        root_hash=cp.root_hash.hex(),
        kinds={k: sorted(str(r) for r in v) for k, v in KIND_SIGNERS.items()},
    )


@router.get(
    "/kinds/{kind}/schema",
    response_model=dict[str, Any],
    responses={200: {"description": "A JSON Schema (draft 2020-12) of the record kind"}},
)
def kind_schema(kind: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
    """The JSON Schema of an unsigned record of ``kind`` (a schema document: free-form)."""
    if kind not in KIND_SIGNERS:
        raise NotFound(f"no record kind {kind!r}; one of {', '.join(KIND_SIGNERS)}")
    return record_schema(kind)


@router.get("/checkpoint", response_model=CheckpointOut)
async def checkpoint(svc: Svc) -> CheckpointOut:
    """The latest signed checkpoint (C2SP signed note, with the witnesses' C2SP
    tlog-cosignature lines) and its parsed contents; ``cosignatures`` of it, and
    ``witnessed``: the largest checkpoint any witness cosigned (or null)."""
    view = await svc.aon_ledger(lambda led: led.witness_view())
    note = view["note"]
    cp = parse_checkpoint(_body(note))
    return CheckpointOut.model_validate(
        {
            "note": note,
            "origin": cp.origin,
            "tree_size": cp.size,
            "root_hash": cp.root_hash.hex(),
            "verifier_key": svc.verifier_key,
            "cosignatures": view["cosignatures"],
            "witnessed": view["witnessed"],
        }
    )


@router.post(
    "/cosignatures",
    status_code=201,
    response_model=CosignatureOut,
    responses={409: {"description": "a split view: the evidence is kept"}},
)
def add_cosignature(body: CosignatureIn, svc: Svc, who: Who, request: Request) -> CosignatureOut:
    """Store a witness's C2SP cosignature of one of this log's checkpoints (any party may
    bring it; it must verify). A checkpoint this log signed with another root for a size
    it holds is a split view: kept as evidence, shown on the dashboard, answered 409."""
    out = svc.add_cosignature(body.checkpoint, body.witness_key, who)
    request.state.audit = f"cosignature by {out['witness']} of size {out['tree_size']}"
    return CosignatureOut.model_validate(out)


@router.get("/records", response_model=RecordsOut)
async def list_records(
    svc: Svc,
    start: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RecordsOut:
    """Records ``start`` .. ``start+limit-1``, each with its signature checked."""

    def read(led: Ledger) -> tuple[int, list[dict[str, Any]]]:
        size = led.size
        return size, [e.to_json() for e in led.records(start, min(start + limit, size))]

    size, entries = await svc.aon_ledger(read)
    return RecordsOut(
        tree_size=size, start=start, records=[RecordOut.model_validate(e) for e in entries]
    )


@router.post("/records", status_code=201, response_model=AppendOut)
def append_records(body: AppendIn, svc: Svc, who: Who, request: Request) -> AppendOut:
    """Append records signed with the caller's own key; the kinds its role may sign only.

    The response comes after the records are durably committed.
    """
    indices = svc.append(body.records, who)
    request.state.audit = f"appended records {indices[0]}..{indices[-1]}"
    return AppendOut(indices=indices, tree_size=indices[-1] + 1)


@router.get("/records/{index}", response_model=RecordDataOut)
async def get_record(index: Index, svc: Svc) -> RecordDataOut:
    """One record, its signature checked, with its canonical bytes (base64) and leaf hash."""
    e = await svc.aon_ledger(lambda led: led.get(index))
    return RecordDataOut.model_validate({**e.to_json(), "data": base64.b64encode(e.data).decode()})


@router.get("/records/{index}/inclusion", response_model=InclusionOut)
async def inclusion(index: Index, svc: Svc, tree_size: Size | None = None) -> InclusionOut:
    """RFC 9162 inclusion proof of the record in the tree of ``tree_size`` (default: now)."""
    proof = await svc.aon_ledger(lambda led: led.inclusion_proof(index, tree_size))
    return InclusionOut.model_validate(proof.to_json())


@router.get("/consistency", response_model=ConsistencyOut)
async def consistency(svc: Svc, old: Size, new: Size | None = None) -> ConsistencyOut:
    """RFC 9162 consistency proof from tree size ``old`` to ``new`` (default: now)."""
    proof = await svc.aon_ledger(lambda led: led.consistency_proof(old, new))
    return ConsistencyOut.model_validate(proof.to_json())


@router.get("/audit", response_model=LedgerAuditOut)
def ledger_audit(svc: Svc, who: Who) -> LedgerAuditOut:
    """Recompute and check every hash, signature and checkpoint (admin, observer)."""
    if not who.may("audit.read"):
        raise Forbidden(f"a {who.role} may not run the full ledger audit")
    report = svc.ledger.audit().to_json()
    report["source"] = svc.display_url  # never the password of the database URL
    return LedgerAuditOut.model_validate(SECRETS.json(report))
