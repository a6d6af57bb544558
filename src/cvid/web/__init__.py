"""The cvid service: a REST API under ``/api/v1`` and server-rendered pages (``cvid serve``).

>>> from cvid.web import create_app          # doctest: +SKIP
>>> app = create_app("cvid.db")              # SQLite file, or "postgresql://..." with log_key
>>> # uvicorn.run(app, host="127.0.0.1", port=8000)

One database holds the evidence ledger (:mod:`cvid.ledger`) and the service's own ``web_``
tables: parties with the SHA-256 of their API tokens, uploaded scenarios, assessments,
simulation jobs and the audit log of every write (who, role, client, when, what, status).

Authentication: ``Authorization: Bearer <token>``; the first start creates an admin whose
token is shown once. Roles and what they may write (:data:`RIGHTS`; every authenticated
party may read):

============  ===============================================================================
admin         create parties, issue tokens, register keys; upload scenarios; assess; simulate;
              read the audit log and run the full ledger audit
inspectorate  upload scenarios; assess; simulate
state         assess
observer      assess; simulate; read the audit log and run the full ledger audit
============  ===============================================================================

Appending to the ledger follows :data:`cvid.ledger.KIND_SIGNERS`: a party appends only kinds
its role may sign, and only records signed with its own registered key (signed client-side
with :func:`cvid.ledger.sign_record`; the server never holds a party's private key).

API (OpenAPI document at ``/api/v1/openapi.json``): ``/health``, ``/me``, ``/parties``,
``/scenarios`` (+ ``/validate``, ``/{id}``, ``/{id}/assessments``, ``/{id}/simulations``,
``/{id}/compliance``, ``/{id}/beliefs``), ``/assessments/{id}`` (+ ``/report``),
``/simulations/{id}``,
``/ledger`` (+ ``/checkpoint``, ``/records``, ``/records/{i}``, ``/records/{i}/inclusion``,
``/consistency``, ``/audit``, ``/kinds/{kind}/schema``, ``/cosignatures``), ``/audit``.
Errors are JSON ``{"detail": "..."}`` with a 4xx status: 401 bad or missing token, 403 role,
404, 409 not ready or a split view, 413 body too large, 422 invalid input (with ``field`` or
``problems``), 429 too many failed logins. The service's refusals are
:class:`~cvid.web.service.ServiceError` subclasses of :class:`cvid.errors.CvidError` that
carry their HTTP status and headers.

Pages: ``/`` (the dashboard: every agreement with its grade, each commitment's status with
its deadline and latest evidence, the belief over the counterpart with the next demands,
alerts (overdue, access, unresolved observations, checkpoint, witnesses: cosignature missing,
quorum not met, split view), the latest checkpoint verified in the browser, assessments and
simulations with their results; it refreshes itself through ``/dashboard/version``),
``/ledger/sign`` (a record built from its kind's JSON Schema, signed in the browser with the
party's key through Web Crypto Ed25519; the key never leaves the browser), ``/admin``
(parties, keys, tokens: create, rotate, revoke), ``/login``, ``/scenarios``,
``/assessments/{id}`` (with the HTML report of
:mod:`cvid.assess.report`), ``/ledger`` (verifies inclusion proofs, the Ed25519 checkpoint
signature and, against the checkpoint it saw last, a consistency proof, in the browser),
``/scenarios/{id}/compliance``, ``/timeline``, ``/access``, ``/audit``.
"""

from __future__ import annotations

from cvid.web.app import DEFAULT_MAX_BODY, create_app
from cvid.web.security import RIGHTS, ROLES, Caller
from cvid.web.service import (
    Busy,
    CrossSite,
    Forbidden,
    NotFound,
    NotReady,
    Service,
    ServiceError,
    SplitViewFound,
    Unauthenticated,
)

__all__ = [
    "DEFAULT_MAX_BODY",
    "RIGHTS",
    "ROLES",
    "Busy",
    "Caller",
    "CrossSite",
    "Forbidden",
    "NotFound",
    "NotReady",
    "Service",
    "ServiceError",
    "SplitViewFound",
    "Unauthenticated",
    "create_app",
]
