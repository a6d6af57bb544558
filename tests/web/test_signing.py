"""Signing in the browser: the canonical JSON of static/jcs.js equals cvid.ledger's (RFC 8785)
on tricky values; a record built from the kind's JSON Schema and signed with Web Crypto
Ed25519 is accepted and verifies with the Python verifier; the private key appears in no
request; client-side validation stops a bad record before anything is signed or sent."""

# ruff: noqa: F811  (the fixtures imported from tests.web.browsing are parameters here)

from __future__ import annotations

import base64
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from cvid.errors import InputError
from cvid.ledger import canonical_json, generate_party_key, read_private_key, write_private_key
from cvid.ledger.records import SIGNING_CONTEXT, check_signed
from tests.web.browsing import Tab, browser, tab  # noqa: F401  (fixtures)
from tests.web.conftest import Deployment, login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def jcs_page(browser: Any, sqlite_dep: Deployment) -> Iterator[Any]:
    """The signing page of the inspectorate, where static/jcs.js is loaded."""
    t = Tab(browser)
    t.login(sqlite_dep.url, sqlite_dep.tokens["inspectorate"], "/ledger/sign")
    t.page.wait_for_selector("#signer[data-ready='1']")
    yield t.page
    assert not t.errors, t.errors
    t.close()


def js_jcs(page: Any, value: Any) -> str:
    out: str = page.evaluate("v => window.cvidJCS.canonicalize(v)", value)
    return out


TRICKY: list[Any] = [
    # numbers: ECMAScript shortest round-trip form (RFC 8785 §3.2.2.3, appendix B values)
    [0, -0.0, 1, -1, 0.1, 0.1 + 0.2, 1e21, 1e-7, 1e-6, 123.456, 5e-324, 1.7976931348623157e308],
    [9007199254740991, -9007199254740991, 4.5, 2.0, 1e300, 333333333.3333333, 1e23, 1.5e-10],
    # strings: escapes, controls, DEL, line separators, astral characters
    {"s": 'quote " backslash \\ slash / tab \t nl \n cr \r bs \b ff \f nul \u0000 us \u001f'},
    {"s": "del \u007f ls \u2028 ps \u2029 euro \u20ac emoji \U0001f600 nbsp \u00a0"},
    # keys sorted by UTF-16 code units: U+FFFF sorts after a surrogate pair (U+1F600)
    {"\uffff": 1, "\U0001f600": 2, "a": 3, "é": 4, "Z": 5, "": 6, "aa": 7, "\u0080": 8},
    # RFC 8785 §3.2.3 example of key ordering
    {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    },
    # nesting
    {"b": [{"z": None, "a": [True, False, {}, []]}], "a": {"y": {"x": {"w": [1.25, "ü"]}}}},
    [],
    {},
    "plain",
    None,
]


def test_canonical_json_in_the_browser_equals_python_on_tricky_values(jcs_page: Any) -> None:
    for value in TRICKY:
        assert js_jcs(jcs_page, value) == canonical_json(value).decode("utf-8"), value


def test_values_python_refuses_the_browser_refuses(jcs_page: Any) -> None:
    # an exact integer beyond 2^53 - 1 (the server would read 1e20 written by JS as one)
    with pytest.raises(InputError):
        canonical_json(10**20)
    with pytest.raises(Exception, match="2\\^53"):
        jcs_page.evaluate("() => window.cvidJCS.canonicalize({q: 1e20})")
    # a lone surrogate cannot be UTF-8
    with pytest.raises(InputError):
        canonical_json({"s": "\ud800"})
    with pytest.raises(Exception, match="surrogate"):
        jcs_page.evaluate("() => window.cvidJCS.canonicalize({s: '\\ud800x'})")


def _exact_in_transit(x: float) -> bool:
    """False for a whole float in [2^53, 1e21): JSON writes it without an exponent, so the
    server would read an integer no double holds exactly, which it refuses (and so does the
    page, see the test above); every other double travels as written."""
    return not (x.is_integer() and 2**53 <= abs(x) < 1e21)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(_exact_in_transit)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=6), kids, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(value=json_values)
def test_canonical_json_agrees_with_python_on_generated_values(jcs_page: Any, value: Any) -> None:
    assert js_jcs(jcs_page, value) == canonical_json(value).decode("utf-8")


def test_canonical_json_agrees_on_random_floats(jcs_page: Any) -> None:
    rng = random.Random(8785)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(300)]
    values += [math.ldexp(rng.random(), rng.randint(-1070, 1020)) for _ in range(200)]
    values = [v for v in values if _exact_in_transit(v)]
    assert len(values) > 450
    got = jcs_page.evaluate("vs => vs.map(v => window.cvidJCS.canonicalize(v))", values)
    assert got == [canonical_json(v).decode() for v in values]


# ---------------------------------------------------------------------- signing end to end
def _fill_inspection(page: Any, site: str) -> None:
    page.select_option("#kind", "inspection")
    page.wait_for_selector("#f-payload-site")
    page.fill("#f-agreement", "test-agreement")
    page.fill("#f-time", "2019-04-02T09:30:00Z")
    page.fill("#f-refs-commitments", "c1\nc2")
    page.fill("#f-refs-items", site)
    page.fill("#f-payload-site", site)
    page.fill("#f-payload-started", "2019-04-02T09:30:00Z")
    page.select_option("#f-payload-access", "partial")
    page.fill("#f-payload-notice-hours", "2.5")
    page.fill("#f-payload-activities", "swipe samples\nseal check — “north hall”")
    page.fill("#f-payload-description", "Zugang verzögert: 42 Minuten ✓")
    # the record's source and basis: an optional object, left out unless included
    assert page.locator("#f-basis-document").is_hidden()
    page.check("#f-basis-include")
    page.select_option("#f-basis-kind", "inspector-observation")
    page.fill("#f-basis-document", "Inspection report 7/2019 — 北 hall")
    page.fill("#f-basis-time-zone", "UTC")


def _secrets_of(seed: bytes) -> list[str]:
    """Every text form in which the 32-byte private key could travel."""
    return [
        base64.b64encode(seed).decode(),
        base64.urlsafe_b64encode(seed).decode().rstrip("="),
        seed.hex(),
        seed.hex().upper(),
    ]


def _assert_key_in_no_request(t: Tab, seed: bytes) -> None:
    assert t.requests, "no request was captured"
    forms = _secrets_of(seed)
    for req in t.requests:
        parts = [req.url, req.post_data or "", json.dumps(req.headers)]
        for part in parts:
            for form in forms:
                assert form not in part, f"the private key travelled in {req.method} {req.url}"


def test_browser_signs_a_record_accepted_and_verified_by_python(
    sqlite_dep: Deployment,
    tab: Tab,
    tmp_path: Path,
) -> None:
    d, page = sqlite_dep, tab.page
    key = d.keys["inspectorate"]
    key_file = tmp_path / f"{key.name}.key"
    write_private_key(key, key_file)
    tab.login(d.url, d.tokens["inspectorate"], "/ledger/sign")
    page.wait_for_selector("#signer[data-ready='1']")
    page.set_input_files("#key-file", str(key_file))
    page.wait_for_selector("#key-status.good")
    assert "matches your registered public key" in page.inner_text("#key-status")
    _fill_inspection(page, "yongbyon-north")
    page.click("#sign-append")
    page.wait_for_selector("#appended-link")
    index = int(page.inner_text("#outcome").split("#")[1].split()[0])

    with d.client("observer") as c:
        got = c.get(f"/api/v1/ledger/records/{index}").json()
    rec = got["record"]
    assert got["verified"] is True and rec["signer"]["name"] == key.name
    assert rec["payload"]["description"] == "Zugang verzögert: 42 Minuten ✓"
    assert rec["payload"]["notice_hours"] == 2.5
    assert rec["refs"] == {"commitments": ["c1", "c2"], "items": ["yongbyon-north"]}
    assert rec["basis"]["document"] == "Inspection report 7/2019 — 北 hall"
    assert "uncertainty" not in rec["basis"]  # optional parts not included stay out
    # the Python verifier, independently of the server: Ed25519 over context + JCS
    body = {k: v for k, v in rec.items() if k != "signature"}
    Ed25519PublicKey.from_public_bytes(key.public.public_key).verify(
        base64.b64decode(rec["signature"]), SIGNING_CONTEXT + canonical_json(body)
    )
    check_signed(rec, {key.name: key.public})  # raises if anything does not verify
    assert base64.b64decode(got["data"]) == canonical_json(rec)

    seed = key.private_key.private_bytes_raw()
    _assert_key_in_no_request(tab, seed)
    posts = [
        r for r in tab.requests if r.method == "POST" and r.url.endswith("/ledger/sign/append")
    ]
    assert len(posts) == 1
    assert json.loads(posts[0].post_data)["records"][0]["signature"] == rec["signature"]
    assert not tab.errors, tab.errors


def test_key_generated_in_the_browser_signs_once_registered(
    sqlite_dep: Deployment,
    tab: Tab,
    tmp_path: Path,
) -> None:
    d, page = sqlite_dep, tab.page
    with d.client("admin") as c:
        r = c.post("/api/v1/parties", json={"name": "field-team", "role": "inspectorate"})
        assert r.status_code == 201, r.text
        token = r.json()["token"]
    tab.login(d.url, token, "/ledger/sign")
    page.wait_for_selector("#signer[data-ready='1']")
    assert page.locator("#no-registered-key").count() == 1
    page.click("#generate")
    page.wait_for_selector("#generated:not([hidden])")
    with page.expect_download() as dl:
        page.click("#download-key")
    saved = tmp_path / "field-team.key"
    dl.value.save_as(saved)
    key = read_private_key(saved)  # the file is in the format `cvid ledger keygen` writes
    public = page.inner_text("#new-public-key")
    assert key.name == "field-team" and key.public.public_key_b64 == public

    _fill_inspection(page, "site-7")
    page.click("#sign-append")
    page.wait_for_selector("#outcome.bad")
    assert "no registered public key" in page.inner_text("#outcome")
    with d.client("admin") as c:
        r = c.post("/api/v1/parties/field-team/key", json={"public_key": public})
        assert r.status_code == 200, r.text
    page.click("#sign-append")  # same page, no reload: the key is still in memory
    page.wait_for_selector("#appended-link")
    index = int(page.inner_text("#outcome").split("#")[1].split()[0])
    with d.client("observer") as c:
        rec = c.get(f"/api/v1/ledger/records/{index}").json()["record"]
    check_signed(rec, {key.name: key.public})
    _assert_key_in_no_request(tab, key.private_key.private_bytes_raw())
    assert not tab.errors, tab.errors


def test_form_problems_are_shown_and_nothing_is_signed_or_sent(
    sqlite_dep: Deployment,
    tab: Tab,
    tmp_path: Path,
) -> None:
    d, page = sqlite_dep, tab.page
    key_file = tmp_path / "state.key"
    write_private_key(d.keys["state"], key_file)
    tab.login(d.url, d.tokens["state"], "/ledger/sign")
    page.wait_for_selector("#signer[data-ready='1']")
    page.set_input_files("#key-file", str(key_file))
    page.wait_for_selector("#key-status.good")
    page.select_option("#kind", "declaration")
    page.wait_for_selector("#f-payload-declared-0-item")
    page.fill("#f-agreement", "bad agreement id")
    page.fill("#f-time", "2019-02-30T00:00:00Z")
    page.fill("#f-payload-declared-0-item", "")
    page.fill("#f-payload-declared-0-quantity", "-3")
    page.click("#sign-append")
    page.wait_for_selector("#problems:not([hidden])")
    problems = page.inner_text("#problems")
    assert "agreement: must be an identifier" in problems
    assert "time: must be a UTC time" in problems
    assert "payload.declared.0.item" in problems
    assert "payload.declared.0.quantity: must be at least 0" in problems
    assert "payload.declared.0.category" in problems
    assert page.get_attribute("#f-agreement", "aria-invalid") == "true"
    assert not any(r.method == "POST" for r in tab.requests if "/ledger/sign" in r.url)
    assert page.locator("#signed").is_hidden()


def test_another_partys_key_file_is_refused(
    sqlite_dep: Deployment,
    tab: Tab,
    tmp_path: Path,
) -> None:
    d, page = sqlite_dep, tab.page
    key_file = tmp_path / "other.key"
    write_private_key(d.keys["state"], key_file)
    tab.login(d.url, d.tokens["inspectorate"], "/ledger/sign")
    page.wait_for_selector("#signer[data-ready='1']")
    page.set_input_files("#key-file", str(key_file))
    page.wait_for_selector("#key-status.bad")
    assert "you are signed in as inspectors" in page.inner_text("#key-status")
    # a key file with the right name but a key that is not the registered one
    impostor = generate_party_key("inspectors", "inspectorate")
    write_private_key(impostor, tmp_path / "impostor.key")
    page.set_input_files("#key-file", str(tmp_path / "impostor.key"))
    expect(page.locator("#key-status")).to_contain_text("not the one registered")


def test_the_append_endpoint_needs_the_pages_anti_forgery_header(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    import httpx

    from tests.web.records import record

    signed = d.sign("inspectorate", record("inspection"))
    with httpx.Client(base_url=d.url) as c:
        login(c, d.tokens["inspectorate"])
        r = c.post("/ledger/sign/append", json={"records": [signed]})
        assert r.status_code == 403
        page = c.get("/ledger/sign").text
        csrf = page.split('data-csrf="')[1].split('"')[0]
        r = c.post(
            "/ledger/sign/append", json={"records": [signed]}, headers={"X-CSRF-Token": csrf}
        )
        assert r.status_code == 201, r.text
        other = d.sign("state", record("declaration"))
        r = c.post("/ledger/sign/append", json={"records": [other]}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 403 and "your own key" in r.json()["detail"]
