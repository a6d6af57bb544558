"""Secrets never leave the process, and bad input is always a 4xx (issue 11, "the service").

Against real `cvid serve` processes and in-thread uvicorn servers over HTTP, on SQLite and
PostgreSQL (a password in the PostgreSQL URL: the server trusts local connections, so any
password works and the test can look for it everywhere).
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.scenario import example_path
from tests.web.conftest import (
    Deployment,
    free_port,
    login,
    new_pg_database,
    serve,
    start_deployment,
    stop,
)

LIBYA = example_path("libya-2003").read_text(encoding="utf-8")


def _with_password(url: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """A new PostgreSQL database of its own for one test."""
    with new_pg_database("cvid_sec") as url:
        yield url


@pytest.mark.slow
@pytest.mark.postgres
def test_the_database_password_is_in_no_response_and_no_log_line(
    fresh_pg: str, tmp_path: Path
) -> None:
    pg_database = fresh_pg
    password = "pw-" + secrets.token_hex(8)
    db = _with_password(pg_database, password)
    port = free_port()
    token_file = tmp_path / "admin.token"
    proc = serve(
        db, port, "--log-key", str(tmp_path / "log.key"), "--admin-token-file", str(token_file)
    )
    bodies: list[str] = []
    try:
        url = f"http://127.0.0.1:{port}"
        admin = {"Authorization": f"Bearer {token_file.read_text().strip()}"}
        with httpx.Client(base_url=url, headers=admin, timeout=60) as c:
            sid = c.post("/api/v1/scenarios", json={"toml": LIBYA}).json()["id"]
            aid = c.post(f"/api/v1/scenarios/{sid}/assessments").json()["id"]
            audit = c.get("/api/v1/ledger/audit")
            assert audit.status_code == 200
            assert audit.json()["source"] == _with_password(pg_database, "***")
            bodies.append(audit.text)
            spec = c.get("/api/v1/openapi.json").json()
            values = {"scenario_id": str(sid), "assessment_id": str(aid), "kind": "inspection"}
            values |= {"name": "root", "index": "0", "job_id": "1"}
            for path, ops in spec["paths"].items():
                if "get" in ops:  # every read, with good and with bad parameters
                    for p in (_fill(path, values), _fill(path, {k: "x" for k in values})):
                        r = c.get(p, params={"old": 1} if "consistency" in p else None)
                        bodies.append(" ".join([r.text, *r.headers.values()]))
            for bad in ("/api/v1/nope", "/api/v1/ledger/records/99", "/api/v1/audit?limit=0"):
                bodies.append(c.get(bad).text)
            bodies.append(c.post("/api/v1/ledger/records", json={"records": [{}]}).text)
            bodies.append(c.post("/api/v1/parties", content=b"{").text)
        with httpx.Client(base_url=url, timeout=60) as page:
            r = login(page, token_file.read_text().strip(), "/scenarios")
            bodies.append(" ".join(r.headers.values()))
            for p in ("/scenarios", "/ledger", "/timeline", "/access", "/audit", "/nope"):
                r = page.get(p)
                bodies.append(" ".join([r.text, *r.headers.values()]))
            bodies.append(page.get(f"/scenarios/{sid}").text)
            bodies.append(page.get(f"/assessments/{aid}").text)
        with httpx.Client(base_url=url, headers=admin, timeout=60) as c:
            log = c.get("/api/v1/audit", params={"limit": 1000}).json()
    finally:
        output = stop(proc)
    assert len(bodies) > 40
    assert output.strip(), "the server logged nothing at all"
    assert "cvid serving" in output
    leaks = [b[:200] for b in [*bodies, output, repr(log)] if password in b]
    assert leaks == []
    assert "***" in output  # the start-up line names the database, redacted


def test_unreachable_database_error_hides_the_password() -> None:
    password = "pw-" + secrets.token_hex(8)
    r = CliRunner().invoke(
        app, ["serve", "--db", f"postgresql://postgres:{password}@127.0.0.1:1/x"]
    )
    assert r.exit_code == 2
    assert "cannot use this database" in r.output
    assert password not in r.output
    assert "postgres:***@127.0.0.1:1/x" in r.output


# ---------------------------------------------------------------------- bad input is 4xx
def _bad_requests(d: Deployment, sid: int) -> list[tuple[str, httpx.Response]]:
    big = "9" * 20
    out = []
    with d.client("observer") as c:
        for at in ("2019-02-30", "2019-13-01", "2019-02-28T25:00:00Z", "garbage", "0000-00-00"):
            out.append((f"api at={at}", c.get(f"/api/v1/scenarios/{sid}/compliance?at={at}")))
        for p in (
            f"/api/v1/scenarios/{big}",
            f"/api/v1/assessments/{big}",
            f"/api/v1/simulations/{big}",
            f"/api/v1/scenarios/{big}/compliance",
            f"/api/v1/ledger/records/{big}",
            f"/api/v1/ledger/records/{big}/inclusion",
            f"/api/v1/ledger/consistency?old={big}",
            f"/api/v1/audit?offset={big}",
        ):
            out.append((p, c.get(p)))
    with httpx.Client(base_url=d.url, timeout=60) as page:
        assert login(page, d.tokens["observer"]).status_code == 303
        for at in ("2019-02-30", "garbage", "2019-02-28T25:00:00Z", "x" * 5000):
            out.append((f"page at={at[:20]}", page.get(f"/scenarios/{sid}/compliance?at={at}")))
        for p in (
            f"/scenarios/{big}",
            f"/scenarios/-{big}",
            f"/scenarios/{big}/compliance",
            f"/assessments/{big}",
            f"/assessments/{big}/report",
            f"/simulations/{big}",
            f"/ledger/records/{big}",
            f"/ledger/records/-{big}",
            f"/ledger?start={big}",
            f"/ledger?start=-{big}",
            "/scenarios/abc",
        ):
            out.append((p, page.get(p)))
    return out


def test_impossible_dates_and_huge_ids_are_4xx_never_500(dep: Deployment) -> None:
    with dep.client("admin") as c:
        sid = c.post("/api/v1/scenarios", json={"toml": LIBYA}).json()["id"]
    results = _bad_requests(dep, sid)
    wrong = [
        (what, r.status_code, r.text[:200])
        for what, r in results
        if not 400 <= r.status_code < 500 and not (r.status_code == 200 and "start=" in what)
    ]
    assert wrong == []
    by = dict(results)
    assert by["api at=2019-02-30"].status_code == 422
    assert "at" in by["api at=2019-02-30"].json()["detail"]
    assert by["page at=2019-02-30"].status_code == 422
    assert "not a date" in by["page at=garbage"].text
    assert by[f"/scenarios/{'9' * 20}"].status_code == 404
    with dep.client("observer") as c:  # a good date still works, and the server still serves
        assert c.get(f"/api/v1/scenarios/{sid}/compliance?at=2004-02-29").status_code == 200
        assert c.get("/api/v1/health").status_code == 200


@pytest.mark.slow
def test_schemathesis_finds_no_5xx_with_the_lockout_on(tmp_path: Path) -> None:
    """Every operation of the OpenAPI document, generated requests as admin and as observer,
    with a wrong token sent between them so the failed-login lockout (2 a minute) is on
    throughout: never a 5xx, and the valid tokens are never locked out."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable

    server, d = start_deployment(str(tmp_path / "st.db"), None, login_limit=2, login_window=60)
    try:
        with d.client("admin") as c:
            c.post("/api/v1/scenarios", json={"toml": LIBYA})
        schema = schemathesis.openapi.from_url(d.url + "/api/v1/openapi.json")
        schema.config.base_url = d.url
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20
        headers = {r: {"Authorization": f"Bearer {d.tokens[r]}"} for r in ("admin", "observer")}
        wrong = {"Authorization": "Bearer cvid_" + "x" * 43}
        seen: dict[str, int] = {}
        locked = 0

        def checker(op: Any) -> Any:
            @settings(
                max_examples=6,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            @given(case=op.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
            def check(case: Any) -> None:
                nonlocal locked
                bad = case.call(headers=wrong, timeout=60)
                assert bad.status_code in (401, 429) or op.path.endswith("/health"), bad.text
                locked += bad.status_code == 429
                for role, h in headers.items():
                    response = case.call(headers=h, timeout=60)
                    seen[op.label] = seen.get(op.label, 0) + 1
                    assert response.status_code < 500, (
                        f"{role}: {case.method} {case.formatted_path} -> "
                        f"{response.status_code}: {response.text[:300]}"
                    )
                    assert response.status_code != 429, "a valid token was locked out"

            return check

        for op in operations:
            with contextlib.suppress(Unsatisfiable):
                checker(op)()
        assert len(seen) == len(operations)  # every operation was called
        assert locked > 0  # the lockout was on
    finally:
        server.__exit__()
