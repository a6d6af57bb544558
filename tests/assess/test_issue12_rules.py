"""Each rule of issue 12: a bundled example with one change, and the grade it must give."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from cvid.assess import assess
from cvid.assess.engine import apply_compliance
from cvid.errors import InputError
from cvid.scenario import example_path, scenario_from_dict
from cvid.scenario.agreement import VerificationMethod
from cvid.verify.adequacy import ADEQUACY_TABLE, METHODS


def example(name: str) -> dict[str, Any]:
    with open(example_path(name), "rb") as fh:
        return tomllib.load(fh)


def grades(data: dict[str, Any]) -> dict[int, str]:
    a = assess(scenario_from_dict(data), simulate=False)
    return {lesson.id: lesson.grade for lesson in a.lessons}


def commitment(data: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in data["agreement"]["commitments"] if c["id"] == cid)


def concession(data: dict[str, Any], kid: str) -> dict[str, Any]:
    return next(c for c in data["agreement"]["concessions"] if c["id"] == kid)


def test_ntm_cannot_verify_warhead_removal() -> None:
    d = example("dprk-2018-libya-model")
    base = grades(d)
    commitment(d, "remove-weapons")["verification"] = ["national-technical-means"]
    commitment(d, "remove-weapons").pop("verification_basis")
    changed = grades(d)
    assert base[1] != "fail" and base[3] != "fail"
    assert changed[1] == changed[3] == changed[4] == "fail"
    a = assess(scenario_from_dict(d), simulate=False)
    assert any("'remove-weapons'" in f.message for f in a.lesson(4).findings)


def test_relief_for_a_verified_freeze_fails_lesson_2() -> None:
    d = example("agreed-framework-1994")
    k = concession(d, "heavy-fuel-oil")
    k["release_on"] = "verified"
    a = assess(scenario_from_dict(d), simulate=False)
    msgs = [f.message for f in a.lesson(2).findings if "heavy-fuel-oil" in f.message]
    assert a.lesson(2).grade == "fail"
    assert any("before the irreversible core" in m for m in msgs)
    assert any("reversible steps only" in m for m in msgs)


@pytest.mark.parametrize(
    ("field", "value"),
    [("access_to_people", False), ("access_to_documents", False), ("access", "managed")],
)
def test_lesson3_fails_without_each_access(field: str, value: object) -> None:
    d = example("dprk-2018-libya-model")
    d["agreement"]["provisions"][field] = value
    assert grades(d)[3] == "fail"


def test_access_severity_is_a_threshold() -> None:
    d = example("dprk-2018-libya-model")
    d["agreement"]["provisions"]["access_to_people"] = False
    d["thresholds"] = {"without_access_to_people": "warn"}
    assert grades(d)[3] == "warn"


def test_material_relief_before_the_core_fails_and_share_is_reported() -> None:
    d = example("dprk-2018-libya-model")
    k = concession(d, "security-assurance")
    k["month"] = 2
    k["requires"] = ["declare-all"]
    assert grades(d)[2] == "fail"
    d = example("dprk-2018-libya-model")
    concession(d, "sanctions-relief")["month"] = 3
    concession(d, "sanctions-relief")["requires"] = ["declare-all"]
    a = assess(scenario_from_dict(d), simulate=False)
    # Reversible relief (sanctions) before the core warns; 3500 of 6000 M$ (central) early.
    assert a.lesson(2).grade == "warn"
    assert a.lesson(2).figures["share_of_value_before_core"] == pytest.approx(3500 / 6000)


def test_relief_for_reversible_steps_warns() -> None:
    d = example("dprk-2018-libya-model")
    commitment(d, "additional-protocol")["kind"] = "freeze"
    concession(d, "liaison-offices")["requires"] = ["additional-protocol"]
    concession(d, "liaison-offices")["month"] = 3
    assert grades(d)[2] == "warn"


def test_pressure_breadth_and_continuity() -> None:
    d = example("dprk-2018-libya-model")
    d["pressure"] = {
        "instruments": [
            {"id": "un", "kind": "un-sanctions", "share": 0.3, "continues": False},
            {"id": "us", "kind": "unilateral-sanctions", "share": 0.5, "continues": True},
        ]
    }
    a = assess(scenario_from_dict(d), simulate=False)
    assert a.lesson(2).grade == "warn"  # 5/8 of the leverage continues: below 0.75, above 0.4
    d["pressure"]["instruments"][1]["continues"] = False
    assert grades(d)[2] == "fail"


def test_lesson1_two_clocks() -> None:
    a = assess("dprk-2018-libya-model", simulate=False)
    l1 = a.lesson(1)
    clocks = l1.figures["clocks"]
    assert clocks["irreversible_acts"]["months"] == 6
    low, high = clocks["verified_completion"]["feasibility_months"]
    assert 50 <= low < high <= 120
    assert l1.grade == "warn"  # six months is months to abandon, not verified elimination
    libya = assess("libya-2003", simulate=False).lesson(1)
    assert libya.grade == "pass"


def test_undeclared_site_is_covered_only_once_found() -> None:
    a = assess("dprk-2018-libya-model", simulate=False)
    l4 = a.lesson(4)
    assert l4.grade == "fail"
    residual = l4.figures["residual_undeclared_capability"]
    assert residual[0]["item"] == "second-enrichment-site"
    assert 0 < residual[0]["probability_hidden"] < 1


def test_missile_scope_mtcr_by_default() -> None:
    a = assess("dprk-2018-libya-model", simulate=False)
    assert any("'nodong'" in f.message for f in a.lesson(4).findings)
    d = example("dprk-2018-libya-model")
    d["agreement"]["provisions"]["missile_scope"] = {"min_range_km": 3000}
    d["program"]["missiles"][3]["range_km"] = 1300
    a = assess(scenario_from_dict(d), simulate=False)
    assert not any("'nodong'" in f.message for f in a.lesson(4).findings)


def test_conditional_goal_wording() -> None:
    d = example("dprk-2018-libya-model")
    d["agreement"]["stated_goal"] = "complete denuclearization of the Korean Peninsula"
    a = assess(scenario_from_dict(d), simulate=False)
    assert "korean peninsula" in a.lesson(4).figures["conditional_goal_wording"]
    assert any(
        f.severity == "warn" and f.field == "agreement.stated_goal" for f in a.lesson(4).findings
    )


def test_caps_and_sunsets_are_a_reduced_end_state() -> None:
    d = example("dprk-2018-libya-model")
    d["agreement"]["commitments"].append(
        {
            "id": "cap-enrichment",
            "kind": "limit",
            "targets": ["yongbyon-enrichment"],
            "deadline_months": 3,
            "cap": {"quantity": "enrichment-level", "value": 3.67, "unit": "percent"},
            "sunset": "2033-06-12",
            "verification": ["on-site-inspection", "remote-monitoring"],
        }
    )
    a = assess(scenario_from_dict(d), simulate=False)
    terms = [r["term"] for r in a.lesson(4).figures["reduced_end_state"]]
    assert "cap 'cap-enrichment'" in terms and "sunset of 'cap-enrichment'" in terms
    assert a.lesson(4).grade == "fail"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["agreement"]["commitments"][0].update(sunset="2018-01-01"), "sunset"),
        (
            lambda d: d["agreement"]["commitments"][0].update(
                kind="limit", cap={"quantity": "stockpile", "value": 10}
            ),
            "cap.unit",
        ),
        (lambda d: d.update(thresholds={"feasibility": {"reference_warheads": -1}}), "feasibility"),
        (
            lambda d: d["agreement"]["commitments"][0].update(verification=["telepathy"]),
            "verification",
        ),
        (lambda d: d["program"]["missiles"][0].update({"class": "hypersonic"}), "class"),
        (
            lambda d: d.update(
                pressure={"instruments": [{"id": "x", "kind": "bribery", "share": 0.1}]}
            ),
            "kind",
        ),
    ],
)
def test_bad_input_names_the_field(change: Any, field: str) -> None:
    d = copy.deepcopy(example("dprk-2018-libya-model"))
    change(d)
    with pytest.raises(InputError) as exc:
        scenario_from_dict(d, "bad.toml")
    assert "bad.toml" in str(exc.value) and field in str(exc.value)


def test_violated_commitment_on_the_ledger_fails_its_lesson() -> None:
    from cvid.scenario import load_scenario

    s = load_scenario("dprk-2018-libya-model")
    a = assess(s, simulate=False)
    lessons = apply_compliance(s, a.lessons, {"statuses": {"remove-weapons": "violated"}})
    by_id = {le.id: le for le in lessons}
    assert by_id[4].grade == "fail"
    assert any("violated" in f.message for f in by_id[4].findings)
    verified = apply_compliance(s, a.lessons, {"statuses": {"declare-all": "verified"}})
    l4 = next(le for le in verified if le.id == 4)
    assert not l4.figures["residual_undeclared_capability"]


def test_adequacy_table_is_data_covering_every_method() -> None:
    assert set(VerificationMethod.__args__) == METHODS  # type: ignore[attr-defined]
    named: set[str] = set()
    from cvid.scenario import examples

    for name, _ in examples():
        for c in example(name)["agreement"].get("commitments", []):
            named |= set(c.get("verification", []))
    assert named <= METHODS
    for row in ADEQUACY_TABLE:
        assert row.source and row.needs
        for group in row.needs:
            assert group <= METHODS
    # National technical means appear only in the test-moratorium rows.
    ntm_rows = [r for r in ADEQUACY_TABLE if any("national-technical-means" in g for g in r.needs)]
    assert {r.target for r in ntm_rows} == {"nuclear-testing", "missile-testing"}


def test_balance_figures_only_from_a_facility_plan() -> None:
    libya = assess("libya-2003", simulate=False).lesson(3).figures
    assert libya["material_balance_basis"] == "not-applicable"
    assert "detection_probability_sq_within_goal" not in libya
    step = assess("dprk-2018-step-by-step", simulate=False).lesson(3).figures
    assert step["material_balance_basis"] == "not-applicable"  # Pu and HEU not covered
    d = example("dprk-2018-libya-model")
    d.setdefault("verification", {})["material_balance"] = {"facility": "yongbyon-reprocessing"}
    f = assess(scenario_from_dict(d), simulate=False).lesson(3).figures
    assert f["material_balance_basis"] == "facility-plan"
    assert "detection_probability_sq_within_goal" in f


def test_libya_ledger_declares_the_hidden_sites(tmp_path: Any) -> None:
    # The bundled Libya evidence shows the complete declaration verified (IAEA GOV/2004/12),
    # so the sites undeclared before 19 December 2003 count as declared and lesson 4 passes.
    from cvid.compliance import replay_stream

    path = tmp_path / "libya.db"
    replay_stream("libya-2003", path)
    plain = assess("libya-2003", simulate=False)
    with_ledger = assess("libya-2003", simulate=False, ledger=path)
    assert plain.lesson(4).grade == "warn"
    assert with_ledger.lesson(4).grade == "pass"
    assert with_ledger.lesson(4).figures["residual_undeclared_capability"] == []


def test_freeze_reports_what_it_leaves_running() -> None:
    from cvid.verify import separative_work

    d = example("dprk-2018-step-by-step")
    commitment(d, "freeze-yongbyon")["targets"] = ["yongbyon-reprocessing", "yongbyon-enrichment"]
    a = assess(scenario_from_dict(d), simulate=False)
    running = {r["facility"]: r for r in a.lesson(3).figures["left_running"]["facilities"]}
    # 20–25 MWt × 365 d × 0.5–0.8 × 0.95 g/MWd (research README: 5–7 kg a year at full power).
    assert running["yongbyon-5mwe"]["kg_per_year"] == pytest.approx(
        [20 * 365 * 0.5 * 0.95e-3, 25 * 365 * 0.8 * 0.95e-3]
    )
    # The hidden plant: 7,000–14,000 kg-SWU a year; U-235 in 90 % HEU at 0.3 % tails.
    per_kg = float(separative_work(1.0, 0.9))
    assert running["second-enrichment-site"]["kg_per_year"] == pytest.approx(
        [0.9 * 7000 / per_kg, 0.9 * 14000 / per_kg]
    )
    assert any("leaves running" in f.message for f in a.lesson(3).findings)


def test_cli_bad_sunset_exits_2(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from cvid.cli import app

    text = example_path("dprk-2018-libya-model").read_text(encoding="utf-8")
    text = text.replace('deadline_months = 3\nverification = ["on-site-inspection"]\n',
                        'deadline_months = 3\nsunset = 2017-01-01\nverification = '
                        '["on-site-inspection"]\n', 1)  # fmt: skip
    path = tmp_path / "sunset.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(path), "--no-simulate"])
    assert result.exit_code == 2
    assert "sunset.toml" in result.output and "sunset" in result.output
    assert "Traceback" not in result.output
