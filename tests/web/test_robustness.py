"""Hostile input over HTTP (Hypothesis-generated JSON and text, deep nesting, junk headers):
always a 4xx with a message, never a 5xx, never a changed ledger."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import Deployment

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def _raw(d: Deployment, request: bytes) -> int:
    """Send bytes httpx would refuse to send; the response's status code."""
    import socket

    host, port = d.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


def _size(d: Deployment) -> int:
    with d.client("observer") as c:
        return int(c.get("/api/v1/ledger").json()["tree_size"])


def test_generated_records_are_refused_with_4xx(sqlite_dep: Deployment) -> None:
    size = _size(sqlite_dep)
    signer = {"name": "inspectors", "role": "inspectorate", "public_key": "A" * 43 + "="}

    with sqlite_dep.client("inspectorate") as c:

        @SETTINGS
        @given(value=JSON, kind=st.sampled_from(["inspection", "finding", "nope", 3]))
        def check(value: Any, kind: Any) -> None:
            for rec in (value, {"kind": kind, "payload": value, "signer": signer}):
                r = c.post("/api/v1/ledger/records", json={"records": [rec]})
                assert 400 <= r.status_code < 500, r.text
                assert r.json()["detail"]

        check()
    assert _size(sqlite_dep) == size


def test_generated_scenario_text_never_breaks_validation(sqlite_dep: Deployment) -> None:
    with sqlite_dep.client("admin") as c:

        @SETTINGS
        @given(text=st.text(max_size=300))
        def check(text: str) -> None:
            r = c.post("/api/v1/scenarios/validate", json={"toml": text})
            assert r.status_code in (200, 422), r.text
            if r.status_code == 200:
                assert r.json()["valid"] is False or r.json()["problems"] == []

        check()


def test_deep_nesting_and_junk_are_4xx(sqlite_dep: Deployment) -> None:
    size = _size(sqlite_dep)
    with sqlite_dep.client("inspectorate") as c:
        deep_json = b'{"records": [' + b"[" * 200_000 + b"]" * 200_000 + b"]}"
        r = c.post(
            "/api/v1/ledger/records",
            content=deep_json,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400
        deep_toml = "a = " + "[" * 50_000 + "]" * 50_000
        r = c.post("/api/v1/scenarios/validate", json={"toml": deep_toml})
        assert r.status_code == 200
        assert r.json()["problems"][0]["reason"] == "nested too deeply to be a scenario"
        r = c.post("/api/v1/scenarios", json={"toml": deep_toml})
        assert r.status_code == 422
        r = c.post(
            "/api/v1/ledger/records",
            content=b"\xff\xfe{}",
            headers={"content-type": "application/json"},
        )
        assert 400 <= r.status_code < 500
        status = _raw(
            sqlite_dep,
            b"POST /api/v1/ledger/records HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n\r\n{}",
        )
        assert 400 <= status < 500
        r = c.post(
            "/api/v1/ledger/records",
            json={"records": [{}]},
            headers={"Authorization": "Bearer " + "x" * 5000},
        )
        assert r.status_code == 401
    with sqlite_dep.client("observer") as c:
        assert c.get("/api/v1/ledger/records/" + "9" * 40).status_code == 422
        assert c.get("/api/v1/ledger/records", params={"limit": 10**6}).status_code == 422
        assert c.get("/api/v1/health").status_code == 200  # still serving
    assert _size(sqlite_dep) == size
