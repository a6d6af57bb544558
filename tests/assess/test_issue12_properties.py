"""Invariants of the issue-12 rules, over generated variations of the bundled examples:
more verification never makes a commitment less verifiable, more access never lowers lesson
3's grade, and relief moved later never worsens lesson 2."""

from __future__ import annotations

import tomllib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.assess.lessons import lesson2, lesson3_rules
from cvid.assess.result import grade_of
from cvid.scenario import example_path, examples, scenario_from_dict
from cvid.verify.adequacy import METHODS, adequacy

NAMES = [name for name, _ in examples()]
RANK = {"pass": 0, "warn": 1, "fail": 2}


def data(name: str) -> dict[str, Any]:
    with open(example_path(name), "rb") as fh:
        return tomllib.load(fh)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(NAMES), extra=st.sets(st.sampled_from(sorted(METHODS)), max_size=4))
def test_more_methods_never_less_verifiable(name: str, extra: set[str]) -> None:
    d = data(name)
    before = scenario_from_dict(d)
    for c in d["agreement"].get("commitments", []):
        c["verification"] = sorted(set(c.get("verification", [])) | extra)
    after = scenario_from_dict(d)
    for c0, c1 in zip(before.agreement.commitments, after.agreement.commitments, strict=True):
        if adequacy(before, c0).verifiable:
            assert adequacy(after, c1).verifiable


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), people=st.booleans(), documents=st.booleans())
def test_more_access_never_lowers_lesson3(name: str, people: bool, documents: bool) -> None:
    d = data(name)
    base = grade_of(tuple(lesson3_rules(scenario_from_dict(d))))
    pr = d["agreement"].setdefault("provisions", {})
    pr["access_to_people"] = pr.get("access_to_people", False) or people
    pr["access_to_documents"] = pr.get("access_to_documents", False) or documents
    more = grade_of(tuple(lesson3_rules(scenario_from_dict(d))))
    assert RANK[more] <= RANK[base]


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), index=st.integers(0, 10))
def test_relief_moved_to_the_end_never_worsens_lesson2(name: str, index: int) -> None:
    d = data(name)
    ks = d["agreement"].get("concessions", [])
    if not ks:
        return
    base = lesson2(scenario_from_dict(d)).grade
    k = ks[index % len(ks)]
    later = dict(k, month=d["agreement"]["duration_months"], release_on="verified")
    later.pop("pre_agreement", None)
    ks[index % len(ks)] = later
    # Anything released after this one keeps its order constraints satisfied.
    for other in ks:
        if k["id"] in other.get("after", []):
            other["after"] = [x for x in other["after"] if x != k["id"]]
    assert RANK[lesson2(scenario_from_dict(d)).grade] <= RANK[base]
