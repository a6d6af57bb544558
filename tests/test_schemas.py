"""The JSON Schemas under schema/ are current, and the commands' golden JSON conforms to them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from cvid.schemas import published_schemas, result_models, schema_text

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "schema"
GOLDEN = REPO / "tests" / "golden" / "cli"


@pytest.mark.parametrize("name", sorted(published_schemas()))
def test_published_schema_is_current(name: str) -> None:
    path = SCHEMA_DIR / name
    assert path.exists(), f"{path} missing; regenerate with: python -m cvid.schemas schema"
    assert path.read_text(encoding="utf-8") == schema_text(published_schemas()[name]), (
        f"{path} is stale; regenerate with: python -m cvid.schemas schema"
    )


def test_no_stale_schema_files() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(published_schemas())


#: Golden outputs that begin with a schema's name but are another output of the command
#: (``status --beliefs`` adds a key of its own; ``sweep --list-parameters`` is a list of names).
NOT_THE_RESULT: tuple[str, ...] = ("status-beliefs", "sweep-parameters")
#: Results written inside another command's output: schema name → (golden files' prefix, key).
EMBEDDED: dict[str, tuple[str, str]] = {"beliefs": ("status-beliefs", "beliefs")}


#: Schemas whose command is named otherwise: ``assessment`` is what ``cvid assess`` writes.
COMMAND_OF: dict[str, str] = {"assessment": "assess"}


def _golden_for(schema_name: str) -> list[Path]:
    """The golden outputs of the command the schema is for: the files named after it (or after
    its command, :data:`COMMAND_OF`), less those of :data:`NOT_THE_RESULT` and those of a
    longer schema name (``simulate-sensitivity`` is not a ``simulate``); for a result of
    :data:`EMBEDDED`, the files that hold it."""
    if schema_name in EMBEDDED:
        return sorted(GOLDEN.glob(f"{EMBEDDED[schema_name][0]}*.json"))
    longer = [n for n in result_models() if n != schema_name and n.startswith(schema_name)]
    prefix = COMMAND_OF.get(schema_name, schema_name)
    return sorted(
        p
        for p in GOLDEN.glob(f"{prefix}*.json")
        if not p.stem.startswith((*NOT_THE_RESULT, *longer))
    )


@pytest.mark.parametrize("name", sorted(result_models()))
def test_golden_output_conforms_to_its_schema(name: str) -> None:
    """Every stored ``--json`` output of the command (or the part of it that is the result)
    validates against the published schema (and there is at least one such output)."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    files = _golden_for(name)
    assert files, f"no golden output for {name}"
    for path in files:
        data = json.loads(path.read_text())
        if name in EMBEDDED:
            data = data[EMBEDDED[name][1]]
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], f"{path.name}: {errors[:3]}"
