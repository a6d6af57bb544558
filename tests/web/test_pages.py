"""Server-rendered pages over HTTP: login, forms with anti-forgery values, what they show."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from cvid.scenario import example_path
from tests.web.conftest import Deployment, login
from tests.web.records import record

LIBYA = example_path("libya-2003").read_text(encoding="utf-8")


@contextmanager
def session(d: Deployment, role: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=d.url, timeout=60) as c:
        r = login(c, d.tokens[role], "/scenarios")
        assert r.status_code == 303
        assert r.headers["location"] == "/scenarios"
        assert "httponly" in r.headers["set-cookie"].lower()
        assert "samesite=strict" in r.headers["set-cookie"].lower()
        yield c


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, "no anti-forgery value in the form"
    return m.group(1)


def test_login_with_bad_token_shows_error_and_logins_are_audited(sqlite_dep: Deployment) -> None:
    with httpx.Client(base_url=sqlite_dep.url) as c:
        r = login(c, "cvid_wrong", "//evil.example/")
        assert r.status_code == 401
        assert "invalid token" in r.text
        r = login(c, sqlite_dep.tokens["state"], "//evil.example/")
        assert r.headers["location"] == "/"  # no open redirect
    with sqlite_dep.client("admin") as c:
        lines = [x for x in c.get("/api/v1/audit").json() if x["path"] == "/login"]
    assert lines[0]["party"] == "dprk"
    assert lines[0]["detail"] == "logged in as dprk"
    assert lines[1]["party"] is None
    assert lines[1]["detail"] == "login failed: invalid token"
    assert lines[1]["status"] == 401
    assert sqlite_dep.tokens["state"] not in str(lines)


def test_upload_assess_and_append_through_forms(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    with session(d, "inspectorate") as c:
        page = c.get("/scenarios").text
        r = c.post("/scenarios", data={"csrf": csrf(page), "toml": LIBYA})
        assert r.status_code == 303
        scenario_url = r.headers["location"]
        page = c.get(scenario_url).text
        assert "libya-2003" in page
        r = c.post(scenario_url + "/assess", data={"csrf": csrf(page)})
        assert r.status_code == 303
        page = c.get(r.headers["location"]).text
        assert 'id="scorecard"' in page
        assert re.search(r'id="overall">(PASS|WARN|FAIL)<', page)
        # append a record signed with the inspectorate's key through the ledger page
        page = c.get("/ledger").text
        signed = d.sign("inspectorate", record("access-request", "2019-05-01T00:00:00Z"))
        r = c.post("/ledger/append", data={"csrf": csrf(page), "records": json.dumps(signed)})
        assert r.status_code == 303
        assert "ok=appended" in r.headers["location"]
        index = int(r.headers["location"].rsplit("%20", 1)[-1])
    with d.client("observer") as api:
        lines = api.get("/api/v1/audit").json()
    page_write = [x for x in lines if x["path"] == "/ledger/append" and x["status"] == 303]
    assert page_write[0]["party"] == "inspectors"
    assert page_write[0]["detail"] == f"appended records {index}..{index}"
    with session(d, "state") as c:
        page = c.get("/ledger").text
        answer = d.sign("state", record("access-granted", "2019-05-03T12:00:00Z"))
        r = c.post("/ledger/append", data={"csrf": csrf(page), "records": json.dumps([answer])})
        assert "ok=appended" in r.headers["location"]
        access = c.get("/access").text
        assert "granted (full)" in access
        assert "<td>60.0</td>" in access  # 2.5 days between request and answer
        timeline = c.get("/timeline").text
        assert "access-request" in timeline
        assert "access-granted" in timeline


def test_forms_refuse_missing_or_wrong_anti_forgery_value(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    with session(d, "admin") as c:
        size = c.get("/api/v1/ledger").json()["tree_size"]
        signed = d.sign("admin", record("concession"))
        r = c.post("/ledger/append", data={"csrf": "0" * 64, "records": json.dumps(signed)})
        assert r.status_code == 403
        assert "stale" in r.text
        r = c.post("/scenarios", data={"toml": LIBYA})
        assert r.status_code == 422
        assert c.get("/api/v1/ledger").json()["tree_size"] == size


def test_cookie_session_cannot_write_through_the_api(sqlite_dep: Deployment) -> None:
    with session(sqlite_dep, "admin") as c:
        assert c.get("/api/v1/me").status_code == 200  # reads with the page session work
        r = c.post("/api/v1/parties", json={"name": "sneaky", "role": "admin"})
        assert r.status_code == 401


def test_bad_page_input_is_4xx_html(sqlite_dep: Deployment) -> None:
    with session(sqlite_dep, "inspectorate") as c:
        page = c.get("/ledger").text
        r = c.post("/ledger/append", data={"csrf": csrf(page), "records": "{oops"})
        assert r.status_code == 303
        assert "error=" in r.headers["location"]
        assert "not JSON" in c.get(r.headers["location"]).text
        page = c.get("/scenarios").text
        r = c.post("/scenarios", data={"csrf": csrf(page), "toml": "x = "})
        assert r.status_code == 422
        assert "invalid TOML" in r.text
        assert c.get("/scenarios/99999").status_code == 404
        assert c.get("/ledger/records/99999").status_code == 404


def test_pages_forbid_foreign_scripts_and_framing(sqlite_dep: Deployment) -> None:
    with session(sqlite_dep, "observer") as c:
        r = c.get("/ledger")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "http" not in re.sub(r'href="/[^"]*"', "", r.text.split("<main>")[0])  # no CDN links


def test_page_logins_share_the_failed_login_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import start_deployment

    server, d = start_deployment(str(tmp_path / "rl.db"), None, login_limit=2, login_window=30)
    try:
        with httpx.Client(base_url=d.url) as c:
            codes = [login(c, "cvid_guess").status_code for _ in range(2)]
            assert codes == [401, 401]
            r = login(c, "cvid_guess")  # further wrong guesses are locked out
            assert r.status_code == 429
            assert "too many failed logins" in r.text
            r = login(c, d.tokens["admin"])  # the holder of a valid token is not
            assert r.status_code == 303
        with d.client(token="cvid_guess") as api:  # the API shares the lockout
            assert api.get("/api/v1/me").status_code == 429
        with d.client("admin") as api:
            assert api.get("/api/v1/me").status_code == 200
    finally:
        server.__exit__()
