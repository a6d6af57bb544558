"""Valid sample records of every kind, for the ledger tests."""

from __future__ import annotations

from typing import Any

PAYLOADS: dict[str, dict[str, Any]] = {
    "declaration": {
        "declared": [
            {"item": "yongbyon-5mwe", "category": "facility", "location": "yongbyon"},
            {"item": "pu-stock", "category": "material", "quantity": 37.5, "unit": "kg"},
        ],
        "complete": True,
    },
    "inspection": {
        "site": "yongbyon",
        "started": "2019-03-01T08:00:00Z",
        "ended": "2019-03-01T16:00:00Z",
        "access": "full",
        "notice_hours": 24,
        "activities": ["walkthrough", "seal-check"],
    },
    "finding": {
        "result": "discrepancy",
        "item": "pu-stock",
        "declared_quantity": 37.5,
        "measured_quantity": 41,
        "unit": "kg",
        "description": "Measured stock exceeds the declaration.",
    },
    "sample-result": {
        "sample_id": "s-17",
        "analyte": "Pu-240/Pu-239",
        "value": 0.061,
        "uncertainty": 0.002,
        "unit": "ratio",
        "result": "consistent",
    },
    "seal-check": {"seal_id": "seal-0042", "intact": True, "site": "yongbyon"},
    "access-request": {
        "request_id": "req-9",
        "site": "kangson",
        "access": "site",
        "deadline": "2019-03-10T00:00:00Z",
    },
    "access-granted": {"request_id": "req-9", "scope": "partial"},
    "access-denied": {"request_id": "req-9", "reason": "Military site."},
    "disclosure": {"subject": "enrichment history", "voluntary": True, "documents": ["d1.pdf"]},
    "observation": {"description": "Vehicles leaving the site at night.", "site": "kangson"},
    "dismantlement": {"item": "yongbyon-5mwe", "method": "core removal", "irreversible": True},
    "removal": {"item": "pu-stock", "destination": "Oak Ridge", "quantity": 37.5, "unit": "kg"},
    "concession": {"concession_id": "relief-1", "action": "released", "milestone": "c-declare"},
    "statement": {"text": "The reactor has been shut down.", "claim": "fulfilled"},
}

#: A party of each role that may sign each kind (the first allowed role).
SIGNER_ROLE: dict[str, str] = {
    "declaration": "state",
    "inspection": "inspectorate",
    "finding": "inspectorate",
    "sample-result": "inspectorate",
    "seal-check": "inspectorate",
    "access-request": "inspectorate",
    "access-granted": "state",
    "access-denied": "state",
    "disclosure": "state",
    "observation": "observer",
    "dismantlement": "inspectorate",
    "removal": "inspectorate",
    "concession": "admin",
    "statement": "state",
}


def sample_record(kind: str = "inspection", n: int = 0) -> dict[str, Any]:
    """A valid unsigned record of ``kind``; ``n`` varies its time so records differ."""
    return {
        "kind": kind,
        "agreement": "dprk-2018",
        "time": f"2019-03-{1 + n % 28:02d}T{n // 28 % 24:02d}:{n % 60:02d}:00Z",
        "refs": {"commitments": ["c-declare"], "items": ["yongbyon-5mwe"]},
        "payload": PAYLOADS[kind],
        "attachments": [{"name": "photo.jpg", "sha256": f"{n:064x}"}],
    }
