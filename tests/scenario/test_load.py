"""Loading scenario files: valid files load, every kind of bad input gets one clear error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cvid.errors import InputError
from cvid.scenario import (
    Estimate,
    ScenarioError,
    examples,
    load_scenario,
    loads_scenario,
    scenario_json_schema,
)
from cvid.scenario.template import render_template

REPO = Path(__file__).resolve().parents[2]
BUNDLED = ["agreed-framework-1994", "dprk-2018-libya-model", "dprk-2018-step-by-step",
           "libya-2003", "six-party-2007"]  # fmt: skip


def template() -> str:
    return render_template("t")


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="s.toml")
    return info.value.problems


def test_bundled_examples_are_listed_and_load() -> None:
    names = [n for n, _ in examples()]
    for name in BUNDLED:
        assert name in names
        s = load_scenario(name)
        assert s.meta.name == name
    for name, title in examples():
        assert title, f"{name} has no title"


def test_template_validates() -> None:
    s = loads_scenario(template(), "t.toml")
    assert s.agreement.commitments[0].kind == "declare"
    assert s.counterpart.prior.time_buyer == pytest.approx(0.4)


def test_malformed_toml_names_line_and_column() -> None:
    text = template().replace('name = "t"', 'name = "t', 1)
    [(field, reason)] = problems(text)
    assert field.startswith("line ")
    assert "column" in field
    assert reason.startswith("invalid TOML")


def test_unknown_field_suggests_the_right_name() -> None:
    text = template().replace("mass_kg =", "mass_kgs =", 1)
    found = dict(problems(text))
    assert "program.materials[0].mass_kgs" in found
    assert "did you mean 'mass_kg'" in found["program.materials[0].mass_kgs"]


def test_number_with_unit_is_refused_with_a_hint() -> None:
    text = template().replace("deadline_months = 1\n", 'deadline_months = "1 month"\n', 1)
    found = dict(problems(text))
    assert "expected a bare number" in found["agreement.commitments[0].deadline_months"]


def test_uncertain_quantity_with_unit_is_refused_with_a_hint() -> None:
    text = template().replace(
        "thermal_power_mw = { low = 20, high = 25 }", 'thermal_power_mw = "25 MW"'
    )
    found = dict(problems(text))
    assert "expected a bare number, got '25 MW'" in found["program.facilities[0].thermal_power_mw"]


@pytest.mark.parametrize(
    ("name", "field", "reason"),
    [
        ("typo-and-unit", "program.materials[0].mass_kgs", "did you mean 'mass_kg'"),
        ("typo-and-unit", "program.facilities[0].thermal_power_mw", "expected a bare number"),
        ("cyclic", "agreement.commitments[2].after", "remove-pu → relief → remove-pu"),
        ("late-deadline", "agreement.commitments[2].deadline_months", "after the agreement's end"),
    ],
)
def test_shipped_bad_input_gives_its_error(name: str, field: str, reason: str) -> None:
    path = REPO / "examples" / "bad" / f"{name}.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert any(f == field and reason in r for f, r in info.value.problems), info.value.problems
    assert name not in [n for n, _ in examples()]  # bad input is not a bundled scenario


def test_negative_quantity_is_refused() -> None:
    text = template().replace("thermal_power_mw = { low = 20, high = 25 }", "thermal_power_mw = -5")
    [(field, reason)] = problems(text)
    assert field == "program.facilities[0].thermal_power_mw"
    assert "must not be negative (got -5)" in reason


def test_estimate_range_must_be_ordered() -> None:
    text = template().replace("{ low = 10, mode = 15, high = 20 }", "{ low = 30, high = 20 }")
    [(field, reason)] = problems(text)
    assert field == "program.materials[0].mass_kg"
    assert "below low" in reason


def test_unknown_reference_names_field_and_suggests() -> None:
    text = template().replace('targets = ["separated-pu"]', 'targets = ["separated-pv"]')
    [(field, reason)] = problems(text)
    assert field == "agreement.commitments[2].targets[0]"
    assert "did you mean 'separated-pu'" in reason


def test_cycle_in_conditions_is_refused() -> None:
    text = template().replace('after = ["declare"]', 'after = ["relief"]')
    [(field, reason)] = problems(text)
    assert "cycle" in reason
    assert "remove-pu" in reason and "relief" in reason
    assert field.startswith("agreement.")


def test_deadline_after_the_end_is_refused() -> None:
    text = template().replace("deadline_months = 4", "deadline_months = 40")
    [(field, reason)] = problems(text)
    assert field == "agreement.commitments[2].deadline_months"
    assert "after the agreement's end" in reason


def test_prior_must_sum_to_one() -> None:
    text = template().replace("sincere = 0.3", "sincere = 0.5")
    [(field, reason)] = problems(text)
    assert field == "counterpart.prior"
    assert "sum to 1.2" in reason


def test_duplicate_ids_are_refused() -> None:
    text = template().replace('id = "remove-pu"', 'id = "declare"')
    [(field, reason)] = problems(text)
    assert field == "agreement.commitments[2].id"
    assert "duplicate" in reason


def test_missing_file_and_directory_and_binary() -> None:
    with pytest.raises(InputError, match="no such file"):
        load_scenario("/nonexistent/x.toml")
    with pytest.raises(InputError, match="directory"):
        load_scenario(REPO)
    with pytest.raises(InputError, match="did you mean the bundled example 'libya-2003'"):
        load_scenario("libya-2030")


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "b.toml"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="UTF-8"):
        load_scenario(p)


def test_estimate_distribution_moments() -> None:
    # Uniform mean (a+b)/2 and triangular mean (a+c+b)/3: closed forms checked by simulation.
    import numpy as np

    rng = np.random.default_rng(1)
    u = Estimate(low=2, high=10)
    t = Estimate(low=2, mode=3, high=10)
    assert u.mean == 6 and t.mean == pytest.approx(5)
    assert u.sample(rng, 200_000).mean() == pytest.approx(6, abs=0.03)
    assert t.sample(rng, 200_000).mean() == pytest.approx(5, abs=0.03)
    assert Estimate.model_validate(4.5).is_point


def test_published_schema_is_current() -> None:
    published = json.loads((REPO / "schema" / "scenario.schema.json").read_text())
    assert published == json.loads(json.dumps(scenario_json_schema())), (
        "regenerate with: cvid scenario schema -o schema/scenario.schema.json"
    )


def test_schema_documents_defaults() -> None:
    schema = scenario_json_schema()
    provisions = schema["$defs"]["Provisions"]["properties"]
    assert provisions["access"]["default"] == "declared-sites-only"
    assert provisions["challenge_notice_hours"]["description"]


def test_every_bundled_example_validates_against_the_json_schema() -> None:
    import tomllib

    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_json_schema()
    for name in BUNDLED:
        data = tomllib.loads((REPO / "examples" / f"{name}.toml").read_text())
        jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_cli_reports_bad_file_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(template().replace('after = ["declare"]', 'after = ["relief"]'))
    proc = subprocess.run(
        [sys.executable, "-m", "cvid", "scenario", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "cycle" in proc.stderr


def test_intelligence_exposure_is_for_a_hidden_site_and_a_probability() -> None:
    """intelligence_exposure_per_month: refused on a declared facility and above 1, the
    error naming the facility's field; accepted on an undeclared one."""
    line = "declared = true\n"
    text = template().replace(line, line + "intelligence_exposure_per_month = 0.01\n", 1)
    [(field, reason)] = problems(text)
    assert field == "program.facilities[0].intelligence_exposure_per_month"
    assert "only for an undeclared facility" in reason
    hidden = text.replace(line, "declared = false\n", 1)
    assert loads_scenario(hidden, "t.toml").program.facilities[0].declared is False
    too_big = hidden.replace("per_month = 0.01", "per_month = { low = 0.5, high = 1.5 }")
    [(field, reason)] = problems(too_big)
    assert field == "program.facilities[0].intelligence_exposure_per_month"
    assert "above 1" in reason
