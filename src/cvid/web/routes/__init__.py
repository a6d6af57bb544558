"""The REST API under ``/api/v1``: one module-level router per resource.

:mod:`~cvid.web.routes.health` (no token), :mod:`~cvid.web.routes.parties`,
:mod:`~cvid.web.routes.scenarios`, :mod:`~cvid.web.routes.assessments`,
:mod:`~cvid.web.routes.simulations`, :mod:`~cvid.web.routes.ledger`,
:mod:`~cvid.web.routes.compliance` and :mod:`~cvid.web.routes.audit`. Every route but
``/health`` needs ``Authorization: Bearer TOKEN``: :func:`build_router` mounts them behind
the application's authentication dependency. Request and response models are in
:mod:`cvid.web.models`; the work is done by :class:`cvid.web.service.Service`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends

from cvid.web.routes import (
    assessments,
    audit,
    compliance,
    health,
    ledger,
    parties,
    scenarios,
    simulations,
)

PREFIX = "/api/v1"
#: The routers that need a token, in the order of the OpenAPI document.
AUTHENTICATED: tuple[APIRouter, ...] = (
    parties.router,
    scenarios.router,
    assessments.router,
    simulations.router,
    ledger.router,
    compliance.router,
    audit.router,
)


def build_router(authenticate: Callable[..., Any]) -> APIRouter:
    """The ``/api/v1`` router; ``authenticate`` is the dependency that sets the caller."""
    api = APIRouter(prefix=PREFIX)
    api.include_router(health.router)
    for router in AUTHENTICATED:
        api.include_router(router, dependencies=[Depends(authenticate)])
    return api


__all__ = ["AUTHENTICATED", "PREFIX", "build_router"]
