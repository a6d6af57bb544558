"""``cvid assess SCENARIO``: the scorecard per lesson, in the terminal or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cvid.assess import Assessment, assess
from cvid.cli.choices import FailOn, ReportFormat
from cvid.cli.common import (
    EXIT_CHECK_FAILED,
    GRADE_STYLE,
    console,
    emit_json,
    err_console,
    finding_line,
)
from cvid.errors import InputError


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
            Text(lesson.grade.upper(), style=GRADE_STYLE[lesson.grade]),
            lesson.summary,
        )
    console.print(summary)
    for lesson in result.lessons:
        console.print(
            Text.assemble(
                (f"\n{lesson.id}. {lesson.title} — ", "bold"),
                (lesson.grade.upper(), GRADE_STYLE[lesson.grade]),
            )
        )
        for f in lesson.findings:
            if f.severity == "info" and not show_info:
                continue
            console.print(finding_line(f.severity, f.message, f"  [{f.field}]"))
        figures = [
            f"{k}={_format_figure(v)}"
            for k, v in lesson.figures.items()
            if not isinstance(v, dict | list)
        ]
        if figures:
            console.print(Text("  figures: " + "; ".join(figures), style="cyan"))
    if result.simulation is not None:
        render_simulation(result.simulation)
    console.print(
        Text.assemble(
            ("\nOverall: ", "bold"),
            (result.overall.upper(), GRADE_STYLE[result.overall]),
            ("   (--json for every figure, --all to show the findings that passed)", "dim"),
        )
    )


def _pct(p: float | None, se: float | None = None) -> str:
    if p is None:
        return "—"
    return f"{100 * p:.1f}%" + (f" ±{100 * se:.1f}" if se else "")


def render_simulation(sim: Any) -> None:
    """The simulated outcomes of the agreement's strategy against the Libya model."""
    table = Table(
        title=f"Simulated outcomes after {sim['months']} months "
        f"({sim['runs']:,} runs each, seed {sim['seed']}; ± one standard error)"
    )
    for col in ("strategy", "verified CVID", "breakdown", "stalemate", "running"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    table.add_column("paid to cheaters", justify="right")
    table.add_column("capability p50 (SQ)", justify="right")
    for name, r in sim["strategies"].items():
        o, se = r["outcomes"], r["standard_errors"]
        sq = r.get("capability_significant_quantities", {}).get("p50")
        table.add_row(
            name,
            *(
                _pct(o[k], se.get(k))
                for k in ("verified_cvid", "breakdown", "stalemate", "running")
            ),
            f"{r['concessions_to_cheaters']['mean']:.2f}",
            "—" if sq is None else f"{sq:.1f}",
        )
    console.print(table)


def assess_command(
    scenario: str = typer.Argument(..., help="Scenario file, or a bundled example name."),
    as_json: bool = typer.Option(False, "--json", help="Print the assessment as JSON."),
    show_info: bool = typer.Option(False, "--all", help="Show passing (info) findings too."),
    simulate: bool = typer.Option(
        True, "--simulate/--no-simulate", help="Simulate the agreement against the Libya model."
    ),
    runs: int = typer.Option(10_000, "--runs", min=1, help="Simulation runs per strategy."),
    months: int = typer.Option(120, "--months", min=1, help="Simulation horizon in months."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the simulation."),
    ledger: str | None = typer.Option(
        None,
        "--ledger",
        help="Evidence ledger: add the compliance state derived from it (default: none).",
    ),
    report: str | None = typer.Option(
        None,
        "--report",
        help="Write the assessment report to this file (self-contained HTML, or PDF for a "
        ".pdf name) and print only where it went (default: print the assessment).",
    ),
    report_format: ReportFormat | None = typer.Option(
        None,
        "--format",
        help="Report format: html or pdf (default: from the --report suffix; alone, writes "
        "NAME.FORMAT in the current folder, NAME being the scenario's name).",
    ),
    fail_on: FailOn | None = typer.Option(
        None,
        "--fail-on",
        help="Exit 1 when the overall grade is this bad or worse: 'fail' or 'warn' (for CI; "
        "default: exit 0 whatever the grades).",
    ),
) -> None:
    """Assess an agreement against the four lessons: grades, findings and figures."""
    result = assess(scenario, simulate=simulate, runs=runs, months=months, seed=seed, ledger=ledger)
    wants_report = report is not None or report_format is not None
    if wants_report:
        fmt = None if report_format is None else report_format.value
        _write_report(scenario, result, report, fmt, ledger)
    if as_json:
        emit_json(result.to_dict())
    elif wants_report:  # the report is the output; the terminal only says where it went
        console.print(
            Text.assemble(
                ("overall: ", "bold"), (result.overall.upper(), GRADE_STYLE[result.overall])
            )
        )
    else:
        render(result, show_info=show_info)
    failing = {"fail": {"fail"}, "warn": {"fail", "warn"}}.get(
        "" if fail_on is None else fail_on.value, set()
    )
    if result.overall in failing:
        raise typer.Exit(EXIT_CHECK_FAILED)


def _write_report(
    scenario: str, result: Assessment, path: str | None, fmt: str | None, ledger: str | None
) -> None:
    """``--report PATH [--format html|pdf]``: render the report of ``result`` to ``path``."""
    from cvid.assess import FORMATS, ledger_compliance, render_html
    from cvid.scenario import load_scenario

    s = load_scenario(scenario)
    if path is None:  # `--format pdf` alone: name the file after the scenario
        path = f"{s.meta.name}.{fmt}"
    suffix = Path(path).suffix.lower().lstrip(".")
    if fmt is not None and suffix in FORMATS and suffix != fmt:
        raise InputError(
            f"the file ends in .{suffix} but --format is {fmt}: change one of them",
            field="--report",
        )
    chosen = fmt or (suffix if suffix in FORMATS else "html")
    comp = None if ledger is None else ledger_compliance(s, ledger)
    written = render_html(s, result, compliance=comp).write(path, chosen)  # type: ignore[arg-type]
    err_console.print(f"report written to {written}")


def register(app: typer.Typer) -> None:
    """Attach ``cvid assess``."""
    app.command("assess")(assess_command)
