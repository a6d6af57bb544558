"""The assessment tells the bundled cases apart, with reasons a reader of the field accepts.

Historical grounds (../shared/research): Libya went from announcement (2003-12-19) to the last
nuclear shipment (2004-03-06) in 78 days with prompt, unhindered access (IAEA GOV/2004/33);
the Agreed Framework (1994) froze Yongbyon for fuel oil and reactors and left dismantlement
to the end; the Six-Party deal (2007) paid for a declaration that was never verified.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from cvid.assess import Assessment
from cvid.assess import assess as _assess
from cvid.cli import app


@functools.cache
def assess(name: str) -> Assessment:
    """Assess a bundled example once per test session (small simulation, fixed seed)."""
    return _assess(name, runs=2000, seed=3)


def grades(name: str) -> dict[int, str]:
    return {lesson.id: lesson.grade for lesson in assess(name).lessons}


def test_libya_grades() -> None:
    # Issue 12: the terms alone leave Libya's hidden sites covered only once declared or found
    # (lesson 4 warns; the ledger's verified declaration clears it), the travel ban was lifted
    # before the last HEU fuel left (reversible relief before the core: warn, "mostly met" in
    # cases.md), and the site search finds a hidden plant in a year with about 0.90.
    assert grades("libya-2003") == {1: "pass", 2: "warn", 3: "warn", 4: "warn"}


def test_libya_model_for_the_dprk() -> None:
    # Six months are months to abandon: verified elimination of a program of this size takes
    # years (Hecker, Carlin & Serbin 2018), so lesson 1 warns; the suspected second enrichment
    # plant cannot be dismantled before it is found (lesson 4 fails: it stays hidden through
    # the 12 months with probability about 0.45).
    assert grades("dprk-2018-libya-model") == {1: "warn", 2: "pass", 3: "warn", 4: "fail"}


@pytest.mark.parametrize("name", ["dprk-2018-step-by-step", "agreed-framework-1994"])
def test_step_by_step_cases_fail(name: str) -> None:
    result = assess(name)
    assert result.overall == "fail"
    assert result.lesson(2).grade == "fail"  # relief before results
    assert result.lesson(4).grade == "fail"  # not CVID


def _messages(name: str, lesson: int) -> str:
    return " | ".join(f.message for f in assess(name).lesson(lesson).findings)


def test_step_by_step_findings_say_why() -> None:
    lesson1 = _messages("dprk-2018-step-by-step", 1)
    assert "freezes ICBM testing after the Hwasong-15" in lesson1
    assert "2017-11-28" in lesson1
    assert "No verifiable commitment delivers a complete, verifiable declaration" in lesson1
    lesson4 = " ".join(_messages("dprk-2018-step-by-step", 4).split())
    assert "end-of-extended-deterrence" in lesson4
    assert "plutonium stock 'plutonium' is not covered" in lesson4
    assert "'close-test-site' (dismantle) is unverified" in lesson4


def test_agreed_framework_findings() -> None:
    r = assess("agreed-framework-1994")
    l1 = r.lesson(1)
    # The spent fuel's shipment has an escort but no accountancy, and the dismantlement of the
    # reprocessing plant no environmental sampling: no verified end (adequacy table).
    assert l1.figures["verified_completion_months"] is None
    assert l1.figures["scheduled_completion_months"] == 108
    assert "ship-spent-fuel" in l1.figures["unverifiable_commitments"]
    assert r.lesson(3).grade == "fail"
    assert any("declared-sites-only" in f.message for f in r.lesson(3).findings)
    assert any("civil-reactors-delivered" in f.message for f in r.lesson(4).findings)


def test_six_party_pays_for_an_unverified_declaration() -> None:
    r = assess("six-party-2007")
    msgs = _messages("six-party-2007", 2)
    assert "pays for 'declaration', which has no verification" in msgs
    assert r.lesson(4).summary.startswith("Freeze-only")
    # The ~$25 million of Banco Delta Asia returned in June 2007 on a statement, before the
    # shutdown (cases.md §11), is the fourth.
    assert r.lesson(2).figures["released_before_verification"] == 4
    assert "Concession 'bda-funds' (sanctions-relief) is released on a statement" in msgs


def test_libya_figures() -> None:
    r = assess("libya-2003")
    l1 = r.lesson(1).figures
    # The weapons program: centrifuges, drawings and UF6 out by 2004-01-27 (month 1.3), the rest
    # by 2004-03-06 (2.6), the Additional Protocol signed 2004-03-10 (2.7; UN News 2004-03-10).
    assert l1["verified_completion_months"] == 2.7
    assert l1["first_concrete_acts"]["declaration"] == {"commitment": "declare-all", "month": 1}
    # The October and December 2003 expert visits (AFP 2003-12-20) come before the agreement.
    assert l1["first_concrete_acts"]["documents"] == {"commitment": "expert-visits", "month": 0}
    acts = l1["clocks"]["irreversible_acts"]
    assert acts["months"] == 1.3
    assert acts["acts"]["hand_over"] == {"commitment": "remove-sensitive", "month": 1.3}
    # The last HEU left on 2009-12-21 (fissilematerials.org): scheduled, but outside the clock.
    assert l1["scheduled_completion_months"] == 71.1
    assert l1["civil_fuel_commitments"] == [
        "remove-fresh-heu",
        "remove-fresh-heu-2006",
        "remove-spent-heu",
    ]
    # Three of the seven items in scope were undeclared before the agreement: covered only once
    # declared or found. The three HEU batches and the UF6 are removed.
    assert r.lesson(4).figures["coverage"] == pytest.approx(4 / 7)
    assert len(r.lesson(4).figures["residual_undeclared_capability"]) == 3
    assert r.lesson(4).figures["removal_out_of_country"] is True


def test_lesson1_times_the_weapons_program_not_the_civil_fuel() -> None:
    """The rule of lesson 1's clock (cvid.assess.lessons.civil_fuel_commitments): Libya's last
    HEU, 5.2 kg in spent research-reactor fuel, left on 2009-12-21 (month 72), but it was
    declared and safeguarded before 2003 (IAEA GOV/2004/12): a civil-fuel matter. Lesson 1
    times the weapons program, removed by March 2004 (events.csv). The same material not
    marked as safeguarded civil fuel is in the clock, and the clock then runs to 2009."""
    from cvid.scenario import example_path, scenario_from_dict

    base = assess("libya-2003").lesson(1)
    assert base.grade == "pass"
    assert any("Outside the clocks" in f.message and "'remove-spent-heu' (month 71.1)" in f.message
               for f in base.findings)  # fmt: skip
    import tomllib

    d = tomllib.loads(example_path("libya-2003").read_text())
    for m in d["program"]["materials"]:
        m.pop("safeguarded_civil", None)
    l1 = _assess(scenario_from_dict(d), simulate=False).lesson(1)
    assert l1.figures["verified_completion_months"] == 71.1
    assert l1.figures["civil_fuel_commitments"] == []
    assert l1.grade == "fail"


def test_every_finding_names_a_scenario_field() -> None:
    for name in ["libya-2003", "dprk-2018-step-by-step", "agreed-framework-1994", "six-party-2007"]:
        for lesson in assess(name).lessons:
            for f in lesson.findings:
                head = f.field.split(".")[0].split("[")[0]
                assert head in {"agreement", "program", "verification", "counterpart",
                                "thresholds", "pressure"}, f.field  # fmt: skip


def test_thresholds_are_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cvid.scenario import example_path

    text = example_path("dprk-2018-libya-model").read_text()
    strict = text + "\n[thresholds]\ncompletion_pass_months = 4\n"
    p = tmp_path / "strict.toml"
    p.write_text(strict)
    r = _assess(p, simulate=False)
    assert r.simulation is None
    assert r.lesson(1).grade == "warn"
    assert r.assumptions["thresholds.completion_pass_months"].value == 4
    assert r.assumptions["thresholds.completion_pass_months"].default == 6


def test_json_shape_is_the_documented_one() -> None:
    result = CliRunner().invoke(app, ["assess", "libya-2003", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"scenario", "lessons", "assumptions"}
    assert data["scenario"]["name"] == "libya-2003"
    assert [lesson["id"] for lesson in data["lessons"]] == [1, 2, 3, 4]
    for lesson in data["lessons"]:
        assert set(lesson) >= {"id", "title", "grade", "findings", "figures"}
        assert lesson["grade"] in {"pass", "warn", "fail"}
        for f in lesson["findings"]:
            assert set(f) == {"field", "severity", "message"}
    a = data["assumptions"]["thresholds.libya_benchmark_months"]
    assert a == {"value": 4.0, "default": 4.0, "description": a["description"]}


def test_terminal_scorecard_via_real_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cvid", "assess", "examples/dprk-2018-step-by-step.toml"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Scorecard" in proc.stdout
    assert "FAIL" in proc.stdout


def test_bad_scenario_exits_2() -> None:
    result = CliRunner().invoke(app, ["assess", "no-such-scenario.toml"])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_lesson3_has_the_verification_figures() -> None:
    # Lesson 3 carries cvid.verify's numbers: the step-by-step regime (managed access, no
    # challenge inspections) cannot find an undeclared plant; the Libya model can.
    weak = assess("dprk-2018-step-by-step").lesson(3)
    strong = assess("dprk-2018-libya-model").lesson(3)
    assert weak.figures["undeclared_site_probability_1y"] < 0.5
    # With the cue persistent per history (issue 12) the Libya model finds the hidden plant
    # with about 0.55 in a year, not 1.00: intelligence knows the site or it does not.
    assert 0.5 < strong.figures["undeclared_site_probability_1y"] < 0.6
    assert weak.grade == "fail"
    assert any("undeclared enrichment plant" in f.message and f.severity == "fail"
               for f in weak.findings)  # fmt: skip
    # The balance plan is the default one, so its figures are labelled and not headlined.
    assert strong.figures["material_balance_basis"] == "default-plan"
    assert "sigma_muf_per_sq" not in strong.figures
    assert 0 < strong.figures["verification"]["sigma_muf_per_sq"] < 1 / 3.29


def test_simulation_compares_the_agreement_with_the_libya_model() -> None:
    # The Libya-model variant runs under anywhere-anytime verification, so a cheater is exposed
    # before the package is paid (issue 13's `exposed` outcome) more often than under the
    # step-by-step deal's managed access, where it is never caught, and pays nothing to cheaters.
    # With the cue persistent per history (issue 12) a plant hidden among 200 candidates is found
    # in a year with about 0.28 under the variant, so the margin is modest. The step-by-step deal
    # itself never reaches verified CVID (its test-site step has no means of verification).
    sim = assess("dprk-2018-step-by-step").simulation
    assert sim is not None
    assert set(sim["strategies"]) == {"agreement", "libya-model"}
    own, libya = sim["strategies"]["agreement"], sim["strategies"]["libya-model"]

    # caught: exposed (before any concession, as under the Libya model's pay-at-completion)
    # or breakdown (after some were paid): about 0.09 against 0 at the default 10,000 runs
    def caught(r: dict[str, Any]) -> float:
        return float(r["outcomes"]["exposed"] + r["outcomes"]["breakdown"])

    assert caught(libya) > caught(own) + 0.05
    assert own["outcomes"]["verified_cvid"] == 0.0 < libya["outcomes"]["verified_cvid"]
    assert libya["concessions_to_cheaters"]["mean"] == 0.0
    assert own["concessions_to_cheaters"]["mean"] > 0.2
    for r in (own, libya):
        assert sum(r["outcomes"].values()) == pytest.approx(1.0)


def test_simulation_is_reproducible_from_the_seed() -> None:
    a = _assess("libya-2003", runs=500, seed=11).simulation
    b = _assess("libya-2003", runs=500, seed=11).simulation
    assert a == b


def test_fail_on_gives_exit_1_for_ci() -> None:
    runner = CliRunner()
    failing = runner.invoke(app, ["assess", "six-party-2007", "--no-simulate", "--fail-on", "fail"])
    assert failing.exit_code == 1
    passing = runner.invoke(app, ["assess", "libya-2003", "--no-simulate", "--fail-on", "fail"])
    assert passing.exit_code == 0
    warned = runner.invoke(app, ["assess", "libya-2003", "--no-simulate", "--fail-on", "warn"])
    assert warned.exit_code == 1
    plain = runner.invoke(app, ["assess", "six-party-2007", "--no-simulate"])
    assert plain.exit_code == 0  # a failing grade is a result, not an error, unless asked
    bad = runner.invoke(app, ["assess", "libya-2003", "--no-simulate", "--fail-on", "nope"])
    assert bad.exit_code == 2


def test_safeguarded_civil_material_must_be_declared(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Only declared, safeguarded material can leave lesson 1's clock: without a declared mass
    the file is refused with the field and the reason (exit 2)."""
    from cvid.scenario import example_path

    text = example_path("libya-2003").read_text().replace("declared_mass_kg = 5.2\n", "")
    bad = tmp_path / "libya-undeclared.toml"
    bad.write_text(text)
    r = CliRunner().invoke(app, ["scenario", "validate", str(bad)])
    assert r.exit_code == 2
    assert "program.materials[2]" in r.output
    assert "safeguarded_civil material must be declared" in r.output
