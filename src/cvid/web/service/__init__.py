"""What the service does, independent of HTTP (:class:`Service`, in :mod:`.core`); the public
names are re-exported here so that ``from cvid.web.service import ...`` keeps working."""

from __future__ import annotations

from cvid.web.service.core import (
    MAX_JOBS,
    MAX_RUN_MONTHS,
    Busy,
    CrossSite,
    Forbidden,
    NotFound,
    NotReady,
    ScenarioError,
    Service,
    ServiceError,
    SplitViewFound,
    Unauthenticated,
)

__all__ = [
    "MAX_JOBS",
    "MAX_RUN_MONTHS",
    "Busy",
    "CrossSite",
    "Forbidden",
    "NotFound",
    "NotReady",
    "ScenarioError",
    "Service",
    "ServiceError",
    "SplitViewFound",
    "Unauthenticated",
]
