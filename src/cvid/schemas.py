"""The JSON Schemas cvid publishes under ``schema/``: scenario files and typed results.

Each typed result (:class:`cvid.results.Result`) is published as ``schema/NAME.schema.json``,
the schema of what its ``to_json`` writes (pydantic's serialization mode), so that a consumer
of ``--json`` output or of the API can validate what it reads. A test keeps the published
files equal to these; regenerate them after a change of a result model with::

    python -m cvid.schemas schema
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cvid.results import Result


def _assess_results() -> dict[str, type[Result]]:
    from cvid.assess.result import Assessment

    return {"assessment": Assessment}


def _verify_results() -> dict[str, type[Result]]:
    from cvid.verify import analysis

    return {
        "plan-sampling": analysis.SamplingAnalysis,
        "plan-balance": analysis.BalanceAnalysis,
        "plan-search": analysis.SearchAnalysis,
        "plan-production": analysis.ProductionCheck,
    }


def _compliance_results() -> dict[str, type[Result]]:
    from cvid.compliance import BeliefState, ComplianceState, ReplayReport

    return {"status": ComplianceState, "beliefs": BeliefState, "ledger-replay": ReplayReport}


def _negotiate_results() -> dict[str, type[Result]]:
    from cvid.negotiate import result

    return {
        "simulate": result.SimulationResult,
        "simulate-sensitivity": result.SensitivityResult,
        "sweep": result.SweepResult,
    }


def _redteam_results() -> dict[str, type[Result]]:
    from cvid.redteam import RedTeamResult

    return {"redteam": RedTeamResult}


#: Groups of published result models, imported only when asked for.
_GROUPS: tuple[Callable[[], dict[str, type[Result]]], ...] = (
    _assess_results,
    _verify_results,
    _compliance_results,
    _negotiate_results,
    _redteam_results,
)


def result_models() -> dict[str, type[Result]]:
    """Schema name → result model, for every result cvid publishes a schema of."""
    out: dict[str, type[Result]] = {}
    for group in _GROUPS:
        out.update(group())
    return out


def result_schema(model: type[Result]) -> dict[str, Any]:
    """The JSON Schema of what ``model``'s ``to_json`` writes."""
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def published_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for every file cvid publishes under ``schema/``."""
    from cvid.scenario import scenario_json_schema

    out: dict[str, dict[str, Any]] = {"scenario.schema.json": scenario_json_schema()}
    for name, model in result_models().items():
        out[f"{name}.schema.json"] = result_schema(model)
    return out


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as published: indented JSON with a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every published schema into ``folder``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in published_schemas().items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m cvid.schemas FOLDER", file=sys.stderr)
        return 2
    for path in write_schemas(Path(args[0])):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
