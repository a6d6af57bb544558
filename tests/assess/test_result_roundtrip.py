"""An assessment written as JSON reads back as the same result, and the JSON it writes
conforms to the published ``schema/assessment.schema.json`` (what ``cvid assess --json`` and
``POST /api/v1/scenarios/{id}/assessments`` write)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from cvid.assess import Assessment, assess
from cvid.compliance import replay_stream

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "assessment.schema.json"


def _round_trip(a: Assessment) -> Assessment:
    text = a.to_json()
    back = Assessment.model_validate_json(text)
    assert back == a
    assert json.loads(back.to_json()) == json.loads(text)
    assert back.simulation_result is None  # the full curves are in memory only
    errors = [e.message for e in _validator().iter_errors(json.loads(text))]
    assert errors == []
    return back


def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("name", ["libya-2003", "agreed-framework-1994"])
def test_a_simulated_assessment_reads_back_equal(name: str) -> None:
    a = assess(name, runs=500, months=60, seed=3)
    assert a.simulation is not None and a.simulation_result is not None
    back = _round_trip(a)
    assert back.overall == a.overall
    assert [le.grade for le in back.lessons] == [le.grade for le in a.lessons]


def test_an_assessment_with_a_ledger_reads_back_equal(tmp_path: Path) -> None:
    # Libya's bundled evidence stream (examples/evidence/libya-2003.jsonl: the December 2003
    # declaration, the IAEA's access and the removals of 2004, GOV/2004/12 and GOV/2004/33).
    db = tmp_path / "libya.db"
    replay_stream("libya-2003", db)
    a = assess("libya-2003", simulate=False, ledger=db)
    assert a.compliance is not None and a.compliance["records"] > 0
    back = _round_trip(a)
    assert back.compliance == a.compliance
