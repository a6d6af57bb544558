"""``/simulations``: simulate a stored scenario as a background job and poll it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cvid.web.models import JobOut, SimulationIn
from cvid.web.routes.deps import Id, Svc, Who

router = APIRouter(tags=["simulations"])


@router.post("/scenarios/{scenario_id}/simulations", status_code=202, response_model=JobOut)
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


@router.get("/simulations/{job_id}", response_model=JobOut)
def get_simulation(job_id: Id, svc: Svc) -> JobOut:
    """A simulation job: status (queued, running, done, failed), progress, result."""
    return JobOut.model_validate(svc.job(job_id))
