"""Helpers for the browser tests of the dashboard, signing, admin and accessibility pages:
Debian's chromium through Playwright, a logged-in page per role, axe-core, and a deployment
whose ledger holds a bundled historical evidence stream signed by its own parties."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvid.compliance import demo_key, load_stream
from cvid.ledger import PartyKey, sign_record
from cvid.scenario import example_path
from tests.web.conftest import Deployment, ThreadServer, start_deployment

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE_WIDTH = 390


def launch(p: Any) -> Any:
    """Debian's chromium, headless."""
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which("chromium") is None or not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (run scripts/setup-system.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A browser context and page whose console errors and requests are collected."""

    def __init__(self, browser: Any, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.requests: list[Any] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r))

    def login(self, url: str, token: str, next_path: str = "/") -> None:
        self.page.goto(url + next_path)
        assert "/login" in self.page.url
        self.page.fill("#token", token)
        self.page.click("#login")
        self.page.wait_for_url(url + next_path)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    t = Tab(browser)
    yield t
    t.close()


def axe_serious(page: Any) -> list[dict[str, Any]]:
    """The axe-core violations of impact serious or critical on the page (axe-playwright-python
    injects its bundled axe.min.js)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def scroll_width(page: Any) -> int:
    """The document's scroll width in CSS pixels (wider than the viewport means overflow)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


@dataclass
class History:
    """A deployment whose ledger holds a bundled evidence stream, with the stream's parties
    (demo keys) and their tokens, and the scenario uploaded."""

    dep: Deployment
    scenario_id: int
    keys: dict[str, PartyKey] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, party: str) -> httpx.Client:
        return self.dep.client(token=self.tokens[party])


def replay_through_api(dep: Deployment, stream: str) -> History:
    """Upload the stream's scenario, create its parties with their demo keys and have each
    party append its own records through the API (signed client-side)."""
    s = load_stream(stream)
    with dep.client("admin") as c:
        toml = example_path(s.scenario.meta.name).read_text(encoding="utf-8")
        r = c.post("/api/v1/scenarios", json={"toml": toml})
        assert r.status_code == 201, r.text
        h = History(dep, r.json()["id"])
        for name, role in s.parties.items():
            key = demo_key(name, role)
            r = c.post(
                "/api/v1/parties",
                json={"name": name, "role": role, "public_key": key.public.public_key_b64},
            )
            assert r.status_code == 201, r.text
            h.keys[name] = key
            h.tokens[name] = r.json()["token"]
    for rec in s.records:
        with h.client(rec.party) as c:
            signed = sign_record(rec.record, h.keys[rec.party])
            r = c.post("/api/v1/ledger/records", json={"records": [signed]})
            assert r.status_code == 201, r.text
    return h


@pytest.fixture(scope="module")
def history_dep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """A service on SQLite with the Libya 2003-04 evidence replayed through the API."""
    db = str(tmp_path_factory.mktemp("webux") / "service.db")
    server, dep = start_deployment(db, None)
    try:
        yield replay_through_api(dep, "libya-2003")
    finally:
        server.__exit__()


__all__ = [
    "PHONE_WIDTH",
    "History",
    "Tab",
    "ThreadServer",
    "axe_serious",
    "browser",
    "history_dep",
    "launch",
    "replay_through_api",
    "scroll_width",
    "tab",
]
