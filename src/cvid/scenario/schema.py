"""The published JSON Schema of scenario files (``cvid scenario schema``)."""

from __future__ import annotations

from typing import Any

from cvid.scenario.model import Scenario

SCHEMA_ID = "https://cvid.dev/schema/scenario.schema.json"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, with every default and description."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cvid scenario",
        **schema,
    }
