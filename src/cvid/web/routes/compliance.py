"""``/scenarios/{id}/compliance`` and ``/beliefs``: what the ledger's evidence shows of a
stored scenario's agreement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cvid.compliance import ComplianceState
from cvid.web.models import BeliefsOut
from cvid.web.routes.deps import Id, Svc

router = APIRouter(tags=["compliance"])

At = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)?$",
        description="As of this UTC date or time (default: now)",
    ),
]


@router.get("/scenarios/{scenario_id}/compliance", response_model=ComplianceState)
def compliance(scenario_id: Id, svc: Svc, at: At = None, check: bool = True) -> ComplianceState:
    """Status of every commitment of the scenario's agreement from the ledger's
    evidence only (``cvid.compliance.evaluate``): pending, claimed, verified, overdue,
    violated; findings, access requests and their delays, concessions, indicators.
    With ``check`` evidence the scenario cannot place is refused (422)."""
    return svc.compliance(scenario_id, at=at, check=check)


@router.get("/scenarios/{scenario_id}/beliefs", response_model=BeliefsOut)
def beliefs(scenario_id: Id, svc: Svc) -> BeliefsOut:
    """The posterior over the counterpart's types (sincere, time-buyer, hedger) from the
    agreement's signed records, the records that moved it most and the ranked next
    demands (``cvid.compliance.BeliefTracker``, updated as records arrive)."""
    state = svc.beliefs(scenario_id).summary_dict()  # the series is not returned
    fields = BeliefsOut.model_fields.keys() - {"model_defaults"}
    return BeliefsOut.model_validate(
        {
            **{k: state[k] for k in fields},
            "model_defaults": svc.beliefs_from_defaults(scenario_id),
        }
    )
