"""Each lesson rule on small hand-built agreements: the rule fires exactly when it should."""

from __future__ import annotations

import tomllib
from typing import Any

from cvid.assess.lessons import lesson1, lesson2, lesson3_rules, lesson4
from cvid.scenario import Scenario, scenario_from_dict
from cvid.scenario.template import render_template


def base() -> dict[str, Any]:
    return tomllib.loads(render_template("unit"))


def build(data: dict[str, Any]) -> Scenario:
    return scenario_from_dict(data, "unit.toml")


def fields(findings: Any, severity: str) -> list[str]:
    return [f.field for f in findings if f.severity == severity]


def test_template_passes_every_rule() -> None:
    s = build(base())
    for check in (lesson1, lesson2, lesson4):
        assert check(s).grade == "pass", [f.message for f in check(s).findings]


def test_completion_thresholds() -> None:
    d = base()
    d["agreement"]["duration_months"] = 30
    for month, grade in [(4, "pass"), (6, "pass"), (6.5, "warn"), (12, "warn"), (12.5, "fail")]:
        d["agreement"]["commitments"][2]["deadline_months"] = month
        d["agreement"]["commitments"][3]["deadline_months"] = month
        d["agreement"]["concessions"][0]["month"] = month
        assert lesson1(build(d)).grade in {grade, "warn"} if grade == "pass" else True
        l1 = lesson1(build(d))
        assert l1.figures["verified_completion_months"] == month
        first = l1.findings[0]
        assert first.severity == {"pass": "info", "warn": "warn", "fail": "fail"}[grade], month


def test_unverified_dismantlement_means_no_verified_end() -> None:
    d = base()
    d["agreement"]["commitments"][2]["verification"] = []
    s = build(d)
    l1 = lesson1(s)
    assert l1.figures["verified_completion_months"] is None
    assert "agreement.commitments[2].verification" in fields(l1.findings, "warn")
    assert "agreement.commitments[2].verification" in fields(lesson4(s).findings, "fail")
    # the concession that pays for it can now never be earned
    assert "agreement.concessions[0].requires" in fields(lesson2(s).findings, "fail")


def test_relief_before_the_deadline_is_early() -> None:
    d = base()
    d["agreement"]["concessions"][0]["month"] = 2  # remove-pu is due at 4
    l2 = lesson2(build(d))
    assert l2.grade == "fail"
    assert "agreement.concessions[0].month" in fields(l2.findings, "fail")
    assert l2.figures["early_concessions"] == ["relief"]
    assert l2.figures["share_of_value_before_verification"] == 1.0


def test_release_conditions() -> None:
    for release_on, severity in [("statement", "fail"), ("declared", "fail"),
                                 ("schedule", "fail"), ("verified", None)]:  # fmt: skip
        d = base()
        d["agreement"]["concessions"][0]["release_on"] = release_on
        got = fields(lesson2(build(d)).findings, "fail")
        assert ("agreement.concessions[0].release_on" in got) == (severity == "fail")


def test_summit_early_is_only_a_warning() -> None:
    d = base()
    d["agreement"]["concessions"][0]["kind"] = "summit"
    d["agreement"]["concessions"][0]["month"] = 1
    assert lesson2(build(d)).grade == "warn"


def test_access_regimes() -> None:
    # Without anywhere-anytime access lesson 3 fails by default (issue 12; the op-ed: "if
    # this condition is not met, any negotiated agreement will fail").
    expected = {"anywhere-anytime": "info", "managed": "fail", "declared-sites-only": "fail",
                "none": "fail"}  # fmt: skip
    for regime, severity in expected.items():
        d = base()
        d["agreement"]["provisions"]["access"] = regime
        [f] = [f for f in lesson3_rules(build(d)) if f.field == "agreement.provisions.access"]
        assert f.severity == severity


def test_long_notice_and_missing_people_documents() -> None:
    d = base()
    d["agreement"]["provisions"].update(
        challenge_notice_hours=48, access_to_people=False, access_to_documents=False
    )
    got = fields(lesson3_rules(build(d)), "warn")
    assert "agreement.provisions.challenge_notice_hours" in got
    failed = fields(lesson3_rules(build(d)), "fail")
    assert "agreement.provisions.access_to_people" in failed
    assert "agreement.provisions.access_to_documents" in failed


def test_undeclared_site_out_of_reach() -> None:
    d = base()
    d["program"]["facilities"].append(
        {"id": "hidden", "name": "Hidden plant", "kind": "enrichment", "declared": False}
    )
    d["agreement"]["provisions"]["access"] = "declared-sites-only"
    s = build(d)
    assert "program.facilities[].declared" in fields(lesson3_rules(s), "fail")
    assert "program.facilities[1]" in fields(lesson4(s).findings, "fail")
    # an 'undeclared-sites' dismantlement commitment does not cover it: nothing can be
    # dismantled before it is found (issue 12)
    d["agreement"]["commitments"][2]["targets"].append("undeclared-sites")
    l4 = lesson4(build(d))
    assert "program.facilities[1]" in fields(l4.findings, "fail")
    assert l4.figures["residual_undeclared_capability"][0]["probability_hidden"] == 1.0


def test_retained_fuel_cycle_and_external_conditions() -> None:
    d = base()
    d["agreement"]["provisions"].update(
        retained_enrichment=True, external_conditions=["withdrawal-of-forces"]
    )
    got = fields(lesson4(build(d)).findings, "fail")
    assert "agreement.provisions.retained_enrichment" in got
    assert "agreement.provisions.external_conditions[0]" in got


def test_freeze_only_end_state() -> None:
    d = base()
    d["agreement"]["commitments"][2]["kind"] = "freeze"
    d["agreement"]["commitments"][3]["kind"] = "disable"
    l4 = lesson4(build(d))
    assert l4.summary.startswith("Freeze-only")
    assert any("only declared and frozen" in f.message for f in l4.findings)


def test_freeze_after_capability() -> None:
    d = base()
    d["program"]["nuclear_tests"] = 3
    d["program"]["missiles"] = [
        {
            "id": "m",
            "name": "M-1",
            "class": "icbm",
            "flight_tests": 2,
            "last_flight_test": tomllib.loads("d = 2017-11-28")["d"],
        }
    ]
    d["agreement"]["commitments"].append(
        {
            "id": "moratorium",
            "kind": "freeze",
            "targets": ["nuclear-testing", "icbm-testing"],
            "deadline_months": 1,
            "verification": ["national-technical-means"],
        }
    )
    msgs = [f.message for f in lesson1(build(d)).findings if f.severity == "warn"]
    assert any("after 3 tests" in m for m in msgs)
    assert any("M-1 was flight-tested (last test 2017-11-28)" in m for m in msgs)
    # no tests before: no such finding
    d["program"]["nuclear_tests"] = 0
    d["program"]["missiles"][0]["flight_tests"] = 0
    msgs = [f.message for f in lesson1(build(d)).findings]
    assert not any("already" in m for m in msgs)
