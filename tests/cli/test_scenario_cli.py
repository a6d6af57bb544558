"""`cvid scenario new|validate|schema` and `cvid examples` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cvid.cli import app
from cvid.scenario import load_scenario

runner = CliRunner()


def test_new_writes_a_file_that_validates(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "new", "case", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "case.toml"
    assert load_scenario(target).meta.name == "case"
    again = runner.invoke(app, ["scenario", "new", "case", "--dir", str(tmp_path)])
    assert again.exit_code == 2
    assert "file exists" in again.output
    before = target.read_text()
    assert runner.invoke(app, ["scenario", "new", "../x", "--dir", str(tmp_path)]).exit_code == 2
    assert target.read_text() == before


def test_validate_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "validate", "libya-2003", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["commitments"] == len(load_scenario("libya-2003").agreement.commitments)


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = runner.invoke(app, ["scenario", "schema", "-o", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert "Scenario" in schema["title"] or schema["properties"]["meta"]


def test_examples_json_lists_every_bundled_file() -> None:
    result = runner.invoke(app, ["examples", "--json"])
    assert result.exit_code == 0
    names = {row["name"] for row in json.loads(result.stdout)}
    bundled = {p.stem for p in (Path(__file__).parents[2] / "examples").glob("*.toml")}
    assert names == bundled
