"""The report in a real browser: Debian's chromium, headless, through Playwright for Python.

Each bundled example's report is opened from a file with the network cut off; the page must
load without console errors or failed requests, request nothing but itself, draw every figure
with a visible size, and leave a full-page screenshot (kept in the test's tmp folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvid.assess import Report
from tests.report.conftest import EXAMPLES

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (run scripts/setup-system.sh)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.parametrize("name", EXAMPLES)
def test_report_renders_without_errors(
    browser: Any, reports: dict[str, Report], name: str, tmp_path: Path
) -> None:
    check_in_browser(browser, reports[name], name, tmp_path)


def test_report_with_a_ledger_renders_without_errors(browser: Any, tmp_path: Path) -> None:
    from cvid.assess import build_report
    from cvid.compliance import replay_stream

    replay_stream("libya-2003", tmp_path / "evidence.db")
    report = build_report("libya-2003", runs=1000, ledger=tmp_path / "evidence.db")
    assert "compliance-timeline" in report.figures
    check_in_browser(browser, report, "libya-2003-ledger", tmp_path)


def check_in_browser(browser: Any, report: Report, name: str, tmp_path: Path) -> None:
    """Open the report offline; no console errors, no requests but itself, every figure drawn."""
    path = tmp_path / f"{name}.html"
    report.write(path)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in {"error", "warning"} else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    try:
        response = page.goto(path.as_uri(), wait_until="load")
        assert response is not None and response.ok
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
        # Every figure is drawn with a real size on the page.
        sizes = page.eval_on_selector_all(
            "figure.plot svg",
            "els => els.map(e => [e.closest('figure').id, e.getBoundingClientRect().width,"
            " e.getBoundingClientRect().height])",
        )
        assert {fid for fid, _, _ in sizes} == {f"fig-{f}" for f in report.figures}
        for fid, width, height in sizes:
            assert width > 200 and height > 100, (fid, width, height)
        # The accessible name of each figure is its title.
        titles = page.eval_on_selector_all(
            "svg[role=img]",
            "els => els.map(e => document.getElementById("
            "e.getAttribute('aria-labelledby').split(' ')[0]).textContent)",
        )
        assert sorted(titles) == sorted(f.title for f in report.figures.values())
        assert page.title().startswith("cvid assessment")
    finally:
        context.close()
    assert problems == []
    assert requests == [path.as_uri()]


@pytest.mark.parametrize("name", ["six-party-2007", "dprk-2018-step-by-step"])
def test_report_fits_a_phone_390_px_wide(
    browser: Any, reports: dict[str, Report], name: str, tmp_path: Path
) -> None:
    """Issue 16: nothing overflows at phone width (390 CSS px, an iPhone 12–15 in portrait):
    the page never scrolls sideways, and no element sticks out of it."""
    path = tmp_path / f"{name}.html"
    reports[name].write(path)
    context = browser.new_context(viewport={"width": 390, "height": 844}, offline=True)
    try:
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        sticking_out = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => {"
            " const r = e.getBoundingClientRect(); return r.width > 0 && r.right > 391; })"
            ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 10)"
        )
        assert sticking_out == []
    finally:
        context.close()
