"""Refusals are audited, unauthenticated floods cannot grow the audit log without bound,
forwarded addresses count only from a trusted proxy, and the login lockout stops wrong
guesses but never a valid token (issue 11, "the service"). Real servers over HTTP."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import Deployment, free_port, serve, start_deployment, stop
from tests.web.records import record


def _audit(d: Deployment) -> list[dict[str, Any]]:
    with d.client("admin") as c:
        rows: list[dict[str, Any]] = c.get("/api/v1/audit", params={"limit": 1000}).json()
    return rows


def test_bodies_refused_by_the_size_limit_are_audited(tmp_path: Path) -> None:
    server, d = start_deployment(str(tmp_path / "big.db"), None, max_body=4096)
    try:
        big = {"records": [d.sign("inspectorate", record("inspection"))] * 20}
        with d.client("inspectorate") as c:
            r = c.post("/api/v1/ledger/records", json=big)  # announced by Content-Length
            assert r.status_code == 413

            def chunks() -> Any:
                for _ in range(10):
                    yield b"x" * 1000

            r = c.post(  # streamed without a length
                "/api/v1/scenarios", content=chunks(), headers={"content-type": "text/plain"}
            )
            assert r.status_code == 413
        rows = [x for x in _audit(d) if x["status"] == 413]
        assert {x["path"] for x in rows} == {"/api/v1/ledger/records", "/api/v1/scenarios"}
        assert all("request body larger than 4096 bytes" in x["detail"] for x in rows)
        assert all(x["client"] == "127.0.0.1" for x in rows)
    finally:
        server.__exit__()


def test_an_unauthenticated_flood_adds_a_bounded_number_of_audit_rows(tmp_path: Path) -> None:
    server, d = start_deployment(
        str(tmp_path / "flood.db"), None, audit_burst=5, audit_rate=0.5, audit_window=1.0
    )
    try:
        flood = 200
        t0 = time.monotonic()
        with httpx.Client(base_url=d.url, timeout=60) as anon:
            for n in range(flood):
                if n and n % 50 == 0:  # the flood spans several 1-s windows, as on a slow CI
                    time.sleep(0.6)
                if n % 2:
                    r = anon.post("/api/v1/ledger/records", json={"records": [{}]})
                else:  # unauthenticated reads that are refused are audited too
                    r = anon.get("/api/v1/me")
                assert r.status_code == 401
        elapsed = time.monotonic() - t0
        with d.client("inspectorate") as c:  # an accountable write is always logged
            signed = d.sign("inspectorate", record("inspection"))
            assert c.post("/api/v1/ledger/records", json={"records": [signed]}).status_code == 201
        # The summary of the last window is written only once that window has ended, so wait
        # for every refused request to be logged or counted (waiting for the first summary
        # row only was the CI failure "5 + 194 == 200": a flood longer than one window had
        # its last window's summary still pending).
        deadline = time.monotonic() + 20
        while True:
            rows = [x for x in _audit(d) if x["party"] is None]
            one_by_one = [x for x in rows if x["method"] != "SUMMARY"]
            summaries = [x for x in rows if x["method"] == "SUMMARY"]
            counted = sum(int(x["detail"].split()[2]) for x in summaries)
            if len(one_by_one) + counted >= flood or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(one_by_one) <= 5 + 0.5 * elapsed + 1
        assert {x["status"] for x in one_by_one} == {401}
        assert {x["method"] for x in one_by_one} == {"GET", "POST"}
        assert len(one_by_one) + counted == flood  # every request is logged or counted
        assert len(summaries) <= elapsed / 1.0 + 2  # at most one summary per window
        assert "not logged one by one" in summaries[0]["detail"]
        assert any(x["party"] == "inspectors" and x["status"] == 201 for x in _audit(d))
    finally:
        server.__exit__()


def _bad_login(url: str, forwarded: str | None) -> httpx.Response:
    headers = {"Authorization": "Bearer cvid_wrong"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    return httpx.get(url + "/api/v1/me", headers=headers, timeout=60)


@pytest.mark.slow
def test_cvid_serve_ignores_x_forwarded_for_by_default(tmp_path: Path) -> None:
    """`cvid serve` as users run it: a client on loopback cannot forge its recorded address
    with X-Forwarded-For, nor escape the lockout by changing it."""
    port = free_port()
    token_file = tmp_path / "admin.token"
    proc = serve(str(tmp_path / "xff.db"), port, "--admin-token-file", str(token_file))
    url = f"http://127.0.0.1:{port}"
    try:
        codes = [_bad_login(url, f"198.51.100.{n}").status_code for n in range(12)]
        assert codes == [401] * 10 + [429] * 2  # the default limit: 10 a minute
        r = httpx.post(
            url + "/api/v1/ledger/records",
            json={"records": [{}]},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert r.status_code == 401
        admin = {"Authorization": f"Bearer {token_file.read_text().strip()}"}
        me = httpx.get(url + "/api/v1/me", headers=admin, timeout=60)
        assert me.status_code == 200  # the valid token still works from the locked address
        rows = httpx.get(url + "/api/v1/audit", headers=admin, timeout=60).json()
    finally:
        stop(proc)
    assert rows, "refusals were not audited"
    assert {x["client"] for x in rows} == {"127.0.0.1"}


def test_a_trusted_proxy_forwards_the_client_address_and_scheme(tmp_path: Path) -> None:
    server, d = start_deployment(
        str(tmp_path / "proxy.db"), None, trusted_proxies=["127.0.0.1"], login_limit=2
    )
    try:
        assert [_bad_login(d.url, "203.0.113.5").status_code for _ in range(3)] == [401, 401, 429]
        # another client behind the same proxy is not locked out
        assert _bad_login(d.url, "203.0.113.6").status_code == 401
        # the client writes the left part of the header: only the proxy's last hop counts
        assert _bad_login(d.url, "203.0.113.6, 203.0.113.5").status_code == 429
        assert _bad_login(d.url, "junk").status_code == 401  # falls back to the proxy
        clients = {x["client"] for x in _audit(d) if x["party"] is None}
        assert clients == {"203.0.113.5", "203.0.113.6", "127.0.0.1"}
        with httpx.Client(base_url=d.url, headers={"X-Forwarded-Proto": "https"}) as c:
            # the browser speaks https to the proxy: every cookie is Secure
            page = c.get("/login")
            assert "secure" in page.headers["set-cookie"].lower()
            nonce = page.headers["set-cookie"].split(";")[0].split("=", 1)[1]
            form = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
            assert form
            r = c.post(
                "/login",
                data={"token": d.tokens["state"], "csrf": form.group(1)},
                headers={"Cookie": f"cvid_login={nonce}", "Origin": "https://" + d.url[7:]},
            )
            assert r.status_code == 303, r.text
            assert "secure" in r.headers["set-cookie"].lower()
    finally:
        server.__exit__()


def test_trusted_proxy_setting_refuses_junk(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cvid.cli import app

    r = CliRunner().invoke(
        app, ["serve", "--db", str(tmp_path / "x.db"), "--trusted-proxy", "not-an-ip"]
    )
    assert r.exit_code == 2
    assert "--trusted-proxy" in r.output
    assert "not an IP address" in r.output
    assert not (tmp_path / "x.db").exists()  # nothing written
