"""``assess``: combine the lesson checks, verification figures and simulation into one result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

import cvid
from cvid.assess.lessons import lesson1, lesson2, lesson3, lesson4
from cvid.assess.result import Assessment, Assumption
from cvid.assess.verification import lesson3_quantitative
from cvid.scenario import Scenario, load_scenario


def scenario_summary(s: Scenario, source: str | None = None) -> dict[str, Any]:
    """The ``scenario`` block of the assessment JSON."""
    a = s.agreement
    return {
        "name": s.meta.name,
        "title": s.meta.title,
        "kind": s.meta.kind,
        "file": source,
        "state": s.program.state,
        "as_of": s.program.as_of.isoformat(),
        "agreement": a.name,
        "start": a.start.isoformat() if a.start else None,
        "duration_months": a.duration_months,
        "commitments": len(a.commitments),
        "concessions": len(a.concessions),
        "sources": list(s.meta.sources),
    }


def _flatten(prefix: str, model: BaseModel, out: dict[str, Assumption]) -> None:
    """Every scalar parameter of ``model`` with its value, default and description."""
    for name, field in type(model).model_fields.items():
        if name == "source":
            continue
        value = getattr(model, name)
        key = f"{prefix}.{field.alias or name}"
        if isinstance(value, BaseModel) and not _is_estimate(value):
            _flatten(key, value, out)
            continue
        if field.default is not PydanticUndefined:
            default = field.default
        elif field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
        else:
            default = None
        out[key] = Assumption(_plain(value), _plain(default), field.description or "")


def _is_estimate(value: BaseModel) -> bool:
    return type(value).__name__ == "Estimate"


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        if _is_estimate(value):
            return str(value)
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def assumptions_of(s: Scenario) -> dict[str, Assumption]:
    """Every model parameter the assessment used: thresholds, regime, counterpart."""
    out: dict[str, Assumption] = {}
    _flatten("thresholds", s.thresholds, out)
    _flatten("verification", s.verification, out)
    _flatten("counterpart", s.counterpart, out)
    return out


def assess(scenario: Scenario | str | Path, *, source: str | None = None) -> Assessment:
    """Assess a scenario (a model, a path or a bundled example name) against the four lessons."""
    if isinstance(scenario, Scenario):
        s = scenario
    else:
        source = source or str(scenario)
        s = load_scenario(scenario)
    lessons = (lesson1(s), lesson2(s), lesson3(s, lesson3_quantitative(s)), lesson4(s))
    return Assessment(
        scenario=scenario_summary(s, source),
        lessons=lessons,
        assumptions=assumptions_of(s),
        version=cvid.__version__,
    )
