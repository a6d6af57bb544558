"""The administration pages: an admin creates a party and its token, registers its key, rotates
and revokes tokens; each change takes effect at once and is in the audit log; no other role
may see or use the pages."""

# ruff: noqa: F811  (the fixtures imported from tests.web.browsing are parameters here)

from __future__ import annotations

import json
import secrets

import httpx
import pytest
from playwright.sync_api import expect

from cvid.ledger import generate_party_key
from tests.web.browsing import Tab, browser, tab  # noqa: F401
from tests.web.conftest import Deployment

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _me(d: Deployment, token: str) -> int:
    with d.client(token=token) as c:
        return c.get("/api/v1/me").status_code


def test_admin_creates_rotates_revokes_and_registers_keys(sqlite_dep: Deployment, tab: Tab) -> None:
    d, page = sqlite_dep, tab.page
    tab.login(d.url, d.tokens["admin"], "/admin")
    expect(page.locator("#parties")).to_contain_text("inspectors")

    # create a party without a key: its token is shown once
    page.fill("#party-name", "un-panel")
    page.select_option("#party-role", "observer")
    page.click("#create-party")
    token = page.inner_text("#new-token").strip()
    assert token.startswith("cvid_") and _me(d, token) == 200
    row = page.locator("#party-un-panel")
    expect(row).to_contain_text("observer")
    expect(row).to_contain_text("active")

    # register its key by pasting the .pub file
    key = generate_party_key("un-panel", "observer")
    row.locator("input[name=public_key]").fill(json.dumps(key.public.to_json()))
    row.get_by_role("button", name="Register key").click()
    expect(page.locator("#ok")).to_contain_text("public key of un-panel is registered")
    expect(page.locator("#party-un-panel")).to_contain_text(key.public.public_key_b64)
    with d.client("observer") as c:
        listed = {p["name"]: p for p in c.get("/api/v1/parties").json()}
    assert listed["un-panel"]["public_key"] == key.public.public_key_b64

    # a private key pasted by mistake is refused and not stored
    with d.client("admin") as c:
        r = c.post("/api/v1/parties", json={"name": "no-key", "role": "state"})
        assert r.status_code == 201
    page.goto(d.url + "/admin")
    secret = {"party": "no-key", "role": "state", "algorithm": "ed25519", "private_key": "x"}
    page.locator("#party-no-key input[name=public_key]").fill(json.dumps(secret))
    page.locator("#party-no-key").get_by_role("button", name="Register key").click()
    expect(page.locator("#error")).to_contain_text("never the private key")

    # rotate: the old token stops working at once, the new one works
    page.get_by_role("button", name="rotate the token of un-panel").click()
    new = page.inner_text("#new-token").strip()
    assert new != token and _me(d, token) == 401 and _me(d, new) == 200

    # revoke: no token works; issuing one again brings the party back
    page.get_by_role("button", name="revoke the token of un-panel").click()
    expect(page.locator("#ok")).to_contain_text("token of un-panel is revoked")
    expect(page.locator("#party-un-panel")).to_contain_text("revoked")
    assert _me(d, new) == 401
    page.get_by_role("button", name="issue the token of un-panel").click()
    again = page.inner_text("#new-token").strip()
    assert _me(d, again) == 200

    # a bad name is refused with the reason
    page.fill("#party-name", "Bad Name")
    page.evaluate("document.getElementById('party-name').removeAttribute('pattern')")
    page.click("#create-party")
    expect(page.locator("#error")).to_contain_text("a party name is 1-64 characters")

    # every change is in the audit log, linked from the page
    page.click("#audit-link")
    page.wait_for_url("**/audit")
    log = page.inner_text("#audit")
    for what in (
        "created party un-panel (observer)",
        "registered the key of un-panel",
        "new token for un-panel",
        "revoked the token of un-panel",
    ):
        assert what in log, what
    assert token not in log and new not in log and again not in log
    # the only console messages are the two refused forms' HTTP 422 answers
    assert [e for e in tab.errors if "status of 422" not in e] == [], tab.errors
    assert len(tab.errors) == 2


@pytest.mark.parametrize("role", ["inspectorate", "state", "observer"])
def test_other_roles_may_not_administer(sqlite_dep: Deployment, tab: Tab, role: str) -> None:
    d, page = sqlite_dep, tab.page
    tab.login(d.url, d.tokens[role], "/")
    assert page.locator("nav a[href='/admin']").count() == 0
    r = page.goto(d.url + "/admin")
    assert r is not None and r.status == 403
    cookies = {"cvid_token": d.tokens[role]}
    with httpx.Client(base_url=d.url, cookies=cookies) as c:
        csrf = c.get("/ledger/sign").text.split('data-csrf="')[1].split('"')[0]
        r = c.post("/admin/parties/dprk/token", data={"csrf": csrf})
        assert r.status_code == 403
    assert _me(d, d.tokens["state"]) == 200  # nothing was rotated


def test_admin_forms_need_the_anti_forgery_value(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    with httpx.Client(base_url=d.url, cookies={"cvid_token": d.tokens["admin"]}) as c:
        r = c.post("/admin/parties", data={"csrf": "wrong", "name": "x1", "role": "state"})
        assert r.status_code == 403
        names = [p["name"] for p in c.get("/api/v1/parties").json()]
    assert "x1" not in names


def test_admin_forms_on_sqlite_and_postgresql(dep: Deployment) -> None:
    """Create, revoke and issue again through the admin forms, on both databases; the
    dashboard lists the simulation jobs there too."""
    name = f"p-{secrets.token_hex(4)}"
    with httpx.Client(base_url=dep.url, cookies={"cvid_token": dep.tokens["admin"]}) as c:
        csrf = c.get("/admin").text.split('name="csrf" value="')[1].split('"')[0]
        r = c.post("/admin/parties", data={"csrf": csrf, "name": name, "role": "state"})
        assert r.status_code == 201, r.text
        token = r.text.split('id="new-token">')[1].split("<")[0].strip()
        assert _me(dep, token) == 200
        r = c.post(f"/admin/parties/{name}/revoke", data={"csrf": csrf})
        assert r.status_code == 200 and f'id="party-{name}"' in r.text
        row = r.text.split(f'id="party-{name}"')[1].split("</tr>")[0]
        assert "token-revoked" in row
        assert _me(dep, token) == 401
        r = c.post(f"/admin/parties/{name}/token", data={"csrf": csrf})
        again = r.text.split('id="new-token">')[1].split("<")[0].strip()
        assert _me(dep, again) == 200
        r = c.post(f"/admin/parties/{name}/revoke", data={"csrf": csrf})
        r = c.post(f"/admin/parties/{name}/revoke", data={"csrf": csrf})  # twice: still fine
        assert r.status_code == 200
        assert c.post("/admin/parties/nobody/revoke", data={"csrf": csrf}).status_code == 404
        assert c.get("/").status_code == 200
