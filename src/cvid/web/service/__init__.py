"""What the service does, independent of HTTP: :class:`Service` (:mod:`.core`: the database,
scenarios, assessments and reports) made of its parts, :mod:`.parties` (parties, tokens,
keys), :mod:`.ledger` (ledger access, appends, witnesses' cosignatures), :mod:`.jobs`
(simulations in the background) and :mod:`.following` (compliance and beliefs kept up to date
with the ledger); :mod:`.errors` holds its refusals. The public names are re-exported here."""

from __future__ import annotations

from cvid.scenario import ScenarioError
from cvid.web.service.core import Service
from cvid.web.service.errors import (
    Busy,
    CrossSite,
    Forbidden,
    NotFound,
    NotReady,
    ServiceError,
    SplitViewFound,
    Unauthenticated,
)
from cvid.web.service.jobs import MAX_JOBS, MAX_RUN_MONTHS

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
