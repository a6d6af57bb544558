"""The OpenAPI document declares what every route answers (issue 17), and the answers conform.

Every 2xx JSON response of ``/api/v1/openapi.json`` has a schema that says something: a
model with properties, a list of such models, or (only where the answer is itself a JSON
Schema) a free-form object. Real answers of a running server validate against the schema the
document gives for their route and status.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from cvid.ledger import generate_party_key
from cvid.ledger.witness import WitnessState, cosign_checkpoint, generate_witness_key
from cvid.scenario import example_path
from tests.web.conftest import Deployment, declaration

LIBYA = example_path("libya-2003").read_text(encoding="utf-8")

#: Routes whose answer is free-form by nature: (method, path) → why.
FREE_FORM = {("get", "/api/v1/ledger/kinds/{kind}/schema"): "the answer is a JSON Schema"}


def _spec(d: Deployment) -> dict[str, Any]:
    with d.client() as c:
        r = c.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec: dict[str, Any] = r.json()
    return spec


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    return schema


def _says_something(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """True if ``schema`` describes a shape: an object with properties, a list of them, a
    union of such, or a scalar type."""
    schema = _resolve(spec, schema)
    union = schema.get("anyOf") or schema.get("oneOf")
    if union:
        return all(_says_something(spec, s) for s in union)
    kind = schema.get("type")
    if kind == "array":
        return "items" in schema and _says_something(spec, schema["items"])
    if kind == "object":
        return bool(schema.get("properties"))
    return kind in ("string", "integer", "number", "boolean", "null")


def test_every_success_response_has_a_schema(sqlite_dep: Deployment) -> None:
    spec = _spec(sqlite_dep)
    missing: list[str] = []
    vague: list[str] = []
    operations = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            operations += 1
            ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
            assert ok, f"{method.upper()} {path}: no 2xx response declared"
            for code, response in ok.items():
                content = response.get("content", {})
                assert content, f"{method.upper()} {path} {code}: no content declared"
                for media, body in content.items():
                    where = f"{method.upper()} {path} {code} {media}"
                    if "json" not in media:
                        continue
                    if "schema" not in body:
                        missing.append(where)
                    elif (method, path) not in FREE_FORM and not _says_something(
                        spec, body["schema"]
                    ):
                        vague.append(where)
    assert operations >= 25
    assert missing == []
    assert vague == []  # free-form objects: a route that returns a dict without a model


def _check(spec: dict[str, Any], method: str, path: str, r: httpx.Response) -> Any:
    """Validate the answer ``r`` against the schema the document declares for it."""
    assert r.status_code < 300, f"{method.upper()} {path}: {r.status_code} {r.text[:300]}"
    declared = spec["paths"][path][method]["responses"][str(r.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    root = {"components": spec["components"], **schema}
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(root).iter_errors(r.json())
    ]
    assert errors == [], f"{method.upper()} {path}: {errors[:3]}"
    return r.json()


def test_answers_conform_to_the_declared_schemas(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    spec = _spec(d)
    seen: set[tuple[str, str]] = set()

    def call(c: httpx.Client, method: str, path: str, url: str | None = None, **kw: Any) -> Any:
        seen.add((method, path))
        return _check(spec, method, path, c.request(method.upper(), url or path, **kw))

    with d.client() as c:
        call(c, "get", "/api/v1/health")
    with d.client("admin") as c:
        call(c, "get", "/api/v1/me")
        call(c, "get", "/api/v1/parties")
        new = call(c, "post", "/api/v1/parties", json={"name": "openapi-obs", "role": "observer"})
        assert new["token"] and new["public_key"] is None
        call(c, "post", "/api/v1/parties/{name}/token", "/api/v1/parties/openapi-obs/token")
        key = generate_party_key("openapi-obs", "observer").public.public_key_b64
        keyed = call(
            c,
            "post",
            "/api/v1/parties/{name}/key",
            "/api/v1/parties/openapi-obs/key",
            json={"public_key": key},
        )
        assert keyed["public_key"] == key
        call(c, "post", "/api/v1/scenarios/validate", json={"toml": LIBYA})
        bad = call(c, "post", "/api/v1/scenarios/validate", json={"toml": "[meta]\nname = 1\n"})
        assert bad["valid"] is False and bad["problems"] and "name" not in bad
        sid = call(c, "post", "/api/v1/scenarios", json={"toml": LIBYA})["id"]
        call(c, "get", "/api/v1/scenarios")
        a = call(
            c,
            "post",
            "/api/v1/scenarios/{scenario_id}/assessments",
            f"/api/v1/scenarios/{sid}/assessments",
            params={"ledger": False},
        )
        assert a["result"]["overall"] == a["overall"]
        got = call(c, "get", "/api/v1/scenarios/{scenario_id}", f"/api/v1/scenarios/{sid}")
        assert [x["id"] for x in got["assessments"]] == [a["id"]]
        call(c, "get", "/api/v1/assessments")
        same = call(
            c, "get", "/api/v1/assessments/{assessment_id}", f"/api/v1/assessments/{a['id']}"
        )
        assert same["result"] == a["result"]
        job = call(
            c,
            "post",
            "/api/v1/scenarios/{scenario_id}/simulations",
            f"/api/v1/scenarios/{sid}/simulations",
            json={"runs": 50, "months": 24},
        )
        deadline = time.monotonic() + 60
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
            job = call(c, "get", "/api/v1/simulations/{job_id}", f"/api/v1/simulations/{job['id']}")
        assert job["status"] == "done" and job["result"]["runs"] == 50
        call(c, "get", "/api/v1/ledger")
        call(c, "get", "/api/v1/ledger/checkpoint")
        call(
            c, "get", "/api/v1/ledger/kinds/{kind}/schema", "/api/v1/ledger/kinds/inspection/schema"
        )
        call(c, "get", "/api/v1/ledger/audit")
        call(c, "get", "/api/v1/audit")
        call(
            c,
            "get",
            "/api/v1/scenarios/{scenario_id}/compliance",
            f"/api/v1/scenarios/{sid}/compliance",
            params={"at": "2004-06-01"},
        )
        call(
            c, "get", "/api/v1/scenarios/{scenario_id}/beliefs", f"/api/v1/scenarios/{sid}/beliefs"
        )
    with d.client("state") as c:
        added = call(
            c, "post", "/api/v1/ledger/records", json={"records": [d.sign("state", declaration())]}
        )
        i = added["indices"][0]
        call(c, "get", "/api/v1/ledger/records", params={"start": i, "limit": 1})
        call(c, "get", "/api/v1/ledger/records/{index}", f"/api/v1/ledger/records/{i}")
        call(
            c,
            "get",
            "/api/v1/ledger/records/{index}/inclusion",
            f"/api/v1/ledger/records/{i}/inclusion",
        )
        call(c, "get", "/api/v1/ledger/consistency", params={"old": 1})
    with d.client("observer") as c:  # a witness's cosignature, then a witnessed checkpoint
        info = call(c, "get", "/api/v1/ledger")
        note = call(c, "get", "/api/v1/ledger/checkpoint")["note"]
        witness = generate_witness_key("openapi.example/witness")
        with tempfile.TemporaryDirectory() as tmp:
            state = WitnessState.create(Path(tmp) / "w.json", witness)
            done = cosign_checkpoint(state, witness, note, log_vkey=info["verifier_key"])
        body = {"checkpoint": done.note, "witness_key": witness.vkey}
        call(c, "post", "/api/v1/ledger/cosignatures", json=body)
        cp = call(c, "get", "/api/v1/ledger/checkpoint")
        assert cp["witnessed"] is not None and cp["cosignatures"]
    json_routes = {
        (m, p)
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
        for code, r in op["responses"].items()
        if code.startswith("2") and "application/json" in r.get("content", {})
    }
    assert json_routes - seen == set()
