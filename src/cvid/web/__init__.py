"""The cvid service: a REST API under ``/api/v1`` and server-rendered pages (``cvid serve``).

>>> from cvid.web import create_app          # doctest: +SKIP
>>> app = create_app("cvid.db")              # SQLite file, or "postgresql://..."
>>> # uvicorn.run(app, host="127.0.0.1", port=8000)

Parties authenticate with API tokens (stored hashed); roles inspectorate, state, observer and
admin decide what each may write, and the ledger's own rules decide which records it may sign.
"""

from __future__ import annotations

from cvid.web.app import DEFAULT_MAX_BODY, create_app
from cvid.web.security import RIGHTS, ROLES, Caller
from cvid.web.service import Forbidden, NotFound, Service

__all__ = [
    "DEFAULT_MAX_BODY",
    "RIGHTS",
    "ROLES",
    "Caller",
    "Forbidden",
    "NotFound",
    "Service",
    "create_app",
]
