"""``/audit``: the service's log of writes (admin, observer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cvid.web.models import AuditLineOut
from cvid.web.routes.deps import MAX_ID, Svc, Who
from cvid.web.service import Forbidden

router = APIRouter(tags=["service"])


@router.get("/audit", response_model=list[AuditLineOut])
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
