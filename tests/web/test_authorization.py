"""Authorization matrix: every API endpoint × every role (and no token), allowed or refused
as specified in cvid.web.RIGHTS and the ledger's KIND_SIGNERS; refusals never change state."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvid.ledger import KIND_SIGNERS, generate_party_key
from cvid.scenario import example_path
from tests.web.conftest import PARTY_NAMES, ROLES, Deployment, login
from tests.web.records import record

LIBYA = example_path("libya-2003").read_text(encoding="utf-8")
ALL = frozenset(ROLES)
WRITERS = frozenset({"admin", "inspectorate"})
AUDITORS = frozenset({"admin", "observer"})
SIMULATORS = frozenset({"admin", "inspectorate", "observer"})
OWN_KIND = {
    "inspectorate": "inspection",
    "state": "declaration",
    "observer": "observation",
    "admin": "concession",
}

#: (method, OpenAPI path) -> roles allowed; None means no token needed.
MATRIX: dict[tuple[str, str], frozenset[str] | None] = {
    ("GET", "/api/v1/health"): None,
    ("GET", "/api/v1/me"): ALL,
    ("GET", "/api/v1/parties"): ALL,
    ("POST", "/api/v1/parties"): frozenset({"admin"}),
    ("POST", "/api/v1/parties/{name}/token"): frozenset({"admin"}),
    ("POST", "/api/v1/parties/{name}/key"): frozenset({"admin"}),
    ("POST", "/api/v1/scenarios/validate"): ALL,
    ("POST", "/api/v1/scenarios"): WRITERS,
    ("GET", "/api/v1/scenarios"): ALL,
    ("GET", "/api/v1/scenarios/{scenario_id}"): ALL,
    ("POST", "/api/v1/scenarios/{scenario_id}/assessments"): ALL,
    ("GET", "/api/v1/assessments"): ALL,
    ("GET", "/api/v1/assessments/{assessment_id}"): ALL,
    ("GET", "/api/v1/assessments/{assessment_id}/report"): ALL,
    ("GET", "/api/v1/ledger"): ALL,
    ("GET", "/api/v1/ledger/kinds/{kind}/schema"): ALL,
    ("GET", "/api/v1/ledger/checkpoint"): ALL,
    ("GET", "/api/v1/ledger/records"): ALL,
    ("POST", "/api/v1/ledger/records"): ALL,  # each with a kind its role may sign
    ("GET", "/api/v1/ledger/records/{index}"): ALL,
    ("GET", "/api/v1/ledger/records/{index}/inclusion"): ALL,
    ("GET", "/api/v1/ledger/consistency"): ALL,
    ("GET", "/api/v1/ledger/audit"): AUDITORS,
    ("GET", "/api/v1/audit"): AUDITORS,
    ("GET", "/api/v1/scenarios/{scenario_id}/compliance"): ALL,
    ("GET", "/api/v1/scenarios/{scenario_id}/beliefs"): ALL,
    ("POST", "/api/v1/ledger/cosignatures"): ALL,  # a witness's cosignature: it must verify
    ("POST", "/api/v1/scenarios/{scenario_id}/simulations"): SIMULATORS,
    ("GET", "/api/v1/simulations/{job_id}"): ALL,
}


def _state(c: httpx.Client) -> tuple[Any, ...]:
    """What a refused request must not change."""
    return (
        c.get("/api/v1/ledger").json()["tree_size"],
        len(c.get("/api/v1/scenarios").json()),
        len(c.get("/api/v1/assessments").json()),
        len(c.get("/api/v1/parties").json()),
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def mdep(request: pytest.FixtureRequest) -> Deployment:
    """The service on SQLite, then on PostgreSQL (one deployment each for the module)."""
    d: Deployment = request.getfixturevalue("sqlite_dep" if request.param == "sqlite" else "pg_dep")
    return d


@pytest.fixture(scope="module")
def fixtures(mdep: Deployment) -> dict[str, Any]:
    d = mdep
    with d.client("admin") as c:
        sid = c.post("/api/v1/scenarios", json={"toml": LIBYA}).json()["id"]
        aid = c.post(f"/api/v1/scenarios/{sid}/assessments").json()["id"]
        r = c.post(
            "/api/v1/ledger/records", json={"records": [d.sign("admin", record("concession"))]}
        )
        assert r.status_code == 201, r.text
        for name in ("victim", "keyless"):
            r = c.post("/api/v1/parties", json={"name": name, "role": "observer"})
            assert r.status_code == 201, r.text
        deadline = time.monotonic() + 60  # render the report (in the background) once
        while c.get(f"/api/v1/assessments/{aid}/report").status_code == 409:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        out: dict[str, Any] = {"sid": sid, "aid": aid}
        job = c.post(
            f"/api/v1/scenarios/{sid}/simulations",
            json={"runs": 10, "months": 6, "strategies": ["agreement"]},
        )
        out["job"] = job.json()["id"]
    return out


def _cosigned(d: Deployment, n: int) -> dict[str, str]:
    """A new witness's cosignature of the log's current checkpoint (as a witness brings it)."""
    import tempfile

    from cvid.ledger.witness import WitnessState, cosign_checkpoint, generate_witness_key

    with d.client("observer") as c:
        info = c.get("/api/v1/ledger").json()
        note = c.get("/api/v1/ledger/checkpoint").json()["note"]
    key = generate_witness_key(f"w{n}.example/witness")
    with tempfile.TemporaryDirectory() as tmp:
        state = WitnessState.create(Path(tmp) / "w.json", key)
        done = cosign_checkpoint(state, key, note, log_vkey=info["verifier_key"])
    return {"checkpoint": done.note, "witness_key": key.vkey}


def _request(
    d: Deployment, role: str | None, method: str, path: str, fx: dict[str, Any], n: int
) -> httpx.Response:
    url = path.format(
        scenario_id=fx["sid"],
        assessment_id=fx["aid"],
        index=0,
        kind="inspection",
        name="victim",
        job_id=fx.get("job", 1),
    )
    body: Any = None
    params: dict[str, Any] = {}
    if path == "/api/v1/parties":
        body = {"name": f"p-{role}-{n}", "role": "observer"}
    elif path.startswith("/api/v1/scenarios") and method == "POST" and "{" not in path:
        body = {"toml": LIBYA}
    elif path.endswith("/simulations"):
        body = {"runs": 10, "months": 6, "strategies": ["agreement"]}
    elif path == "/api/v1/ledger/records" and method == "POST":
        signer = role or "inspectorate"
        body = {"records": [d.sign(signer, record(OWN_KIND[signer]))]}
    elif path.endswith("/key"):
        url = path.format(name="keyless")
        body = {"public_key": generate_party_key("keyless", "observer").public.public_key_b64}
    elif path == "/api/v1/ledger/consistency":
        params = {"old": 1}
    elif path == "/api/v1/ledger/cosignatures":
        body = _cosigned(d, n)
    with d.client(role) as c:
        return c.request(method, url, json=body, params=params)


def test_matrix_covers_every_endpoint(sqlite_dep: Deployment) -> None:
    with sqlite_dep.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
    endpoints = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_authorization_matrix(
    mdep: Deployment, fixtures: dict[str, Any], role: str | None, method: str, path: str
) -> None:
    allowed = MATRIX[(method, path)]
    with mdep.client("admin") as admin:
        before = _state(admin)
    r = _request(mdep, role, method, path, fixtures, len(before))
    assert r.status_code < 500, r.text
    if allowed is None:
        assert r.status_code == 200
        return
    if role is None:
        assert r.status_code == 401
        assert "missing API token" in r.json()["detail"]
    elif role in allowed:
        assert r.status_code in (200, 201, 202), r.text
    else:
        assert r.status_code == 403, r.text
        assert role in r.json()["detail"]
    if role is None or role not in allowed:
        with mdep.client("admin") as admin:
            assert _state(admin) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", sorted(KIND_SIGNERS))
def test_append_kind_by_role_follows_the_ledger_rules(
    mdep: Deployment, role: str, kind: str
) -> None:
    d = mdep
    with d.client("admin") as admin:
        size = admin.get("/api/v1/ledger").json()["tree_size"]
    rec = record(kind)
    may = role in KIND_SIGNERS[kind]
    if may:
        signed = d.sign(role, rec)
    else:  # the role may not sign it: the client library refuses too, so sign as one who may
        signer = sorted(KIND_SIGNERS[kind])[0]
        signed = d.sign(signer, rec)
        signed["signer"] = {**signed["signer"], "name": PARTY_NAMES[role]}
    with d.client(role) as c:
        r = c.post("/api/v1/ledger/records", json={"records": [signed]})
    with d.client("admin") as admin:
        after = admin.get("/api/v1/ledger").json()["tree_size"]
    if may:
        assert r.status_code == 201, r.text
        assert after == size + 1
    else:
        assert r.status_code == 403, r.text
        assert f"may not append {kind!r}" in r.json()["detail"]
        assert after == size


PAGES = {
    "/scenarios": ALL,
    "/ledger": ALL,
    "/timeline": ALL,
    "/access": ALL,
    "/audit": AUDITORS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_by_role(sqlite_dep: Deployment, role: str, page: str) -> None:
    with httpx.Client(base_url=sqlite_dep.url) as c:
        r = login(c, sqlite_dep.tokens[role], page)
        assert r.status_code == 303
        r = c.get(page)
    assert r.status_code == (200 if role in PAGES[page] else 403)
    assert "text/html" in r.headers["content-type"]


def test_pages_without_session_redirect_to_login(sqlite_dep: Deployment) -> None:
    with httpx.Client(base_url=sqlite_dep.url) as c:
        for page in PAGES:
            r = c.get(page)
            assert r.status_code == 303
            assert r.headers["location"].startswith("/login?next=")
