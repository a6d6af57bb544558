"""Invariants of the lessons over generated scenarios (hypothesis).

Each scenario is a bundled example varied at random (methods stripped from commitments, access
to people and documents switched off), then changed in one direction that can only help:

* adding a verification method to a step never worsens lesson 3's grade — the whole lesson,
  its rules, the cvid.verify figures and the red team's best path;
* adding a commitment that covers an item lesson 4 reports uncovered never worsens lesson 4;
* verified CVID leaves nothing the agreement did not cover: when lesson 4 counts every item
  as eliminated, each item in scope is named (by id, by its group or by ``all``) in an
  adequately verified dismantle, remove or destroy commitment — checked here from the raw
  targets, not through cvid.assess.scope; and the simulator's verified CVID counts exactly
  the items lesson 4 counts as eliminated.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvid.assess.lessons import lesson3, lesson3_quantitative, lesson3_red_team, lesson4
from cvid.negotiate import simulate
from cvid.negotiate.compile import coverage
from cvid.negotiate.strategies import agreement_strategy
from cvid.scenario import (
    IRREVERSIBLE_KINDS,
    Scenario,
    example_path,
    examples,
    load_scenario,
    scenario_from_dict,
)
from cvid.verify.adequacy import METHODS, verifiable

NAMES = [name for name, _ in examples()]
RANK = {"pass": 0, "warn": 1, "fail": 2}
GROUP = {
    "facility": "all-facilities",
    "material": "all-materials",
    "weapons": "all-weapons",
    "missile": "all-missiles",
}


def data(name: str) -> dict[str, Any]:
    with open(example_path(name), "rb") as fh:
        return tomllib.load(fh)


@st.composite
def variants(draw: st.DrawFn) -> dict[str, Any]:
    """A bundled example with some methods stripped and some access switched off."""
    d = data(draw(st.sampled_from(NAMES)))
    for c in d["agreement"].get("commitments", []):
        methods = c.get("verification", [])
        if methods and draw(st.booleans()):
            keep = draw(st.lists(st.sampled_from(methods), unique=True, max_size=len(methods)))
            c["verification"] = keep
            basis = c.get("verification_basis", {})
            c["verification_basis"] = {m: v for m, v in basis.items() if m in keep}
    pr = d["agreement"].setdefault("provisions", {})
    if draw(st.booleans()):
        pr["access_to_people"] = False
    if draw(st.booleans()):
        pr["access_to_documents"] = False
    return d


def lesson3_grade(s: Scenario) -> str:
    return lesson3(s, lesson3_quantitative(s), lesson3_red_team(s)).grade


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=variants(), index=st.integers(0, 50), method=st.sampled_from(sorted(METHODS)))
def test_adding_a_method_never_worsens_lesson3(d: dict[str, Any], index: int, method: str) -> None:
    cs = d["agreement"].get("commitments", [])
    if not cs:
        return
    before = lesson3_grade(scenario_from_dict(d))
    more = copy.deepcopy(d)
    c = more["agreement"]["commitments"][index % len(cs)]
    c["verification"] = sorted({*c.get("verification", []), method})
    after = lesson3_grade(scenario_from_dict(more))
    assert RANK[after] <= RANK[before], (c["id"], method, before, after)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    d=variants(),
    index=st.integers(0, 50),
    kind=st.sampled_from(["dismantle", "remove", "destroy", "freeze", "disable", "declare"]),
    month=st.sampled_from([1.0, 6.0, 24.0]),
)
def test_covering_an_uncovered_item_never_worsens_lesson4(
    d: dict[str, Any], index: int, kind: str, month: float
) -> None:
    s = scenario_from_dict(d)
    before = lesson4(s)
    uncovered = [u["item"] for u in before.figures["uncovered_items"]]
    if not uncovered:
        return
    item = uncovered[index % len(uncovered)]
    more = copy.deepcopy(d)
    more["agreement"].setdefault("commitments", []).append(
        {
            "id": "added-by-test",
            "kind": kind,
            "targets": [item],
            "deadline_months": min(month, float(d["agreement"]["duration_months"])),
            "verification": sorted(METHODS),
        }
    )
    after = lesson4(scenario_from_dict(more))
    assert RANK[after.grade] <= RANK[before.grade], (item, kind, before.grade, after.grade)
    covered = "items_irreversibly_covered"
    assert after.figures[covered] >= before.figures[covered]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=variants(), cover=st.booleans())
def test_verified_cvid_leaves_nothing_uncovered(d: dict[str, Any], cover: bool) -> None:
    if cover:
        # A state that has declared everything, and an adequately verified dismantlement of
        # all of it, so the cases where lesson 4 counts every item as eliminated are generated.
        for f in d["program"].get("facilities", []):
            f["declared"] = True
            f.pop("intelligence_exposure_per_month", None)  # only for a hidden site
        d["agreement"].setdefault("commitments", []).append(
            {
                "id": "dismantle-everything",
                "kind": "dismantle",
                "targets": ["all"],
                "deadline_months": float(d["agreement"]["duration_months"]),
                "verification": sorted(METHODS),
            }
        )
    s = scenario_from_dict(d)
    le = lesson4(s)
    f = le.figures
    if f["items_irreversibly_covered"] != f["items_in_scope"]:
        assert le.grade != "pass" or f["items_in_scope"] == 0
        return
    strong = [
        c for c in s.agreement.commitments if c.kind in IRREVERSIBLE_KINDS and verifiable(s, c)
    ]
    for item in f["items"]:
        names = {item["id"], "all", GROUP[item["category"]]}
        assert item["declared"], f"undeclared {item['id']} counted as eliminated"
        assert any(names & set(c.targets) for c in strong), item["id"]
    assert f["uncovered_items"] == []
    assert f["residual_undeclared_capability"] == []
    assert next(r for r in f["checklist"] if r["criterion"].startswith("Complete"))["met"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=variants())
def test_the_simulator_counts_the_same_items_eliminated_as_lesson4(d: dict[str, Any]) -> None:
    """Verified CVID in the simulator leaves what the agreement did not cover; what it counts
    as covered must be what lesson 4 counts as eliminated (one rule for "verified": the
    adequacy table), for every declared item both of them consider."""
    s = scenario_from_dict(d)
    covered, _ = coverage(s, list(s.agreement.commitments), agreement_strategy(s))
    status = {i["id"]: i for i in lesson4(s).figures["items"]}
    for item, ok in covered.items():
        if item in status and status[item]["declared"]:
            assert ok == (status[item]["status"] == "irreversible-verified"), item


def test_the_agreed_framework_cannot_reach_verified_cvid_under_its_own_methods() -> None:
    """Agreed Framework 1994: lesson 4 finds no verified end (its methods cannot verify its
    steps by the adequacy table), so the simulator never reaches verified CVID under the
    agreement's own regime, and says why."""
    s = load_scenario("agreed-framework-1994")
    r = simulate(s, ["agreement"], runs=500, months=120, seed=0).strategies["agreement"]
    assert r.outcome_probabilities()["verified_cvid"] == 0.0
    assert any("see the adequacy table" in u for u in r.unreachable)
    assert lesson4(s).figures["items_irreversibly_covered"] == 0
