"""The assessment result: a scorecard per lesson, with findings and the figures behind them.

One object feeds every surface (terminal, JSON, HTML report, web), so its ``to_dict`` shape is
the documented JSON of ``cvid assess --json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Grade = Literal["pass", "warn", "fail"]
Severity = Literal["info", "warn", "fail"]

LESSON_TITLES: dict[int, str] = {
    1: "A strategic decision shown by concrete actions, finished in months",
    2: "All tools of statecraft together; no relief before results",
    3: "Effective verification: anywhere, anytime; people and documents",
    4: "No bargaining on complete, verifiable, irreversible dismantlement",
}


@dataclass(frozen=True)
class Finding:
    """One reason behind a grade: the scenario field it comes from, how bad, and why."""

    field: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "severity": self.severity, "message": self.message}


def grade_of(findings: tuple[Finding, ...]) -> Grade:
    """``fail`` if any finding fails, else ``warn`` if any warns, else ``pass``."""
    severities = {f.severity for f in findings}
    if "fail" in severities:
        return "fail"
    if "warn" in severities:
        return "warn"
    return "pass"


@dataclass(frozen=True)
class LessonResult:
    """The scorecard of one lesson."""

    id: int
    grade: Grade
    summary: str
    findings: tuple[Finding, ...]
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return LESSON_TITLES[self.id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "grade": self.grade,
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
            "figures": dict(self.figures),
        }


@dataclass(frozen=True)
class Assumption:
    """A parameter used by the assessment: its value, default and meaning."""

    value: Any
    default: Any
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "default": self.default, "description": self.description}


@dataclass(frozen=True)
class Assessment:
    """The result of ``cvid assess``: scenario summary, four lessons, assumptions and extras."""

    scenario: Mapping[str, Any]
    lessons: tuple[LessonResult, ...]
    assumptions: Mapping[str, Assumption]
    simulation: Mapping[str, Any] | None = None
    compliance: Mapping[str, Any] | None = None
    version: str = ""
    #: The full :class:`cvid.negotiate.SimulationResult` (curves over time), when simulated.
    simulation_result: Any = field(default=None, compare=False, repr=False)

    @property
    def overall(self) -> Grade:
        """The worst lesson grade."""
        grades = [lesson.grade for lesson in self.lessons]
        return "fail" if "fail" in grades else "warn" if "warn" in grades else "pass"

    def lesson(self, lesson_id: int) -> LessonResult:
        """The lesson with this number (1–4)."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": dict(self.scenario),
            "overall": self.overall,
            "lessons": [lesson.to_dict() for lesson in self.lessons],
            "assumptions": {k: a.to_dict() for k, a in self.assumptions.items()},
            "cvid_version": self.version,
        }
        if self.simulation is not None:
            out["simulation"] = dict(self.simulation)
        if self.compliance is not None:
            out["compliance"] = dict(self.compliance)
        return out
