"""One home for the CVID scope (issue 17): lesson 4 applies cvid.assess.scope and carries its
items and checklist; the end-state figure and the report's checklist and tile read them and
re-derive nothing, so they agree in the cases where the three copies used to differ."""

from __future__ import annotations

import tomllib
from typing import Any

from cvid.assess import assess
from cvid.assess import figures as plots
from cvid.assess.engine import apply_compliance
from cvid.assess.report.checklist import lesson4_extra as _lesson4_extra
from cvid.assess.report.sections import headlines as _headlines
from cvid.assess.result import Assessment
from cvid.scenario import Scenario, example_path, scenario_from_dict


def example(name: str) -> dict[str, Any]:
    with open(example_path(name), "rb") as fh:
        return tomllib.load(fh)


def commitment(d: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in d["agreement"]["commitments"] if c["id"] == cid)


def tile(s: Scenario, a: Assessment) -> str:
    return next(
        h["value"]
        for h in _headlines(s, a)
        if h["label"] == "Items made irreversible under verification"
    )


def satellites_verify_removal() -> tuple[Scenario, Assessment]:
    """Issue 12's case: dprk-2018-libya-model with warhead removal 'verified' by satellites."""
    d = example("dprk-2018-libya-model")
    c = commitment(d, "remove-weapons")
    c["verification"] = ["national-technical-means"]
    c.pop("verification_basis", None)
    s = scenario_from_dict(d)
    return s, assess(s, simulate=False)


def test_no_stated_goal_agrees_in_lesson_and_checklist() -> None:
    d = example("libya-2003")
    d["agreement"]["stated_goal"] = ""
    s = scenario_from_dict(d)
    a = assess(s, simulate=False)
    l4 = a.lesson(4)
    assert any(
        f.field == "agreement.stated_goal" and "states no goal" in f.message for f in l4.findings
    )
    rows = l4.figures["checklist"]
    goal = next(r for r in rows if r["criterion"].startswith("The stated goal"))
    assert goal == {
        "criterion": "The stated goal names verifiable, irreversible dismantlement",
        "met": False,
        "evidence": "no stated goal",
    }
    report_rows = _lesson4_extra(s, a)["checklist"]
    assert report_rows == [(r["criterion"], r["met"], r["evidence"]) for r in rows]


def test_an_unverifiable_removal_is_not_counted_anywhere() -> None:
    """Issue 12's case: warhead removal 'verified' by satellites. The tile, the figure's caption
    and lesson 4 all count the warheads as not eliminated."""
    s, a = satellites_verify_removal()
    f = a.lesson(4).figures
    items = {i["id"]: i for i in plots.end_state_items(a)}
    weapons = [i for i in items.values() if i["category"] == "weapons"]
    assert weapons and all(i["status"] == "irreversible-unverified" for i in weapons)
    assert {i["id"] for i in weapons} <= {u["item"] for u in f["uncovered_items"]}
    done = sum(1 for i in items.values() if i["status"] == "irreversible-verified")
    assert done == f["items_irreversibly_covered"]
    caption = plots.end_state_data(a).description
    assert caption.startswith(f"{done} of {f['items_in_scope']} nuclear items")
    assert tile(s, a) == f"{done} of {f['items_in_scope']}"
    verifiable_row = f["checklist"][1]
    assert verifiable_row["met"] is False and "remove-weapons" in verifiable_row["evidence"]


def test_the_figure_follows_the_ledger_through_the_lesson() -> None:
    """A verified complete declaration brings the undeclared plant into coverage (lesson 4 with
    the ledger's evidence); the end-state figure, reading the lesson, shows it declared-and-
    covered, not 'until found' as a figure recomputed from the scenario would."""
    d = example("dprk-2018-libya-model")
    s = scenario_from_dict(d)
    a = assess(s, simulate=False)
    hidden = {f.id for f in s.program.facilities if not f.declared}
    assert hidden
    before = {i["id"]: i["status"] for i in plots.end_state_items(a)}
    assert hidden & before.keys()
    assert all(before[h] == "until-found" for h in hidden if h in before)
    lessons = apply_compliance(s, a.lessons, {"statuses": {"declare-all": "verified"}})
    after_a = a.model_copy(update={"lessons": lessons})
    after = {i["id"]: i["status"] for i in plots.end_state_items(after_a)}
    assert all(after[h] != "until-found" for h in hidden if h in after)
    f = after_a.lesson(4).figures
    assert tile(s, after_a) == f"{f['items_irreversibly_covered']} of {f['items_in_scope']}"


def test_concessions_figure_draws_lesson_2s_verdicts() -> None:
    """Lesson 2 judges verifiability by the adequacy table; the concessions figure used to
    re-derive it as 'has any method', so relief paying for a removal 'verified' by satellites
    was drawn as waiting for a verified step while the lesson called it early."""
    s, a = satellites_verify_removal()
    l2 = a.lesson(2).figures
    rows = {r["id"]: r for r in plots.concessions_data(s, a).data["concessions"]}
    paying = [k for k in s.agreement.concessions if "remove-weapons" in k.requires]
    assert paying
    for k in paying:
        assert rows[k.id]["verified_month"] is None
        assert rows[k.id]["early"] is True
        assert rows[k.id]["why"] == "early: pays for a step that can never be verified"
        assert k.id in l2["early_concessions"]
    assert {i for i, r in rows.items() if r["early"]} == set(l2["early_concessions"])
    # remove-weapons drops out of the commitments that can ever be verified, and only it
    s0 = scenario_from_dict(example("dprk-2018-libya-model"))
    before = plots.concessions_data(s0, assess(s0, simulate=False)).data["verified_milestones"]
    after = plots.concessions_data(s, a).data["verified_milestones"]
    assert len(after) == len(before) - 1
