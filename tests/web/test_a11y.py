"""Accessibility and layout: every page, for every role, has no serious or critical axe-core
violation and no horizontal overflow at a phone's 390 px width."""

# ruff: noqa: F811  (the fixtures imported from tests.web.browsing are parameters here)

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.web.browsing import (  # noqa: F401
    PHONE_WIDTH,
    History,
    Tab,
    axe_serious,
    browser,
    history_dep,
    scroll_width,
)
from tests.web.conftest import ROLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def ids(history_dep: History) -> dict[str, int]:
    """An assessment and a finished simulation of the replayed scenario."""
    h = history_dep
    with h.dep.client("admin") as c:
        a = c.post(f"/api/v1/scenarios/{h.scenario_id}/assessments").json()["id"]
        job = c.post(
            f"/api/v1/scenarios/{h.scenario_id}/simulations",
            json={"runs": 40, "months": 24, "seed": 2},
        ).json()["id"]
        deadline = time.monotonic() + 120
        while c.get(f"/api/v1/simulations/{job}").json()["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, "the simulation did not finish"
            time.sleep(0.3)
        assert c.get(f"/api/v1/simulations/{job}").json()["status"] == "done"
    return {"scenario": h.scenario_id, "assessment": a, "simulation": job}


def pages_of(role: str, ids: dict[str, int]) -> dict[str, str]:
    out = {
        "dashboard": "/",
        "scenarios": "/scenarios",
        "scenario": f"/scenarios/{ids['scenario']}",
        "compliance": f"/scenarios/{ids['scenario']}/compliance",
        "assessment": f"/assessments/{ids['assessment']}",
        "simulation": f"/simulations/{ids['simulation']}",
        "ledger": "/ledger",
        "record": "/ledger/records/3",
        "sign": "/ledger/sign",
        "timeline": "/timeline",
        "access": "/access",
    }
    if role in ("admin", "observer"):
        out["audit"] = "/audit"
    if role == "admin":
        out["admin"] = "/admin"
    return out


def _settle(page: Any, name: str) -> None:
    if name == "dashboard":
        page.wait_for_selector("#checkpoint-status.good", timeout=15_000)
    if name == "sign":
        page.wait_for_selector("#signer[data-ready='1']")
    if name == "assessment":
        page.wait_for_selector("#report-frame:not([hidden])", timeout=60_000)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_fits_a_phone(
    history_dep: History, browser: Any, ids: dict[str, int], role: str
) -> None:
    h = history_dep
    problems: dict[str, Any] = {}
    for width in (1280, PHONE_WIDTH):
        t = Tab(browser, width=width)
        try:
            t.login(h.dep.url, h.dep.tokens[role], "/")
            for name, path in pages_of(role, ids).items():
                t.page.goto(h.dep.url + path)
                _settle(t.page, name)
                if width == PHONE_WIDTH:
                    w = scroll_width(t.page)
                    if w > PHONE_WIDTH:
                        problems[f"{name} at {width} px"] = f"scroll width {w} px"
                else:
                    found = axe_serious(t.page)
                    if found:
                        problems[name] = found
            assert not t.errors, t.errors
        finally:
            t.close()
    assert not problems, problems


def test_login_and_error_pages(history_dep: History, browser: Any) -> None:
    h = history_dep
    for width in (1280, PHONE_WIDTH):
        t = Tab(browser, width=width)
        try:
            t.page.goto(h.dep.url + "/login")
            assert axe_serious(t.page) == []
            assert scroll_width(t.page) <= width
            t.login(h.dep.url, h.dep.tokens["state"], "/")
            r = t.page.goto(h.dep.url + "/admin")
            assert r is not None and r.status == 403
            assert axe_serious(t.page) == []
            assert scroll_width(t.page) <= width
        finally:
            t.close()


def test_axe_finds_a_planted_violation(history_dep: History, browser: Any) -> None:
    """The check can fail: an image without alternative text on the page is reported."""
    t = Tab(browser)
    try:
        t.login(history_dep.dep.url, history_dep.dep.tokens["state"], "/")
        t.page.evaluate(
            "() => { const i = document.createElement('img'); i.src = 'data:,';"
            " document.querySelector('main').append(i); }"
        )
        assert "image-alt" in [v["id"] for v in axe_serious(t.page)]
        t.page.evaluate(
            "() => { const d = document.createElement('div'); d.style.width = '900px';"
            " d.textContent = 'wide'; document.querySelector('main').append(d); }"
        )
        t.page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        assert scroll_width(t.page) > PHONE_WIDTH
    finally:
        t.close()
