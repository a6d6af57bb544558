"""``assess``: combine the lesson checks, verification figures and simulation into one result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

import cvid
from cvid.assess.lessons import (
    lesson1,
    lesson2,
    lesson3,
    lesson3_quantitative,
    lesson3_red_team,
    lesson4,
)
from cvid.assess.lessons.decision import ledger_behaviour
from cvid.assess.result import (
    Assessment,
    Assumption,
    Finding,
    LessonResult,
    ScenarioSummary,
    grade_of,
)
from cvid.negotiate import SimulationResult
from cvid.negotiate import simulate as run_simulation
from cvid.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from cvid.compliance import ComplianceState
    from cvid.compliance.evidence import Evidence


def scenario_summary(s: Scenario, source: str | None = None) -> ScenarioSummary:
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
    """Every model parameter the assessment used: thresholds, missile scope, regime,
    counterpart."""
    out: dict[str, Assumption] = {}
    _flatten("thresholds", s.thresholds, out)
    _flatten("agreement.provisions.missile_scope", s.agreement.provisions.missile_scope, out)
    _flatten("verification", s.verification, out)
    _flatten("counterpart", s.counterpart, out)
    return out


def simulate_against_libya_model(
    s: Scenario, *, runs: int, months: int, seed: int
) -> SimulationResult:
    """Simulate the agreement's own strategy under its own regime, and the Libya-model strategy
    under the Libya-model regime (:func:`cvid.negotiate.libya_model_variant`), from the same
    seed: exactly ``cvid simulate S -s agreement -s libya-model``."""
    return run_simulation(s, ["agreement", "libya-model"], runs=runs, months=months, seed=seed)


def assess(
    scenario: Scenario | str | Path,
    *,
    source: str | None = None,
    simulate: bool = True,
    runs: int = 10_000,
    months: int = 120,
    seed: int = 0,
    ledger: str | Path | None = None,
    shared_ledger: bool = False,
    compliance_state: ComplianceState | None = None,
    evidence: Sequence[Evidence] = (),
) -> Assessment:
    """Assess a scenario (a model, a path or a bundled example name) against the four lessons.

    With ``ledger`` (a ledger file or URL), ``compliance`` holds the state derived from its
    evidence by :func:`cvid.compliance.evaluate` (statuses, worst findings, indicators). A
    ledger holding only other agreements' records is refused unless ``shared_ledger`` (a
    service's one ledger for all its agreements). A caller that has the state already (a
    service following its ledger) gives it as ``compliance_state`` with the agreement's
    ``evidence`` it is of, in log order, instead of a ledger to read again.

    With ``simulate`` (the default), also run :func:`cvid.negotiate.simulate` for the
    agreement's own strategy and its Libya-model variant (``runs`` runs of ``months`` months
    from ``seed``).
    """
    if isinstance(scenario, Scenario):
        s = scenario
    else:
        source = source or str(scenario)
        s = load_scenario(scenario)
    if ledger is not None and compliance_state is not None:
        raise ValueError("give a ledger or a compliance state, not both")
    compliance = None
    behaviour = None
    if ledger is not None:
        compliance_state, evidence = _compliance_state(s, ledger, shared=shared_ledger)
    if compliance_state is not None:
        compliance = compliance_state.summary()
        behaviour = ledger_behaviour(s, compliance_state, evidence)
    lessons: tuple[LessonResult, ...] = (
        lesson1(s, behaviour),
        lesson2(s),
        lesson3(s, lesson3_quantitative(s), lesson3_red_team(s)),
        lesson4(s),
    )
    if compliance is not None:
        lessons = apply_compliance(s, lessons, compliance)
    sim = simulate_against_libya_model(s, runs=runs, months=months, seed=seed) if simulate else None
    return Assessment(
        scenario=scenario_summary(s, source),
        lessons=lessons,
        assumptions=assumptions_of(s),
        simulation=None if sim is None else sim.to_dict(),
        simulation_result=sim,
        compliance=compliance,
        version=cvid.__version__,
    )


#: The lesson a commitment's kind belongs to, for violations found on the ledger: the acts
#: of a strategic decision (lesson 1), access and verification (lesson 3), the end state
#: (lesson 4).
LESSON_OF_KIND: dict[str, int] = {
    "declare": 1,
    "freeze": 1,
    "disable": 1,
    "grant-access": 3,
    "disclose": 3,
    "verify": 3,
    "dismantle": 4,
    "remove": 4,
    "destroy": 4,
    "limit": 4,
    "convert": 4,
}


def apply_compliance(
    s: Scenario, lessons: tuple[LessonResult, ...], compliance: Mapping[str, Any]
) -> tuple[LessonResult, ...]:
    """Lessons with the ledger's evidence applied: a verified complete declaration brings the
    undeclared facilities into lesson 4's coverage (declared, so they can be dismantled); a
    violated commitment fails its lesson (:data:`LESSON_OF_KIND`), so the overall grade and
    ``--fail-on`` follow."""
    statuses: Mapping[str, str] = compliance.get("statuses", {})
    complete_declaration = any(
        c.kind == "declare" and c.scope == "complete" and statuses.get(c.id) == "verified"
        for c in s.agreement.commitments
    )
    if complete_declaration:
        hidden = frozenset(f.id for f in s.program.facilities if not f.declared)
        lessons = tuple(lesson4(s, hidden) if le.id == 4 else le for le in lessons)
    extra: dict[int, list[Finding]] = {}
    for i, c in enumerate(s.agreement.commitments):
        if statuses.get(c.id) == "violated":
            extra.setdefault(LESSON_OF_KIND[c.kind], []).append(
                Finding(
                    f"agreement.commitments[{i}]",
                    "fail",
                    f"The ledger shows '{c.id}' ({c.kind}) violated.",
                )
            )
    out = []
    for lesson in lessons:
        add = extra.get(lesson.id)
        if not add:
            out.append(lesson)
            continue
        findings = (*lesson.findings, *add)
        out.append(
            LessonResult(
                lesson.id,
                grade_of(findings),
                lesson.summary + f" The ledger shows {len(add)} violated commitment(s).",
                findings,
                {**lesson.figures, "violated_commitments": [f.field for f in add]},
            )
        )
    return tuple(out)


def _compliance_state(
    s: Scenario, ledger: str | Path, *, shared: bool = False
) -> tuple[ComplianceState, list[Evidence]]:
    """The compliance state of ``s`` from the evidence on ``ledger``, and that evidence; a
    ledger holding only another agreement's records is refused (InputError)."""
    from cvid.compliance import agreement_evidence, agreement_id, evaluate
    from cvid.ledger import Ledger

    with Ledger.open(ledger) as led:
        evidence = list(agreement_evidence(led, agreement_id(s), source=str(ledger), shared=shared))
    return evaluate(s, evidence), evidence


def _compliance(s: Scenario, ledger: str | Path) -> dict[str, Any]:
    """The compliance summary of ``s`` from the evidence on ``ledger``."""
    return _compliance_state(s, ledger)[0].summary()
