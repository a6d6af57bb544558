"""The assessment result: a scorecard per lesson, with findings and the figures behind them.

Frozen typed results (pydantic, :class:`cvid.results.Result`). One object feeds every surface
(terminal, JSON, HTML report, web): ``Assessment.to_json()`` is the documented JSON of
``cvid assess --json``, its JSON Schema ``schema/assessment.schema.json``::

    {"scenario": {"name", "title", "kind", "file", "state", "as_of", "agreement", "start",
                  "duration_months", "commitments", "concessions", "sources"},
     "overall": "pass|warn|fail",
     "lessons": [{"id", "title", "grade", "summary",
                  "findings": [{"field", "severity", "message"}], "figures": {...}}],
     "assumptions": {NAME: {"value", "default", "description"}},
     "cvid_version",
     "simulation": {...},   (only when simulated: cvid.negotiate.SimulationResult.to_dict())
     "compliance": {...}}   (only with a ledger: cvid.compliance.ComplianceState.summary())

A stored assessment reads back with ``Assessment.model_validate_json(text)`` and compares
equal to the one written: figures, assumptions, the simulation summary and the compliance
summary are held as JSON-ready data (non-finite numbers as None, tuples as lists) from the
start. The full :class:`cvid.negotiate.SimulationResult` (curves over time, for the report's
simulation figures) is kept in ``simulation_result`` in memory only: it is not written, so a
result read back has ``simulation_result=None`` and the report leaves those figures out.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from typing_extensions import TypedDict

from cvid.negotiate import SimulationResult
from cvid.results import Result, jsonable

if TYPE_CHECKING:
    import pandas as pd

Grade = Literal["pass", "warn", "fail"]
Severity = Literal["info", "warn", "fail"]

LESSON_TITLES: dict[int, str] = {
    1: "A strategic decision shown by concrete actions, finished in months",
    2: "All tools of statecraft together; no relief before results",
    3: "Effective verification: anywhere, anytime; people and documents",
    4: "No bargaining on complete, verifiable, irreversible dismantlement",
}


class Finding(Result):
    """One reason behind a grade: the scenario field it comes from, how bad, and why."""

    field: str = Field(description="Path of the scenario field, e.g. agreement.commitments[2]")
    severity: Severity
    message: str

    def __init__(self, field: str, severity: Severity, message: str) -> None:
        super().__init__(  # type: ignore[call-arg]
            field=field, severity=severity, message=message
        )


def grade_of(findings: tuple[Finding, ...]) -> Grade:
    """``fail`` if any finding fails, else ``warn`` if any warns, else ``pass``."""
    severities = {f.severity for f in findings}
    if "fail" in severities:
        return "fail"
    if "warn" in severities:
        return "warn"
    return "pass"


class LessonResult(Result):
    """The scorecard of one lesson; ``title`` follows from ``id`` (:data:`LESSON_TITLES`)."""

    id: int = Field(ge=1, le=4, description="Lesson number (1–4)")
    title: str = Field(default="", description="The lesson (set from id)")
    grade: Grade
    summary: str
    findings: tuple[Finding, ...]
    figures: dict[str, Any] = Field(
        default_factory=dict,
        description="The numbers behind the grade, by name (JSON-ready: no NaN, no tuples)",
    )

    def __init__(
        self,
        id: int,
        grade: Grade,
        summary: str,
        findings: tuple[Finding, ...],
        figures: Mapping[str, Any] | None = None,
        title: str = "",
    ) -> None:
        # ``title`` is accepted so that a written result reads back; it is set from ``id``
        super().__init__(  # type: ignore[call-arg]
            id=id,
            title=title,
            grade=grade,
            summary=summary,
            findings=findings,
            figures=figures or {},
        )

    @model_validator(mode="before")
    @classmethod
    def _title_from_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("id") in LESSON_TITLES:
            return {**data, "title": LESSON_TITLES[data["id"]]}
        return data

    @field_validator("figures", mode="before")
    @classmethod
    def _figures_json_ready(cls, value: Any) -> Any:
        return jsonable(value)

    def to_frame(self) -> pd.DataFrame:
        """The findings as a DataFrame: lesson, severity, field, message (one row each)."""
        import pandas as pd

        return pd.DataFrame(
            [{"lesson": self.id, **f.to_dict()} for f in self.findings],
            columns=["lesson", "severity", "field", "message"],
        )

    def _repr_html_(self) -> str:
        """Jupyter: the verdict, the reason and the findings as a table."""
        rows = "".join(
            f"<tr><td>{escape(f.severity)}</td><td>{escape(f.message)}</td>"
            f"<td><code>{escape(f.field)}</code></td></tr>"
            for f in self.findings
        )
        return (
            f"<div><strong>Lesson {self.id}: {escape(self.title)}</strong> — "
            f"{_grade_html(self.grade)}<p>{escape(self.summary)}</p>"
            "<table><thead><tr><th>severity</th><th>finding</th><th>field</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


_GRADE_COLOURS = {"pass": "#009E73", "warn": "#E69F00", "fail": "#D55E00"}  # Okabe–Ito


def _grade_html(grade: str) -> str:
    return (
        f'<span style="background:{_GRADE_COLOURS.get(grade, "#999")};color:#000;'
        f'padding:0 .4em;border-radius:3px;font-weight:bold">{escape(grade.upper())}</span>'
    )


class Assumption(Result):
    """A parameter used by the assessment: its value, default and meaning."""

    value: Any
    default: Any
    description: str

    def __init__(self, value: Any, default: Any, description: str) -> None:
        super().__init__(  # type: ignore[call-arg]
            value=value, default=default, description=description
        )

    @field_validator("value", "default", mode="before")
    @classmethod
    def _json_ready(cls, value: Any) -> Any:
        return jsonable(value)


class ScenarioSummary(TypedDict):
    """The ``scenario`` block of the assessment (:func:`cvid.assess.scenario_summary`)."""

    name: str
    title: str
    kind: str
    file: str | None
    state: str
    as_of: str
    agreement: str
    start: str | None
    duration_months: int | float
    commitments: int
    concessions: int
    sources: list[str]


def _worst(lessons: Any) -> Grade:
    grades = [le.grade if isinstance(le, LessonResult) else le.get("grade") for le in lessons]
    return "fail" if "fail" in grades else "warn" if "warn" in grades else "pass"


class Assessment(Result):
    """The result of ``cvid assess``: scenario summary, four lessons, assumptions and extras.

    ``overall`` is the worst lesson grade (set from ``lessons``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    scenario: ScenarioSummary
    overall: Grade = Field(default="pass", description="The worst lesson grade")
    lessons: tuple[LessonResult, ...]
    assumptions: dict[str, Assumption]
    version: str = Field(default="", alias="cvid_version", description="cvid that assessed it")
    simulation: dict[str, Any] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="cvid.negotiate.SimulationResult.to_dict(), when simulated",
    )
    compliance: dict[str, Any] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="cvid.compliance.ComplianceState.summary(), with a ledger",
    )
    #: The full :class:`cvid.negotiate.SimulationResult` (curves over time), when simulated;
    #: in memory only (not written, not compared).
    simulation_result: SkipJsonSchema[SimulationResult | None] = Field(
        default=None, exclude=True, repr=False
    )

    @model_validator(mode="before")
    @classmethod
    def _overall_from_lessons(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("lessons"), list | tuple):
            return {**data, "overall": _worst(data["lessons"])}
        return data

    @field_validator("simulation", "compliance", mode="before")
    @classmethod
    def _json_ready(cls, value: Any) -> Any:
        return jsonable(value)

    def __eq__(self, other: object) -> bool:
        """Equal when everything written is equal (``simulation_result`` is not compared)."""
        if not isinstance(other, Assessment):
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name)
            for name in type(self).model_fields
            if name != "simulation_result"
        )

    __hash__ = None  # type: ignore[assignment]

    def lesson(self, lesson_id: int) -> LessonResult:
        """The lesson with this number (1–4)."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def to_frame(self) -> pd.DataFrame:
        """The scorecard as a DataFrame: one row per lesson with its grade, the reason and the
        number of findings of each severity."""
        import pandas as pd

        rows = []
        for lesson in self.lessons:
            sev = [f.severity for f in lesson.findings]
            rows.append(
                {
                    "lesson": lesson.id,
                    "title": lesson.title,
                    "grade": lesson.grade,
                    "summary": lesson.summary,
                    "fail": sev.count("fail"),
                    "warn": sev.count("warn"),
                    "info": sev.count("info"),
                }
            )
        return pd.DataFrame(rows).set_index("lesson")

    def findings_frame(self) -> pd.DataFrame:
        """Every finding of every lesson: lesson, severity, field, message."""
        import pandas as pd

        return pd.concat([lesson.to_frame() for lesson in self.lessons], ignore_index=True)

    def _repr_html_(self) -> str:
        """Jupyter: the scenario, the overall grade and the scorecard (the full report is
        :func:`cvid.assess.build_report`)."""
        sc = self.scenario
        rows = "".join(
            f"<tr><td>{lesson.id}</td><td>{escape(lesson.title)}</td>"
            f"<td>{_grade_html(lesson.grade)}</td><td>{escape(lesson.summary)}</td></tr>"
            for lesson in self.lessons
        )
        sim = ""
        if self.simulation is not None:
            parts = []
            for name, r in self.simulation.get("strategies", {}).items():
                p = r["outcomes"]["verified_cvid"]
                se = r["standard_errors"]["verified_cvid"]
                parts.append(f"{escape(name)}: {p:.2f} ± {2 * se:.2f}")
            sim = "<p>Simulated probability of verified CVID: " + "; ".join(parts) + "</p>"
        return (
            f"<div><h4>{escape(str(sc.get('title') or sc.get('name', '')))}</h4>"
            f"<p>Overall: {_grade_html(self.overall)}</p>"
            "<table><thead><tr><th>#</th><th>lesson</th><th>grade</th><th>why</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>{sim}</div>"
        )
