"""Browser sessions are separate from API tokens, expire, end at logout, carry Secure over
TLS; login, logout and every form are protected against cross-site requests (issue 11).
Real servers over HTTP (and HTTPS for the Secure flag)."""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from cvid.web import Service, create_app
from tests.web.conftest import Deployment, free_port, login, start_deployment
from tests.web.records import record


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, "no anti-forgery value in the form"
    return m.group(1)


def _cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie set")


def _audit(d: Deployment) -> list[dict[str, Any]]:
    with d.client("admin") as c:
        rows: list[dict[str, Any]] = c.get("/api/v1/audit", params={"limit": 1000}).json()
    return rows


def test_the_session_cookie_is_a_random_id_not_the_token(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    token = d.tokens["observer"]
    with httpx.Client(base_url=d.url) as c:
        r = login(c, token, "/ledger")
        assert r.status_code == 303
        header = _cookie(r, "cvid_session")
        assert token not in " ".join(r.headers.get_list("set-cookie"))
        attrs = header.lower()
        assert "httponly" in attrs
        assert "samesite=strict" in attrs
        assert "secure" not in attrs  # plain http: a Secure cookie would never come back
        assert "max-age=" in attrs  # not a never-expiring cookie
        sid = header.split(";")[0].split("=", 1)[1]
        assert sid != token
        assert c.get("/ledger").status_code == 200
    # the session id is no API token, and the token is no session id
    with d.client(token=sid) as api:
        assert api.get("/api/v1/me").status_code == 401
    with httpx.Client(base_url=d.url, cookies={"cvid_session": token}) as c:
        assert c.get("/ledger").status_code == 303


def test_logout_revokes_the_session_on_the_server(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    with httpx.Client(base_url=d.url) as c:
        login(c, d.tokens["state"], "/scenarios")
        sid = c.cookies["cvid_session"]
        page = c.get("/scenarios").text
        assert c.post("/logout").status_code == 403  # no anti-forgery value: refused
        assert c.get("/scenarios").status_code == 200  # and the session lives on
        r = c.post("/logout", data={"csrf": _csrf(page)})
        assert r.status_code == 303
        assert r.headers["location"] == "/login"
    # a copy of the old cookie no longer opens anything
    with httpx.Client(base_url=d.url, cookies={"cvid_session": sid}) as c:
        r = c.get("/scenarios")
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")
        assert c.get("/api/v1/me").status_code == 401
    rows = [x for x in _audit(d) if x["path"] == "/logout"]
    assert rows[0]["detail"] == "logged out"
    assert rows[0]["party"] == "dprk"
    assert rows[1]["status"] == 403


def test_sessions_expire_when_idle_and_absolutely(tmp_path: Path) -> None:
    server, d = start_deployment(
        str(tmp_path / "exp.db"), None, session_idle=1.5, session_absolute=4.0
    )
    try:
        with httpx.Client(base_url=d.url) as c:
            login(c, d.tokens["observer"], "/ledger")
            assert c.get("/ledger").status_code == 200
            time.sleep(2.0)  # idle longer than 1.5 s
            r = c.get("/ledger")
            assert r.status_code == 303
            assert "session%20has%20ended" in r.headers["location"]
        with httpx.Client(base_url=d.url) as c:
            login(c, d.tokens["observer"], "/ledger")
            t0 = time.monotonic()
            while time.monotonic() - t0 < 3.5:  # in use, never idle for long
                assert c.get("/ledger").status_code == 200
                time.sleep(0.5)
            time.sleep(max(0.0, 4.2 - (time.monotonic() - t0)))
            assert c.get("/ledger").status_code == 303  # 4 s after login: over
    finally:
        server.__exit__()


def test_the_cookie_outlives_the_session_whatever_the_clients_second(tmp_path: Path) -> None:
    """Regression: the cookie's Max-Age was the session's length, and Python's cookie jar (as
    browsers that count whole seconds) dates it from ``int(time.time())``, so a login late in a
    wall-clock second lost its cookie up to a second before the session ended (the CI failure
    "303 instead of 200" in the test above). Logging in at x.9 s makes that deterministic."""
    server, d = start_deployment(
        str(tmp_path / "sec.db"), None, session_idle=30.0, session_absolute=4.0
    )
    try:
        with httpx.Client(base_url=d.url) as c:
            page = c.get("/login")
            while not 0.85 <= time.time() % 1.0 < 0.95:  # late in the current second
                time.sleep(0.01)
            r = c.post(
                "/login",
                data={"token": d.tokens["observer"], "next": "/ledger", "csrf": _csrf(page.text)},
            )
            t0 = time.monotonic()
            assert r.status_code == 303
            m = re.search(r"cvid_session=[^;]+;.*?Max-Age=(\d+)", r.headers["set-cookie"], re.I)
            assert m and int(m.group(1)) > 4
            time.sleep(max(0.0, 3.3 - (time.monotonic() - t0)))
            assert c.get("/ledger").status_code == 200  # 3.3 s in: the session is live
            time.sleep(max(0.0, 4.2 - (time.monotonic() - t0)))
            r = c.get("/ledger")  # the server ends it, and says so
            assert r.status_code == 303
            assert "session%20has%20ended" in r.headers["location"]
    finally:
        server.__exit__()


def test_a_new_token_ends_the_partys_sessions(tmp_path: Path) -> None:
    server, d = start_deployment(str(tmp_path / "rot.db"), None)
    try:
        with httpx.Client(base_url=d.url) as c:
            login(c, d.tokens["inspectorate"], "/ledger")
            assert c.get("/ledger").status_code == 200
            with d.client("admin") as admin:
                assert admin.post("/api/v1/parties/inspectors/token").status_code == 200
            assert c.get("/ledger").status_code == 303
    finally:
        server.__exit__()


def test_login_needs_its_form_value_and_cross_site_posts_are_refused(
    sqlite_dep: Deployment,
) -> None:
    d = sqlite_dep
    token = d.tokens["inspectorate"]
    evil = {"Origin": "https://evil.example"}
    with httpx.Client(base_url=d.url) as c:
        r = c.post("/login", data={"token": token})  # a form that did not come from us
        assert r.status_code == 403
        assert "cvid_session" not in r.headers.get("set-cookie", "")
        page = c.get("/login")
        form = _csrf(page.text)
        assert c.post("/login", data={"token": token, "csrf": "0" * 64}).status_code == 403
        r = c.post("/login", data={"token": token, "csrf": form}, headers=evil)
        assert r.status_code == 403
        assert "cross-site" in r.text
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Referer": "https://evil.example/x"}):
            assert (
                c.post("/login", data={"token": token, "csrf": form}, headers=headers).status_code
                == 403
            )
        same = {"Origin": d.url, "Sec-Fetch-Site": "same-origin"}
        r = c.post("/login", data={"token": token, "csrf": form}, headers=same)
        assert r.status_code == 303
        # logged in: the forms of the session refuse cross-site posts even with their value
        ledger = c.get("/ledger").text
        size = c.get("/api/v1/ledger").json()["tree_size"]
        signed = d.sign("inspectorate", record("inspection"))
        data = {"csrf": _csrf(ledger), "records": json.dumps(signed)}
        assert c.post("/ledger/append", data=data, headers=evil).status_code == 403
        assert c.post("/logout", data={"csrf": _csrf(ledger)}, headers=evil).status_code == 403
        assert c.get("/ledger").status_code == 200  # still logged in
        assert c.get("/api/v1/ledger").json()["tree_size"] == size
        assert c.post("/ledger/append", data=data, headers=same).status_code == 303
    rows = [x for x in _audit(d) if x["path"] in ("/login", "/logout", "/ledger/append")]
    refused = [x for x in rows if x["status"] == 403]
    assert len(refused) >= 7
    assert sum("cross-site request refused" in x["detail"] for x in refused) >= 5
    assert any("stale or from another site" in x["detail"] for x in refused)


# ---------------------------------------------------------------------- Secure over TLS
def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    cert, key = _self_signed(tmp_path)
    db = str(tmp_path / "tls.db")
    svc = Service(db)
    token = svc.ensure_admin("root") or ""
    port = free_port()
    config = uvicorn.Config(
        create_app(db, service=svc),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=False,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "no TLS server"
        time.sleep(0.02)
    try:
        yield f"https://127.0.0.1:{port}", token
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_cookies_are_secure_over_tls(tls_server: tuple[str, str]) -> None:
    url, token = tls_server
    with httpx.Client(base_url=url, verify=False) as c:
        page = c.get("/login")
        assert "secure" in _cookie(page, "cvid_login").lower()
        r = login(c, token, "/scenarios")
        assert r.status_code == 303
        session = _cookie(r, "cvid_session").lower()
        assert "secure" in session and "httponly" in session and "samesite=strict" in session
        assert c.get("/scenarios").status_code == 200
