"""The REST API under ``/api/v1``: scenarios, assessments, simulations, the ledger, compliance,
parties and the audit log. Every route but ``/health`` needs ``Authorization: Bearer TOKEN``."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from cvid.compliance import ComplianceState
from cvid.errors import InputError
from cvid.ledger import KIND_SIGNERS, Ledger, parse_checkpoint, record_schema
from cvid.web.models import (
    AppendIn,
    AppendOut,
    AssessmentOut,
    AssessmentRowOut,
    AuditLineOut,
    BeliefsOut,
    CheckpointOut,
    ConsistencyOut,
    CosignatureIn,
    CosignatureOut,
    HealthOut,
    InclusionOut,
    JobOut,
    KeyIn,
    LedgerAuditOut,
    LedgerOut,
    MeOut,
    NewPartyOut,
    PartyIn,
    PartyOut,
    ProblemOut,
    RecordDataOut,
    RecordOut,
    RecordsOut,
    ScenarioDetailOut,
    ScenarioIn,
    ScenarioOut,
    SimulationIn,
    TokenOut,
    ValidationOut,
)
from cvid.web.security import SECRETS, Caller
from cvid.web.service import Forbidden, NotFound, NotReady, Service

MAX_INDEX = 2**53
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Index = Annotated[int, Path(ge=0, le=MAX_INDEX, description="0-based record index")]


async def service(request: Request) -> Service:
    """The service of this application."""
    svc: Service = request.app.state.service
    return svc


async def caller(request: Request) -> Caller:
    """The authenticated party (set by the authentication dependency of the router)."""
    c: Caller = request.state.caller
    return c


Svc = Annotated[Service, Depends(service)]
Who = Annotated[Caller, Depends(caller)]


def build_router(authenticate: Any) -> APIRouter:
    """The ``/api/v1`` router; ``authenticate`` is the dependency that sets the caller."""
    open_router = APIRouter(prefix="/api/v1")
    r = APIRouter(dependencies=[Depends(authenticate)])

    @open_router.get("/health", tags=["service"], response_model=HealthOut)
    def health(svc: Svc) -> HealthOut:
        """Liveness: the service answers and its ledger can be read (no token needed)."""
        return HealthOut(ok=True, tree_size=svc.ledger.size)

    # ---------------------------------------------------------------- parties
    @r.get("/me", tags=["parties"], response_model=MeOut)
    def me(who: Who) -> MeOut:
        """Who the token belongs to and what its role may do."""
        from cvid.web.security import RIGHTS

        return MeOut(
            name=who.name,
            role=who.role,
            public_key=who.public_key,
            rights=sorted(k for k, v in RIGHTS.items() if who.role in v),
            may_sign=sorted(k for k, v in KIND_SIGNERS.items() if who.role in v),
        )

    @r.get("/parties", tags=["parties"], response_model=list[PartyOut])
    def list_parties(svc: Svc) -> list[PartyOut]:
        """Every party: name, role, public key (tokens are never shown)."""
        return [PartyOut.model_validate(p) for p in svc.store.parties()]

    @r.post("/parties", status_code=201, tags=["parties"], response_model=NewPartyOut)
    def create_party(body: PartyIn, svc: Svc, who: Who, request: Request) -> NewPartyOut:
        """Create a party (admin only). The token is in this response only; keep it."""
        if not who.may("parties.write"):
            raise Forbidden(f"a {who.role} may not create parties")
        party, token = svc.add_party(body.name, body.role, body.public_key, who.name)
        request.state.audit = f"created party {body.name} ({body.role})"
        return NewPartyOut.model_validate({**party, "token": token})

    @r.post("/parties/{name}/token", tags=["parties"], response_model=TokenOut)
    def rotate_token(
        name: Annotated[str, Path(max_length=64)], svc: Svc, who: Who, request: Request
    ) -> TokenOut:
        """Replace a party's token (admin only); the old token stops working."""
        if not who.may("parties.write"):
            raise Forbidden(f"a {who.role} may not issue tokens")
        token = svc.rotate_token(name)
        request.state.audit = f"new token for {name}"
        return TokenOut(name=name, token=token)

    @r.post("/parties/{name}/key", tags=["parties"], response_model=PartyOut)
    def register_key(
        name: Annotated[str, Path(max_length=64)], body: KeyIn, svc: Svc, who: Who, request: Request
    ) -> PartyOut:
        """Register the Ed25519 public key of a party that has none yet (admin only), in the
        service and in the ledger under the party's name and role."""
        if not who.may("parties.write"):
            raise Forbidden(f"a {who.role} may not register keys")
        party = svc.register_key(name, body.public_key)
        request.state.audit = f"registered the key of {name}"
        return PartyOut.model_validate(party)

    # ---------------------------------------------------------------- scenarios
    @r.post("/scenarios/validate", tags=["scenarios"], response_model=ValidationOut)
    def validate_scenario(body: ScenarioIn) -> ValidationOut:
        """Check scenario TOML without storing it: ``valid`` and every problem found."""
        from cvid.scenario import ScenarioError

        try:
            s = Service.parse_scenario(body.toml)
        except ScenarioError as exc:
            problems = [ProblemOut(field=f, reason=m) for f, m in exc.problems]
            return ValidationOut(valid=False, problems=problems)
        return ValidationOut(valid=True, name=s.meta.name, title=s.meta.title, problems=[])

    @r.post("/scenarios", status_code=201, tags=["scenarios"], response_model=ScenarioOut)
    def upload_scenario(body: ScenarioIn, svc: Svc, who: Who, request: Request) -> ScenarioOut:
        """Upload a scenario (admin, inspectorate); it is validated first (422 with problems)."""
        row = svc.upload_scenario(body.toml, who)
        request.state.audit = f"uploaded scenario {row['id']} ({row['name']})"
        return ScenarioOut.model_validate(row)

    @r.get("/scenarios", tags=["scenarios"], response_model=list[ScenarioOut])
    def list_scenarios(svc: Svc) -> list[ScenarioOut]:
        """Every uploaded scenario, newest first."""
        return [ScenarioOut.model_validate(row) for row in svc.store.scenarios()]

    @r.get("/scenarios/{scenario_id}", tags=["scenarios"], response_model=ScenarioDetailOut)
    def get_scenario(scenario_id: Id, svc: Svc) -> ScenarioDetailOut:
        """One scenario with its TOML text and its assessments."""
        row = svc.scenario(scenario_id)
        return ScenarioDetailOut.model_validate(
            {**row, "assessments": svc.store.assessments(scenario_id)}
        )

    # ---------------------------------------------------------------- assessments
    @r.post(
        "/scenarios/{scenario_id}/assessments",
        status_code=201,
        tags=["assessments"],
        response_model=AssessmentOut,
    )
    def run_assessment(
        scenario_id: Id, svc: Svc, who: Who, request: Request, ledger: bool = True
    ) -> AssessmentOut:
        """Assess the scenario (``cvid.assess.assess``); the result has ``cvid assess --json``'s
        shape. With ``ledger`` (default) it includes the compliance of the scenario's agreement
        from this service's ledger. The HTML report follows in the background."""
        row = svc.run_assessment(scenario_id, who, with_ledger=ledger)
        request.state.audit = f"assessment {row['id']} of scenario {scenario_id}: {row['overall']}"
        return AssessmentOut.model_validate(row)

    @r.get("/assessments", tags=["assessments"], response_model=list[AssessmentRowOut])
    def list_assessments(svc: Svc) -> list[AssessmentRowOut]:
        """Every assessment (without results), newest first."""
        return [AssessmentRowOut.model_validate(row) for row in svc.store.assessments()]

    @r.get("/assessments/{assessment_id}", tags=["assessments"], response_model=AssessmentOut)
    def get_assessment(assessment_id: Id, svc: Svc) -> AssessmentOut:
        """One assessment with its full result."""
        return AssessmentOut.model_validate(svc.assessment(assessment_id))

    @r.get(
        "/assessments/{assessment_id}/report",
        tags=["assessments"],
        response_class=HTMLResponse,
        responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
    )
    def get_report(assessment_id: Id, svc: Svc) -> HTMLResponse:
        """The assessment's self-contained HTML report (``cvid.assess.report``). The first
        request starts rendering it: 409 with Retry-After until it is ready."""
        html = svc.report(assessment_id)
        if html is None:
            raise NotReady("the report is still being rendered; try again in a few seconds")
        return HTMLResponse(html)

    # ---------------------------------------------------------------- simulations
    @r.post(
        "/scenarios/{scenario_id}/simulations",
        status_code=202,
        tags=["simulations"],
        response_model=JobOut,
    )
    def start_simulation(
        scenario_id: Id, body: SimulationIn, svc: Svc, who: Who, request: Request
    ) -> JobOut:
        """Start a simulation (``cvid.negotiate.simulate``) as a background job; poll it."""
        job = svc.start_simulation(
            scenario_id,
            who,
            strategies=body.strategies,
            runs=body.runs,
            months=body.months,
            seed=body.seed,
        )
        request.state.audit = f"simulation {job['id']} of scenario {scenario_id}"
        return JobOut.model_validate(job)

    @r.get("/simulations/{job_id}", tags=["simulations"], response_model=JobOut)
    def get_simulation(job_id: Id, svc: Svc) -> JobOut:
        """A simulation job: status (queued, running, done, failed), progress, result."""
        return JobOut.model_validate(svc.job(job_id))

    # ---------------------------------------------------------------- ledger
    @r.get("/ledger", tags=["ledger"], response_model=LedgerOut)
    async def ledger_info(svc: Svc) -> LedgerOut:
        """The log's origin, verifier key, size and root, and which roles may sign each kind."""
        note = await svc.aon_ledger(lambda led: led.checkpoint())
        cp = parse_checkpoint(note[: note.rfind("\n\n") + 1])
        return LedgerOut(
            origin=svc.origin,
            verifier_key=svc.verifier_key,
            tree_size=cp.size,
            root_hash=cp.root_hash.hex(),
            kinds={k: sorted(str(r) for r in v) for k, v in KIND_SIGNERS.items()},
        )

    @r.get(
        "/ledger/kinds/{kind}/schema",
        tags=["ledger"],
        response_model=dict[str, Any],
        responses={200: {"description": "A JSON Schema (draft 2020-12) of the record kind"}},
    )
    def kind_schema(kind: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
        """The JSON Schema of an unsigned record of ``kind`` (a schema document: free-form)."""
        if kind not in KIND_SIGNERS:
            raise NotFound(f"no record kind {kind!r}; one of {', '.join(KIND_SIGNERS)}")
        return record_schema(kind)

    @r.get("/ledger/checkpoint", tags=["ledger"], response_model=CheckpointOut)
    async def checkpoint(svc: Svc) -> CheckpointOut:
        """The latest signed checkpoint (C2SP signed note, with the witnesses' C2SP
        tlog-cosignature lines) and its parsed contents; ``cosignatures`` of it, and
        ``witnessed``: the largest checkpoint any witness cosigned (or null)."""
        view = await svc.aon_ledger(lambda led: led.witness_view())
        note = view["note"]
        cp = parse_checkpoint(note[: note.rfind("\n\n") + 1])
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

    @r.post(
        "/ledger/cosignatures",
        status_code=201,
        tags=["ledger"],
        response_model=CosignatureOut,
        responses={409: {"description": "a split view: the evidence is kept"}},
    )
    def add_cosignature(
        body: CosignatureIn, svc: Svc, who: Who, request: Request
    ) -> CosignatureOut:
        """Store a witness's C2SP cosignature of one of this log's checkpoints (any party may
        bring it; it must verify). A checkpoint this log signed with another root for a size
        it holds is a split view: kept as evidence, shown on the dashboard, answered 409."""
        out = svc.add_cosignature(body.checkpoint, body.witness_key, who)
        request.state.audit = f"cosignature by {out['witness']} of size {out['tree_size']}"
        return CosignatureOut.model_validate(out)

    @r.get("/ledger/records", tags=["ledger"], response_model=RecordsOut)
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

    @r.post("/ledger/records", status_code=201, tags=["ledger"], response_model=AppendOut)
    def append_records(body: AppendIn, svc: Svc, who: Who, request: Request) -> AppendOut:
        """Append records signed with the caller's own key; the kinds its role may sign only.

        The response comes after the records are durably committed.
        """
        indices = svc.append(body.records, who)
        request.state.audit = f"appended records {indices[0]}..{indices[-1]}"
        return AppendOut(indices=indices, tree_size=indices[-1] + 1)

    @r.get("/ledger/records/{index}", tags=["ledger"], response_model=RecordDataOut)
    async def get_record(index: Index, svc: Svc) -> RecordDataOut:
        """One record, its signature checked, with its canonical bytes (base64) and leaf hash."""
        e = await svc.aon_ledger(lambda led: led.get(index))
        return RecordDataOut.model_validate(
            {**e.to_json(), "data": base64.b64encode(e.data).decode()}
        )

    @r.get("/ledger/records/{index}/inclusion", tags=["ledger"], response_model=InclusionOut)
    async def inclusion(
        index: Index,
        svc: Svc,
        tree_size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
    ) -> InclusionOut:
        """RFC 9162 inclusion proof of the record in the tree of ``tree_size`` (default: now)."""
        proof = await svc.aon_ledger(lambda led: led.inclusion_proof(index, tree_size))
        return InclusionOut.model_validate(proof.to_json())

    @r.get("/ledger/consistency", tags=["ledger"], response_model=ConsistencyOut)
    async def consistency(
        svc: Svc,
        old: Annotated[int, Query(ge=1, le=MAX_INDEX)],
        new: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
    ) -> ConsistencyOut:
        """RFC 9162 consistency proof from tree size ``old`` to ``new`` (default: now)."""
        proof = await svc.aon_ledger(lambda led: led.consistency_proof(old, new))
        return ConsistencyOut.model_validate(proof.to_json())

    @r.get("/ledger/audit", tags=["ledger"], response_model=LedgerAuditOut)
    def ledger_audit(svc: Svc, who: Who) -> LedgerAuditOut:
        """Recompute and check every hash, signature and checkpoint (admin, observer)."""
        if not who.may("audit.read"):
            raise Forbidden(f"a {who.role} may not run the full ledger audit")
        report = svc.ledger.audit().to_json()
        report["source"] = svc.display_url  # never the password of the database URL
        return LedgerAuditOut.model_validate(SECRETS.json(report))

    # ---------------------------------------------------------------- compliance
    @r.get(
        "/scenarios/{scenario_id}/compliance", tags=["compliance"], response_model=ComplianceState
    )
    def compliance(
        scenario_id: Id,
        svc: Svc,
        at: Annotated[
            str | None,
            Query(
                max_length=40,
                pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)?$",
                description="As of this UTC date or time (default: now)",
            ),
        ] = None,
        check: bool = True,
    ) -> ComplianceState:
        """Status of every commitment of the scenario's agreement from the ledger's
        evidence only (``cvid.compliance.evaluate``): pending, claimed, verified, overdue,
        violated; findings, access requests and their delays, concessions, indicators.
        With ``check`` evidence the scenario cannot place is refused (422)."""
        return svc.compliance(scenario_id, at=at, check=check)

    @r.get("/scenarios/{scenario_id}/beliefs", tags=["compliance"], response_model=BeliefsOut)
    def beliefs(scenario_id: Id, svc: Svc) -> BeliefsOut:
        """The posterior over the counterpart's types (sincere, time-buyer, hedger) from the
        agreement's signed records, the records that moved it most and the ranked next
        demands (``cvid.compliance.BeliefTracker``, updated as records arrive)."""
        state = svc.beliefs(scenario_id).to_dict()
        fields = BeliefsOut.model_fields.keys() - {"model_defaults"}
        return BeliefsOut.model_validate(
            {
                **{k: state[k] for k in fields},
                "model_defaults": svc.beliefs_from_defaults(scenario_id),
            }
        )

    # ---------------------------------------------------------------- audit log
    @r.get("/audit", tags=["service"], response_model=list[AuditLineOut])
    def audit_log(
        svc: Svc,
        who: Who,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> list[AuditLineOut]:
        """The log of writes: who, when, what, with what result (admin, observer)."""
        if not who.may("audit.read"):
            raise Forbidden(f"a {who.role} may not read the audit log")
        return [AuditLineOut.model_validate(row) for row in svc.store.audit_log(limit, offset)]

    open_router.include_router(r)
    return open_router


__all__ = ["InputError", "build_router"]
