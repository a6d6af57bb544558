"""The assessment result: a scorecard per lesson, with findings and the figures behind them.

One object feeds every surface (terminal, JSON, HTML report, web), so its ``to_dict`` shape is
the documented JSON of ``cvid assess --json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any, Literal

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
