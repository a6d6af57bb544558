"""``cvid assess SCENARIO``: the scorecard per lesson, in the terminal or as JSON."""

from __future__ import annotations

from typing import Any

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cvid.assess import Assessment, assess
from cvid.cli.common import console, emit_json

_GRADE_STYLE = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red"}
_SEVERITY_STYLE = {"info": "dim", "warn": "yellow", "fail": "red"}


def _format_figure(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_format_figure(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_format_figure(v) for v in value) or "—"
    return str(value)


def render(result: Assessment, *, show_info: bool = False) -> None:
    """Print the scorecard with Rich: a summary table, then each lesson's findings and figures."""
    sc = result.scenario
    console.print(
        Panel(
            f"[bold]{sc['title'] or sc['name']}[/]\n{sc['state']} · {sc['agreement']} · "
            f"{sc['kind']} · {sc['commitments']} commitments, {sc['concessions']} concessions",
            title=f"cvid assess · {sc['name']}",
            expand=False,
        )
    )
    summary = Table(title="Scorecard", show_lines=False)
    summary.add_column("#", justify="right")
    summary.add_column("lesson")
    summary.add_column("grade")
    summary.add_column("why")
    for lesson in result.lessons:
        summary.add_row(
            str(lesson.id),
            lesson.title,
            Text(lesson.grade.upper(), style=_GRADE_STYLE[lesson.grade]),
            lesson.summary,
        )
    console.print(summary)
    for lesson in result.lessons:
        console.print(
            Text.assemble(
                (f"\n{lesson.id}. {lesson.title} — ", "bold"),
                (lesson.grade.upper(), _GRADE_STYLE[lesson.grade]),
            )
        )
        for f in lesson.findings:
            if f.severity == "info" and not show_info:
                continue
            console.print(
                Text.assemble(
                    ("  ", ""),
                    (f"{f.severity:>4}", _SEVERITY_STYLE[f.severity]),
                    ("  ", ""),
                    (f.message, ""),
                    (f"  [{f.field}]", "dim"),
                )
            )
        figures = [
            f"{k}={_format_figure(v)}"
            for k, v in lesson.figures.items()
            if not isinstance(v, dict | list)
        ]
        if figures:
            console.print(Text("  figures: " + "; ".join(figures), style="cyan"))
    console.print(
        Text.assemble(
            ("\nOverall: ", "bold"),
            (result.overall.upper(), _GRADE_STYLE[result.overall]),
            ("   (--json for every figure, --all to show the findings that passed)", "dim"),
        )
    )


def assess_command(
    scenario: str = typer.Argument(..., help="Scenario file, or a bundled example name."),
    as_json: bool = typer.Option(False, "--json", help="Print the assessment as JSON."),
    show_info: bool = typer.Option(False, "--all", help="Show passing (info) findings too."),
) -> None:
    """Assess an agreement against the four lessons: grades, findings and figures."""
    result = assess(scenario)
    if as_json:
        emit_json(result.to_dict())
    else:
        render(result, show_info=show_info)


def register(app: typer.Typer) -> None:
    """Attach ``cvid assess``."""
    app.command("assess")(assess_command)
