"""The dashboard at ``/``: per role, the agreements with their grade and each commitment's
status, deadline and latest evidence; alerts (overdue, access delays, unresolved observations,
a checkpoint history that changed); the checkpoint verified in the browser; simulations and
assessments listed; and the live update when another client appends a record (no reload)."""

# ruff: noqa: F811  (the fixtures imported from tests.web.browsing are parameters here)

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cvid.compliance import beliefs, load_stream
from cvid.ledger import Entry, Ledger
from cvid.scenario import example_path, load_scenario
from cvid.web.dashboard import summarize_record, unresolved_observations
from tests.web.browsing import History, Tab, browser, history_dep, tab  # noqa: F401
from tests.web.conftest import PARTY_NAMES, ROLES, login
from tests.web.records import PAYLOADS, record

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _libya(kind: str, time: str, **payload: Any) -> dict[str, Any]:
    rec = record(kind, time)
    rec["agreement"] = "libya-2003"
    rec["refs"] = {"commitments": ["access-all"], "items": []}
    rec["payload"] = {**PAYLOADS[kind], **payload}
    return rec


def _append(h: History, role: str, rec: dict[str, Any]) -> int:
    with h.dep.client(role) as c:
        r = c.post("/api/v1/ledger/records", json={"records": [h.dep.sign(role, rec)]})
        assert r.status_code == 201, r.text
        index: int = r.json()["indices"][0]
        return index


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_per_role(history_dep: History, tab: Tab, role: str) -> None:
    h, page = history_dep, tab.page
    tab.login(h.dep.url, h.dep.tokens[role], "/")
    assert page.inner_text("#you").startswith(f"Signed in as {PARTY_NAMES[role]} ({role})")
    libya = page.locator("#agreement-libya-2003")
    expect(libya).to_contain_text("agreement libya-2003")
    rows = libya.locator("tr[data-commitment]")
    assert rows.count() == len(load_scenario("libya-2003").agreement.commitments)
    remove = libya.locator("tr[data-commitment='remove-sensitive']")
    expect(remove.locator(".status")).to_have_text("verified")
    expect(remove).to_contain_text("2004-01-27")  # deadline (a date: no clock time)
    expect(remove).to_contain_text("uf6 removed to Oak Ridge")  # latest evidence in words
    # the belief over the counterpart, as cvid.compliance.beliefs computes it from the ledger
    # (issue 15: Libya's posterior moves to sincere), from the scenario's own [counterpart]
    with Ledger.open(h.dep.db) as led:
        expected = beliefs(led, load_stream("libya-2003").scenario)
    belief = libya.locator(".beliefs")
    expect(belief.locator(".most-likely")).to_have_text(expected.most_likely)
    assert expected.most_likely == "sincere"
    for t, p in expected.to_dict()["posterior"].items():
        expect(belief.locator(f"[data-type='{t}']")).to_have_text(f"{t} {100 * p:.1f} %")
    expect(belief).to_contain_text(f"After {expected.records} signed records")
    expect(belief).to_contain_text("of the scenario's [counterpart]")
    if expected.next_demands:
        expect(belief.locator("ol.demands li").first).to_contain_text(
            expected.next_demands[0].commitment
        )
    else:
        expect(belief.locator(".no-demands")).to_contain_text("Nothing left to demand")
    # the checkpoint is verified in this browser
    expect(page.locator("#checkpoint-status")).to_contain_text("✓ checkpoint of", timeout=15_000)
    # what the role may do
    assert page.locator("#sign-link").count() == 1  # every role signs some kind
    assert (page.locator("#admin-link").count() == 1) == (role == "admin")
    assert (page.locator("nav a[href='/audit']").count() == 1) == (role in ("admin", "observer"))
    assert not tab.errors, tab.errors


def test_dashboard_lists_grades_overdue_commitments_assessments_and_simulations(
    history_dep: History,
    tab: Tab,
) -> None:
    h, page = history_dep, tab.page
    with h.dep.client("admin") as c:
        toml = example_path("six-party-2007").read_text(encoding="utf-8")
        sid = c.post("/api/v1/scenarios", json={"toml": toml}).json()["id"]
        a = c.post(f"/api/v1/scenarios/{h.scenario_id}/assessments").json()
        job = c.post(
            f"/api/v1/scenarios/{sid}/simulations", json={"runs": 40, "months": 24, "seed": 3}
        ).json()
    tab.login(h.dep.url, h.dep.tokens["observer"], "/")
    libya = page.locator("#agreement-libya-2003")
    expect(libya.locator("[data-grade]")).to_have_text(a["overall"].upper())
    six = page.locator("#agreement-six-party-2007")
    expect(six.locator("[data-grade]")).to_have_text("not assessed yet")
    # no Six-Party record on this ledger: the posterior is the prior, and the ranked next
    # demands are those cvid.compliance.beliefs gives
    expected = beliefs([], load_stream("six-party-2007").scenario)
    assert expected.next_demands
    demands = six.locator(".beliefs ol.demands li")
    expect(demands).to_have_count(min(3, len(expected.next_demands)))
    first = expected.next_demands[0]
    expect(demands.first).to_contain_text(f"{first.commitment} — {first.information_bits:.3f} bits")
    expect(six.locator(".beliefs")).to_contain_text("After 0 signed records")
    overdue = six.locator("tr.row-overdue")
    assert overdue.count() >= 1  # deadlines of 2007 passed with no evidence on this ledger
    alerts = page.locator("#alerts")
    expect(alerts.locator(".alert-overdue").first).to_contain_text("overdue")
    expect(page.locator("#assessment-list")).to_contain_text(a["overall"].upper())
    sims = page.locator("#simulation-list")
    expect(sims).to_contain_text("horizon (months)")
    expect(page.locator("#assessment-list")).to_contain_text("status")
    # the job finishes while the page is open: its row changes without a reload
    page.evaluate("window.__marker = 42")
    expect(sims.locator(f"tr:has(a[href='/simulations/{job['id']}'])")).to_contain_text(
        "done", timeout=60_000
    )
    row = sims.locator(f"tr:has(a[href='/simulations/{job['id']}']) .sim-summary")
    expect(row).to_contain_text("P(verified CVID)")
    expect(row).to_contain_text("kg")
    assert page.evaluate("window.__marker") == 42
    assert not tab.errors, tab.errors


def test_live_update_when_another_client_appends(
    history_dep: History,
    tab: Tab,
) -> None:
    h, page = history_dep, tab.page
    tab.login(h.dep.url, h.dep.tokens["state"], "/")
    expect(page.locator("#checkpoint-status")).to_contain_text("✓", timeout=15_000)
    before = int(page.inner_text("#tree-size"))
    believed = page.inner_text("#beliefs-libya-2003 p")
    page.evaluate("window.__marker = 'same page'")
    n_requests = len([r for r in tab.requests if r.resource_type == "document"])

    # another client: the inspectorate asks for access, through the API
    req = _libya("access-request", "2004-02-01T08:00:00Z", request_id="live-1", site="tajoura")
    i = _append(h, "inspectorate", req)
    expect(page.locator("#tree-size")).to_have_text(str(i + 1), timeout=15_000)
    expect(page.locator("#alerts")).to_contain_text("request live-1) not answered yet")
    # the belief tracker took the new record in (one more record behind the posterior)
    expect(page.locator("#beliefs-libya-2003 p").first).not_to_have_text(believed)
    expect(page.locator("#checkpoint-status")).to_contain_text(f"checkpoint of {i + 1} records")
    assert i + 1 > before
    # an observation nobody followed up is an alert; a later inspection there resolves it
    obs = _libya("observation", "2004-02-02T08:00:00Z", site="tajoura", description="trucks")
    _append(h, "observer", obs)
    expect(page.locator("#alerts")).to_contain_text("unresolved observation", timeout=15_000)
    insp = _libya(
        "inspection", "2004-02-03T08:00:00Z", site="tajoura", started="2004-02-03T08:00:00Z"
    )
    insp["refs"]["items"] = ["tajoura"]
    _append(h, "inspectorate", insp)
    expect(page.locator("#alerts")).not_to_contain_text("unresolved observation", timeout=15_000)
    # the state grants access a day later: the alert becomes a delay beyond notice or goes
    grant = _libya("access-granted", "2004-02-05T08:00:00Z", request_id="live-1", scope="full")
    _append(h, "state", grant)
    expect(page.locator("#alerts")).not_to_contain_text("live-1) not answered", timeout=15_000)
    # all of it without loading the page again
    assert page.evaluate("window.__marker") == "same page"
    assert len([r for r in tab.requests if r.resource_type == "document"]) == n_requests
    assert not tab.errors, tab.errors


def test_a_rewritten_history_since_the_last_visit_is_an_alert(
    history_dep: History,
    tab: Tab,
) -> None:
    h, page = history_dep, tab.page
    tab.login(h.dep.url, h.dep.tokens["observer"], "/")
    expect(page.locator("#since-last-visit")).to_contain_text("✓", timeout=15_000)
    vkey = page.get_attribute("#checkpoint-panel", "data-verifier-key")
    # this browser remembers a checkpoint of 3 records whose root the log no longer proves
    page.evaluate(
        "([k]) => localStorage.setItem('cvid-checkpoint:' + k, JSON.stringify("
        "{size: 3, root: '00'.repeat(32), seen: '2004-01-01T00:00:00Z'}))",
        [vkey],
    )
    page.reload()
    expect(page.locator("#since-last-visit")).to_contain_text("✗", timeout=15_000)
    expect(page.locator("#browser-alert")).to_be_visible()
    expect(page.locator("#browser-alert")).to_contain_text("history changed")


def _entry(index: int, kind: str, site: str | None, commitments: list[str]) -> Entry:
    rec = record(kind)
    rec["agreement"] = "a"
    rec["refs"] = {"commitments": commitments, "items": []}
    if site is not None:
        rec["payload"] = {**rec["payload"], "site": site}
    elif kind == "observation":
        rec["payload"] = {"description": "seen"}
    return Entry(index, rec, b"", b"", verified=True)


def test_unresolved_observations_rule() -> None:
    entries = [
        _entry(0, "inspection", "y", ["c1"]),  # before the observation: does not resolve it
        _entry(1, "observation", "x", ["c1"]),
        _entry(2, "inspection", "x", ["c1"]),  # resolves 1 (same site, later)
        _entry(3, "observation", "y", ["c1"]),
        _entry(4, "finding", "z", ["c1"]),  # another site: 3 stays unresolved
        _entry(5, "observation", None, ["c9"]),
        _entry(6, "seal-check", None, ["c9"]),  # no site: the same commitment resolves 5
        _entry(7, "observation", None, ["c8"]),
        _entry(8, "statement", None, ["c8"]),  # a state's statement is no follow-up
    ]
    assert [e.index for e in unresolved_observations(entries, "a")] == [3, 7]
    assert unresolved_observations(entries, "another agreement") == []


def test_record_summaries_say_what_each_kind_contains() -> None:
    assert summarize_record(record("inspection")) == "inspection of yongbyon, full access"
    assert summarize_record(record("access-denied")) == "request r-1 denied: military site"
    assert summarize_record(record("sample-result")) == "sample s-1: U-235 = 0.7 % (consistent)"
    assert summarize_record(record("seal-check")) == "seal seal-1 intact"
    assert summarize_record(record("statement")).startswith("claim fulfilled: The reactor")
    for kind in PAYLOADS:
        assert summarize_record(record(kind)), kind


def test_version_endpoint_changes_when_a_record_arrives(history_dep: History) -> None:
    h = history_dep
    with httpx.Client(base_url=h.dep.url) as c:
        login(c, h.dep.tokens["state"])
        v1 = c.get("/dashboard/version").json()
        v2 = c.get("/dashboard/version").json()
        assert v1 == v2
        _append(h, "observer", _libya("observation", "2004-03-01T00:00:00Z"))
        v3 = c.get("/dashboard/version").json()
        assert v3["version"] != v1["version"] and v3["tree_size"] == v1["tree_size"] + 1
        live = c.get("/dashboard/live")
        assert live.status_code == 200 and "<html" not in live.text and 'id="alerts"' in live.text
    assert httpx.get(h.dep.url + "/dashboard/version", follow_redirects=False).status_code in (
        303,
        401,
    )


def test_witness_problems_appear_live_on_the_dashboard(
    history_dep: History, tab: Tab, tmp_path: Any
) -> None:
    """A witness cosigns, the log grows past it (cosignature missing), then a witness brings a
    checkpoint the log signed with another root (split view): each alert appears on the open
    page without a reload. (Last in this module: the split view stays on this ledger.)"""
    from pathlib import Path

    from cvid.ledger import Checkpoint, read_private_key
    from cvid.ledger.note import sign_checkpoint
    from cvid.ledger.witness import WitnessState, cosign_checkpoint, generate_witness_key

    h, page = history_dep, tab.page
    tab.login(h.dep.url, h.dep.tokens["admin"], "/")
    page.evaluate("window.__marker = 'same page'")
    alerts = page.locator("#alerts")
    expect(alerts).not_to_contain_text("cosignature missing")
    with h.dep.client("observer") as c:
        info = c.get("/api/v1/ledger").json()
        note = c.get("/api/v1/ledger/checkpoint").json()["note"]
        key = generate_witness_key("ngo.example/witness")
        state = WitnessState.create(Path(tmp_path) / "ngo.json", key)
        done = cosign_checkpoint(state, key, note, log_vkey=info["verifier_key"])
        r = c.post(
            "/api/v1/ledger/cosignatures", json={"checkpoint": done.note, "witness_key": key.vkey}
        )
        assert r.status_code == 201, r.text
    _append(h, "observer", _libya("observation", "2004-03-02T00:00:00Z", site="tajoura"))
    expect(alerts.locator(".alert-witness")).to_contain_text(
        f"the latest checkpoint ({info['tree_size'] + 1} records) is not cosigned yet",
        timeout=15_000,
    )
    log_key = read_private_key(Path(h.dep.db + ".logkey"), log=True)
    forged = sign_checkpoint(
        Checkpoint(info["origin"], info["tree_size"], bytes(32)),
        info["origin"],
        log_key.private_key,
    )
    other = generate_witness_key("press.example/witness")
    state = WitnessState.create(Path(tmp_path) / "press.json", other)
    done = cosign_checkpoint(state, other, forged, log_vkey=info["verifier_key"])
    with h.dep.client("observer") as c:
        r = c.post(
            "/api/v1/ledger/cosignatures", json={"checkpoint": done.note, "witness_key": other.vkey}
        )
        assert r.status_code == 409
    split = alerts.locator(".alert-split-view")
    expect(split).to_contain_text("split view", timeout=15_000)
    expect(split).to_contain_text("cosigned by press.example/witness")
    expect(split.locator(".sev")).to_have_text("fail")
    assert page.evaluate("window.__marker") == "same page"
    assert not tab.errors, tab.errors
