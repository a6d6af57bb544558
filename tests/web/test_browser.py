"""Browser tests: Playwright for Python driving Debian's chromium (no downloaded browser).

Each role logs in through the form; pages load without console errors (a screenshot of each);
the inspectorate uploads a scenario, runs an assessment, appends evidence; the proof of a record
is verified in the page with Web Crypto, and the page's verifier is checked against Python's.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvid.ledger import leaf_hash, node_hash
from cvid.scenario import example_path
from tests.web.conftest import ROLES, Deployment
from tests.web.records import record

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAGES = {
    "scenarios": "/scenarios",
    "ledger": "/ledger",
    "timeline": "/timeline",
    "access": "/access",
    "audit": "/audit",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which("chromium") is None or not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (run scripts/setup-system.sh)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def login(self, d: Deployment, role: str) -> None:
        self.page.goto(d.url + "/scenarios")
        assert "/login" in self.page.url
        self.page.fill("#token", d.tokens[role])
        self.page.click("#login")
        self.page.wait_for_url("**/scenarios")
        assert self.page.inner_text("#who").startswith(d.keys[role].name)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.close()


OWN_KIND = {
    "inspectorate": "inspection",
    "state": "declaration",
    "observer": "observation",
    "admin": "concession",
}


@pytest.fixture(scope="module")
def shared_scenario(sqlite_dep: Deployment) -> int:
    with sqlite_dep.client("admin") as c:
        toml = example_path("six-party-2007").read_text(encoding="utf-8")
        sid: int = c.post("/api/v1/scenarios", json={"toml": toml}).json()["id"]
    return sid


@pytest.mark.parametrize("role", ROLES)
def test_each_role_works_through_its_pages_without_console_errors(
    sqlite_dep: Deployment, watched: Watched, role: str, shared_scenario: int, tmp_path: Path
) -> None:
    d, page = sqlite_dep, watched.page
    watched.login(d, role)
    may_upload = role in ("admin", "inspectorate")
    assert (page.locator("#upload-form").count() == 1) == may_upload
    if may_upload:  # upload a scenario file through the form
        page.set_input_files("#file", str(example_path("libya-2003")))
        page.click("#upload")
        page.wait_for_url("**/scenarios/*")
    else:
        page.goto(f"{d.url}/scenarios/{shared_scenario}")
    scenario_url = page.url
    page.click("#assess")  # every role may run an assessment
    page.wait_for_url("**/assessments/*")
    assert page.inner_text("#overall") in ("PASS", "WARN", "FAIL")
    page.screenshot(path=str(tmp_path / f"{role}-assessment.png"), full_page=True)
    page.goto(scenario_url)
    if page.locator("#compliance-link").count():
        page.click("#compliance-link")
        page.wait_for_selector("#commitments")
        page.screenshot(path=str(tmp_path / f"{role}-compliance.png"), full_page=True)
    # append evidence of a kind this role may sign, then verify its proof in the page
    page.goto(d.url + "/ledger")
    signed = d.sign(role, record(OWN_KIND[role], "2019-07-01T00:00:00Z"))
    page.fill("#records-json", json.dumps(signed))
    page.click("#append")
    page.wait_for_selector("#ok")
    index = int(page.inner_text("#ok").split()[-1])
    page.click(f'button.verify[data-index="{index}"]')
    result = page.locator(f"#result-{index}")
    page.wait_for_function(
        f"() => document.getElementById('result-{index}').textContent.startsWith('✓')"
        f" || document.getElementById('result-{index}').textContent.startsWith('✗')"
    )
    assert result.inner_text().startswith("✓ included in the tree of"), result.inner_text()
    # every page, with a screenshot; the audit log is for admin and observer only
    for name, path in {**PAGES, "record": f"/ledger/records/{index}"}.items():
        response = page.goto(d.url + path)
        assert response is not None
        may = name != "audit" or role in ("admin", "observer")
        assert response.status == (200 if may else 403), name
        shot = tmp_path / f"{role}-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 2000
    # a refused page answers 403, which the browser logs as a failed resource; nothing else
    assert [e for e in watched.errors if "403" not in e] == []


def test_upload_assess_append_and_verify_in_the_page(
    sqlite_dep: Deployment, watched: Watched, tmp_path: Path
) -> None:
    d = sqlite_dep
    page = watched.page
    watched.login(d, "inspectorate")
    page.set_input_files("#file", str(example_path("libya-2003")))
    page.click("#upload")
    page.wait_for_url("**/scenarios/*")
    assert "libya-2003" in page.inner_text("h1")
    scenario_url = page.url
    page.click("#assess")
    page.wait_for_url("**/assessments/*")
    assert page.inner_text("#overall") in ("PASS", "WARN", "FAIL")
    assert page.locator("#scorecard tbody tr").count() == 4
    page.screenshot(path=str(tmp_path / "assessment.png"), full_page=True)
    assert page.locator("#report-link").count() == 1
    page.wait_for_selector("#report-frame:not([hidden])", timeout=60_000)  # embedded report
    frame = page.frame_locator("#report-frame")
    frame.locator("svg").first.wait_for(timeout=30_000)
    if page.locator("#report-link").count():
        page.click("#report-link")  # the report renders in the background; the page reloads
        page.wait_for_selector("svg", timeout=60_000)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        page.go_back()

    page.goto(scenario_url)
    assert page.locator("#simulate").count() == 1
    if page.locator("#simulate").count():  # a background simulation with a progress bar
        page.fill('input[name="runs"]', "500")
        page.fill('input[name="months"]', "24")
        page.click("#simulate")
        page.wait_for_url("**/simulations/*")
        page.wait_for_selector("#outcomes", timeout=60_000)
        assert page.inner_text("#status") == "done"
        page.screenshot(path=str(tmp_path / "simulation.png"), full_page=True)

    page.goto(d.url + "/ledger")
    signed = d.sign("inspectorate", record("inspection", "2019-06-01T00:00:00Z"))
    page.fill("#records-json", json.dumps(signed))
    page.click("#append")
    page.wait_for_selector("#ok")
    index = int(page.inner_text("#ok").split()[-1])
    page.click(f'button.verify[data-index="{index}"]')
    result = page.locator(f"#result-{index}")
    page.wait_for_function(
        f"() => !document.getElementById('result-{index}').textContent.startsWith('checking')"
        f" && document.getElementById('result-{index}').textContent !== ''"
    )
    assert result.inner_text().startswith("✓ included in the tree of"), result.inner_text()
    page.screenshot(path=str(tmp_path / "ledger-verified.png"), full_page=True)
    # every record on the page verifies
    buttons = page.locator("button.verify")
    for i in range(buttons.count()):
        buttons.nth(i).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.result')].every(e => e.textContent.startsWith('✓'))"
    )
    assert watched.errors == []


def _python_root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1, recursively, as an independent reference."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_python_root(leaves[:k]), _python_root(leaves[k:]))


def test_page_verifier_agrees_with_rfc9162_and_rejects_forgeries(
    sqlite_dep: Deployment, watched: Watched
) -> None:
    d = sqlite_dep
    watched.login(d, "observer")
    page = watched.page
    page.goto(d.url + "/ledger")
    with d.client("inspectorate") as c:
        batch = [d.sign("inspectorate", record("seal-check")) for _ in range(6)]
        assert c.post("/api/v1/ledger/records", json={"records": batch}).status_code == 201
        size = c.get("/api/v1/ledger").json()["tree_size"]
        leaves = [
            bytes.fromhex(e["leaf_hash"])
            for start in range(0, size, 500)
            for e in c.get("/api/v1/ledger/records", params={"start": start, "limit": 500}).json()[
                "records"
            ]
        ]
        for n in sorted({1, 2, 3, 5, size}):
            for index in sorted({0, n // 2, n - 1}):
                proof = c.get(
                    f"/api/v1/ledger/records/{index}/inclusion", params={"tree_size": n}
                ).json()
                root = page.evaluate(
                    """async ([i, n, leaf, path]) => {
                        const hb = h => new Uint8Array(h.match(/../g).map(x => parseInt(x, 16)));
                        const r = await window.cvidVerify.rootFromInclusion(
                            i, n, hb(leaf), path.map(hb));
                        return Array.from(r, x => x.toString(16).padStart(2, '0')).join('');
                    }""",
                    [index, n, proof["leaf_hash"], proof["proof"]],
                )
                assert root == _python_root(leaves[:n]).hex(), (index, n)
        cp = c.get("/api/v1/ledger/checkpoint").json()
    vkey = cp["verifier_key"]
    opened = page.evaluate(
        "async ([note, vkey]) => (await window.cvidVerify.openCheckpoint(note, vkey)).size",
        [cp["note"], vkey],
    )
    assert opened == cp["tree_size"]
    lines = cp["note"].split("\n")
    lines[1] = str(int(lines[1]) + 1)  # claim a bigger tree under the same signature
    forged = "\n".join(lines)
    message = page.evaluate(
        """async ([note, vkey]) => {
            try { await window.cvidVerify.openCheckpoint(note, vkey); return "accepted"; }
            catch (e) { return e.message; } }""",
        [forged, vkey],
    )
    assert message == "checkpoint signature does not verify"
    assert leaf_hash(b"x") != leaf_hash(b"y")
    assert watched.errors == []


def test_page_checks_the_log_only_grew_since_the_last_visit(
    sqlite_dep: Deployment, watched: Watched
) -> None:
    d, page = sqlite_dep, watched.page
    watched.login(d, "observer")

    def since() -> str:
        page.wait_for_function(
            "() => !document.getElementById('since-last-visit').textContent.startsWith('checking')"
        )
        text: str = page.inner_text("#since-last-visit")
        return text

    page.goto(d.url + "/ledger")
    with d.client("inspectorate") as c:
        n = c.get("/api/v1/ledger").json()["tree_size"]
        assert (
            since() == f"✓ signed checkpoint of {n} records checked and remembered in this browser"
        )
        batch = [d.sign("inspectorate", record("finding")) for _ in range(3)]
        assert c.post("/api/v1/ledger/records", json={"records": batch}).status_code == 201
        page.reload()
        assert since().startswith(f"✓ the log only grew since you last checked it ({n} → {n + 3}")
        # a browser that remembers another root for an earlier size sees the rewrite
        with d.client("observer") as o:
            size = o.get("/api/v1/ledger").json()["tree_size"]
        vkey = page.get_attribute("#records", "data-verifier-key")
        page.evaluate(
            "([slot, size]) => localStorage.setItem(slot, JSON.stringify("
            "{size: size, root: 'ab'.repeat(32), seen: 'then'}))",
            ["cvid-checkpoint:" + str(vkey), size - 2],
        )
        page.reload()
        # RFC 9162 §2.1.4.2: when the old size is a power of two the proof starts from the old
        # root itself, so a wrong remembered root shows up as a new root the proof cannot reach.
        old = size - 2
        expected = (
            "✗ the new root does not match the proof"
            if old & (old - 1) == 0
            else "✗ the earlier root does not match: the log was rewritten"
        )
        assert since() == expected
        # and the JS verifier agrees with RFC 9162 on every pair of sizes up to now
        leaves = [
            bytes.fromhex(e["leaf_hash"])
            for start in range(0, size, 500)
            for e in c.get("/api/v1/ledger/records", params={"start": start, "limit": 500}).json()[
                "records"
            ]
        ]
        for old in sorted({1, 2, 3, 4, size // 2, size - 1, size}):
            for new in [x for x in sorted({old, old + 1, size}) if x <= size]:
                proof = c.get("/api/v1/ledger/consistency", params={"old": old, "new": new}).json()
                ok = page.evaluate(
                    """async ([o, n, r1, r2, path]) => {
                        const hb = h => new Uint8Array(h.match(/../g).map(x => parseInt(x, 16)));
                        try {
                            await window.cvidVerify.verifyConsistency(
                                o, n, hb(r1), hb(r2), path.map(hb));
                            return "ok";
                        } catch (e) { return e.message; } }""",
                    [
                        old,
                        new,
                        _python_root(leaves[:old]).hex(),
                        _python_root(leaves[:new]).hex(),
                        proof["proof"],
                    ],
                )
                assert ok == "ok", (old, new, ok)
                if new > old:
                    bad = page.evaluate(
                        """async ([o, n, r2, path]) => {
                            const hb = h => new Uint8Array(h.match(/../g).map(
                                x => parseInt(x, 16)));
                            try {
                                await window.cvidVerify.verifyConsistency(
                                    o, n, new Uint8Array(32), hb(r2), path.map(hb));
                                return "accepted";
                            } catch (e) { return "refused"; } }""",
                        [old, new, _python_root(leaves[:new]).hex(), proof["proof"]],
                    )
                    assert bad == "refused", (old, new)
    assert watched.errors == []
