"""The service serves checkpoints with their witnesses' cosignatures, and the ledger page checks
them in the browser (Web Crypto Ed25519, C2SP cosignature/v1) against pinned witness keys."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvid.ledger import Ledger
from cvid.ledger.witness import WitnessState, cosign_checkpoint, generate_witness_key
from tests.web.conftest import Deployment
from tests.web.records import record

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if shutil.which("chromium") is None or not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (run scripts/setup-system.sh)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            ctx = b.new_context()
            pg = ctx.new_page()
            pg.errors = []
            pg.on("pageerror", lambda e: pg.errors.append(str(e)))
            yield pg
        finally:
            b.close()


def _witnesses_text(page: Any) -> str:
    page.wait_for_function(
        "() => !document.getElementById('witnesses').textContent.startsWith('checking')"
    )
    return str(page.inner_text("#witnesses"))


def test_api_serves_cosignatures_and_the_page_verifies_them(
    sqlite_dep: Deployment, page: Any, tmp_path: Path
) -> None:
    d = sqlite_dep
    page.goto(d.url + "/scenarios")
    page.fill("#token", d.tokens["observer"])
    page.click("#login")
    page.wait_for_url("**/scenarios")
    with d.client("inspectorate") as c:
        batch = [d.sign("inspectorate", record("finding")) for _ in range(4)]
        assert c.post("/api/v1/ledger/records", json={"records": batch}).status_code == 201
        assert c.get("/api/v1/ledger/checkpoint").json()["witnessed"] is None
    page.goto(d.url + "/ledger")
    assert _witnesses_text(page) == "no witness has cosigned a checkpoint of this log yet"

    keys = {n: generate_witness_key(f"{n}.example/witness") for n in ("a", "b", "c")}
    with Ledger.open(d.db) as led:
        for n in ("a", "b"):
            state = WitnessState.create(tmp_path / f"{n}.json", keys[n])
            done = cosign_checkpoint(state, keys[n], led.checkpoint(), log_vkey=led.verifier_key)
            led.add_cosignature(done.note, keys[n].vkey)
        witnessed = led.size
    with d.client("observer") as c:
        cp = c.get("/api/v1/ledger/checkpoint").json()
    assert [x["witness"] for x in cp["cosignatures"]] == ["a.example/witness", "b.example/witness"]
    assert cp["witnessed"]["tree_size"] == witnessed
    assert cp["note"] == cp["witnessed"]["note"]
    page.reload()
    text = _witnesses_text(page)
    assert text.startswith(
        f"✓ the tree of {witnessed} records is cosigned by 2 witnesses named by the server"
    ), text

    with d.client("inspectorate") as c:
        batch = [d.sign("inspectorate", record("finding")) for _ in range(3)]
        assert c.post("/api/v1/ledger/records", json={"records": batch}).status_code == 201
    page.reload()
    assert f"the latest checkpoint ({witnessed + 3}) extends it" in _witnesses_text(page)

    # pinned keys: only those count; a pinned witness that never cosigned is not enough
    page.click("#pin-details summary")
    page.fill("#witness-keys", keys["a"].vkey)
    page.click("#pin-witnesses")
    assert "cosigned by 1 of 1 pinned witnesses: a.example/witness" in _witnesses_text(page)
    page.fill("#witness-keys", keys["c"].vkey)
    page.click("#pin-witnesses")
    assert _witnesses_text(page) == "✗ no valid cosignature by a pinned witness key"

    # a forged cosignature (time changed, signature kept) is caught by the browser's check
    line = cp["witnessed"]["cosignatures"][0]["line"]
    import base64

    name, blob64 = line.removeprefix("\u2014 ").split(" ")
    blob = bytearray(base64.b64decode(blob64))
    blob[11] ^= 1
    forged = cp["witnessed"]["note"].replace(
        line, f"\u2014 {name} {base64.b64encode(blob).decode()}"
    )
    message = page.evaluate(
        """async ([note, vkey]) => {
            try { await window.cvidVerify.verifyCosignatures(note, [vkey]); return "accepted"; }
            catch (e) { return e.message; } }""",
        [forged, keys["a"].vkey],
    )
    assert message == "the cosignature by a.example/witness does not verify"
    page.evaluate("() => localStorage.removeItem('cvid-witnesses')")
    assert page.errors == []
