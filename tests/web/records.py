"""One valid unsigned record of every ledger kind (for role-rule tests over HTTP)."""

from __future__ import annotations

from typing import Any

T = "2019-03-01T10:00:00Z"

PAYLOADS: dict[str, dict[str, Any]] = {
    "declaration": {"declared": [{"item": "yongbyon", "category": "facility"}], "complete": True},
    "inspection": {"site": "yongbyon", "started": T, "access": "full"},
    "finding": {"result": "consistent", "site": "yongbyon", "description": "as declared"},
    "sample-result": {
        "sample_id": "s-1",
        "analyte": "U-235",
        "value": 0.7,
        "unit": "%",
        "result": "consistent",
    },
    "seal-check": {"seal_id": "seal-1", "intact": True},
    "access-request": {"request_id": "r-1", "site": "site-x", "access": "site"},
    "access-granted": {"request_id": "r-1", "scope": "full"},
    "access-denied": {"request_id": "r-1", "reason": "military site"},
    "disclosure": {"subject": "procurement records", "voluntary": True},
    "observation": {"description": "trucks leaving the site"},
    "dismantlement": {"item": "reactor-5mw", "method": "cut and melt", "irreversible": True},
    "removal": {"item": "heu-stock", "destination": "Oak Ridge"},
    "concession": {"concession_id": "relief-1", "action": "released"},
    "statement": {"text": "The reactor is shut down.", "claim": "fulfilled"},
}


def record(kind: str, time: str = T) -> dict[str, Any]:
    """A valid unsigned record of ``kind``."""
    return {
        "kind": kind,
        "agreement": "test-agreement",
        "time": time,
        "refs": {"commitments": ["c1"], "items": []},
        "payload": PAYLOADS[kind],
    }
