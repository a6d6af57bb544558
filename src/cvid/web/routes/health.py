"""``/health``: liveness, the one route that needs no token."""

from __future__ import annotations

from fastapi import APIRouter

from cvid.web.models import HealthOut
from cvid.web.routes.deps import Svc

router = APIRouter(tags=["service"])


@router.get("/health", response_model=HealthOut)
def health(svc: Svc) -> HealthOut:
    """Liveness: the service answers and its ledger can be read (no token needed)."""
    return HealthOut(ok=True, tree_size=svc.ledger.size)
