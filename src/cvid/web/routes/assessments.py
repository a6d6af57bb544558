"""``/assessments``: run an assessment of a stored scenario, read it and its HTML report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cvid.web.models import AssessmentOut, AssessmentRowOut
from cvid.web.routes.deps import Id, Svc, Who
from cvid.web.service import NotReady

router = APIRouter(tags=["assessments"])


@router.post("/scenarios/{scenario_id}/assessments", status_code=201, response_model=AssessmentOut)
def run_assessment(
    scenario_id: Id, svc: Svc, who: Who, request: Request, ledger: bool = True
) -> AssessmentOut:
    """Assess the scenario (``cvid.assess.assess``); the result has ``cvid assess --json``'s
    shape. With ``ledger`` (default) it includes the compliance of the scenario's agreement
    from this service's ledger. The HTML report follows in the background."""
    row = svc.run_assessment(scenario_id, who, with_ledger=ledger)
    request.state.audit = f"assessment {row['id']} of scenario {scenario_id}: {row['overall']}"
    return AssessmentOut.model_validate(row)


@router.get("/assessments", response_model=list[AssessmentRowOut])
def list_assessments(svc: Svc) -> list[AssessmentRowOut]:
    """Every assessment (without results), newest first."""
    return [AssessmentRowOut.model_validate(row) for row in svc.store.assessments()]


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(assessment_id: Id, svc: Svc) -> AssessmentOut:
    """One assessment with its full result."""
    return AssessmentOut.model_validate(svc.assessment(assessment_id))


@router.get(
    "/assessments/{assessment_id}/report",
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
