"""The assumptions and reproduction section: every assumption with its value, default and
source, the simulation's settings, the scenario's digest and the command that reproduces the
report."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel

from cvid.assess.report.format import fmt
from cvid.assess.result import Assessment, Assumption
from cvid.negotiate import (
    LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR,
    LIBYA_MODEL_NOTICE_HOURS,
)
from cvid.scenario import Scenario


def _walk_source(s: Scenario, key: str) -> str:
    """The ``source`` of the deepest block of the scenario that holds ``key``."""
    obj: Any = s
    found = ""
    for part in key.split("."):
        if not isinstance(obj, BaseModel):
            break
        src = getattr(obj, "source", "")
        if isinstance(src, str) and src:
            found = src
        names = {(f.alias or n): n for n, f in type(obj).model_fields.items()}
        if part not in names:
            break
        obj = getattr(obj, names[part])
    return found


def assumptions(s: Scenario, a: Assessment) -> list[dict[str, Any]]:
    rows = []
    for key, asm in a.assumptions.items():
        rows.append(_assumption_row(s, key, asm))
    sim = a.simulation_result
    if sim is not None:
        for key, value, note in (
            ("simulation.runs", sim.runs, "Monte Carlo runs per strategy"),
            ("simulation.months", sim.months, "horizon of each run (months)"),
            ("simulation.seed", sim.seed, "numpy SeedSequence seed"),
            (
                "simulation.libya_model.challenge_inspections_per_year",
                LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR,
                "at least this many in the Libya-model variant's regime",
            ),
            (
                "simulation.libya_model.challenge_notice_hours",
                LIBYA_MODEL_NOTICE_HOURS,
                "at most this notice in the Libya-model variant's regime",
            ),
        ):
            rows.append(
                {
                    "key": key,
                    "value": fmt(value),
                    "default": "",
                    "changed": False,
                    "description": note,
                    "source": "cvid assess (cvid.assess.engine)",
                }
            )
    return rows


def _assumption_row(s: Scenario, key: str, asm: Assumption) -> dict[str, Any]:
    changed = asm.value != asm.default
    src = _walk_source(s, key) if changed else ""
    return {
        "key": key,
        "value": fmt(asm.value),
        "default": fmt(asm.default),
        "changed": changed,
        "description": asm.description,
        "source": src
        or ("set in the scenario file" if changed else "cvid default (cvid scenario schema)"),
    }


def scenario_digest(s: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: names the exact input the report came from."""
    text = s.model_dump_json(by_alias=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reproduce_command(a: Assessment) -> str:
    src = a.scenario.get("file") or a.scenario.get("name")
    cmd = f"cvid assess {src} --report report.html"
    sim = a.simulation_result
    if sim is None:
        return cmd + " --no-simulate"
    return cmd + f" --runs {sim.runs} --months {sim.months} --seed {sim.seed}"
