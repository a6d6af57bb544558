"""``/scenarios``: check, upload, list and read scenario files."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cvid.scenario import ScenarioError
from cvid.web.models import ProblemOut, ScenarioDetailOut, ScenarioIn, ScenarioOut, ValidationOut
from cvid.web.routes.deps import Id, Svc, Who
from cvid.web.service import Service

router = APIRouter(tags=["scenarios"])


@router.post("/scenarios/validate", response_model=ValidationOut)
def validate_scenario(body: ScenarioIn) -> ValidationOut:
    """Check scenario TOML without storing it: ``valid`` and every problem found."""
    try:
        s = Service.parse_scenario(body.toml)
    except ScenarioError as exc:
        problems = [ProblemOut(field=f, reason=m) for f, m in exc.problems]
        return ValidationOut(valid=False, problems=problems)
    return ValidationOut(valid=True, name=s.meta.name, title=s.meta.title, problems=[])


@router.post("/scenarios", status_code=201, response_model=ScenarioOut)
def upload_scenario(body: ScenarioIn, svc: Svc, who: Who, request: Request) -> ScenarioOut:
    """Upload a scenario (admin, inspectorate); it is validated first (422 with problems)."""
    row = svc.upload_scenario(body.toml, who)
    request.state.audit = f"uploaded scenario {row['id']} ({row['name']})"
    return ScenarioOut.model_validate(row)


@router.get("/scenarios", response_model=list[ScenarioOut])
def list_scenarios(svc: Svc) -> list[ScenarioOut]:
    """Every uploaded scenario, newest first."""
    return [ScenarioOut.model_validate(row) for row in svc.store.scenarios()]


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetailOut)
def get_scenario(scenario_id: Id, svc: Svc) -> ScenarioDetailOut:
    """One scenario with its TOML text and its assessments."""
    row = svc.scenario(scenario_id)
    return ScenarioDetailOut.model_validate(
        {**row, "assessments": svc.store.assessments(scenario_id)}
    )
