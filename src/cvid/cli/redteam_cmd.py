"""``cvid redteam SCENARIO``: the state's best paths to cheat under the agreement.

JSON shape (``--json``): :meth:`cvid.redteam.RedTeamResult.to_json` (JSON Schema
``schema/redteam.schema.json``) — ``{"scenario",
"horizon_months", "payoff_units", "budget_inspections_per_year", "challenge_quota_per_year",
"game": {"total_paths", "method", "iterations", "value", "value_bounds", "compliance_payoff",
"equilibrium_detection_probability", "row_regret", "column_regret",
"state_best_payoff_at_reported_mix", "allocations",
"allocation_strategy"}, "paths": [...], "provisions": [...], "cheapest_change": {...},
"findings": [...], "assumptions": {...}}``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from cvid.cli.common import JSON_OPT, console, emit_json, finding_line
from cvid.errors import InputError
from cvid.redteam import RedTeamResult, red_team, render_html
from cvid.scenario import load_scenario


def render(r: RedTeamResult) -> None:
    """Print the red team with Rich."""
    g = r.game
    lo, hi = g.value_bounds
    console.print(
        Text(
            f"{r.scenario}: {g.total_paths} paths ({g.method}); state's best payoff {g.value:.3f} "
            f"(bounds {lo:.3f}–{hi:.3f}; compliance {g.compliance_payoff:.3f}; all concessions "
            f"= 1); equilibrium detection probability {g.equilibrium_detection_probability:.3f}",
            style="bold",
        )
    )
    table = Table(title="The state's best paths (against the inspectorate's equilibrium mix)")
    for col in ("#", "path", "payoff", "SQ", "P(detect)", "deter at", "exposed", "collected"):
        table.add_column(col)
    for p in r.paths:
        m = p.material_sq
        table.add_row(
            str(p.rank),
            p.label,
            f"{p.payoff:.3f}",
            f"{m['central']:.1f} ({m['low']:.1f}–{m['high']:.1f})",
            f"{p.detection_probability:.3f}",
            f"{p.deterrence_threshold:.3f}",
            "never"
            if p.time_to_exposure_months is None
            else f"month {p.time_to_exposure_months:g}",
            ", ".join(p.concessions_before_exposure) or "—",
        )
    console.print(table)
    if r.provisions:
        console.print(
            Text("\nValue of each provision (drop in the state's best payoff)", style="bold")
        )
        for v in r.provisions:
            note = " (in force)" if v.in_force else ""
            console.print(f"  {v.label + note:<40} {v.value:8.3f}")
    cc = r.cheapest_change
    if cc is not None:
        what = ", ".join(cc.provisions) or "no new provision"
        extra = cc.extra_challenge_inspections_per_year
        if cc.found:
            console.print(
                Text(
                    f"\nCheapest change that deters every path: {what}, "
                    f"+{extra:g} challenge inspections a year (margin {cc.margin:.3f})",
                    style="bold",
                )
            )
        else:
            console.print(
                Text(
                    f"\nNo change tried deters every path; best: {what}, +{extra:g} challenge "
                    f"inspections a year (margin {cc.margin:.3f})",
                    style="bold yellow",
                )
            )
    if r.findings:
        console.print(Text("\nFindings", style="bold"))
        for f in r.findings:
            console.print(finding_line("warn", f))


def redteam_command(
    scenario: str = typer.Argument(..., help="Scenario file or bundled name."),
    budget: float | None = typer.Option(
        None, "--budget", help="Inspections a year to allocate (default: the scenario's)."
    ),
    top: int = typer.Option(10, "--top", help="How many paths to rank."),
    as_json: bool = JSON_OPT,
    report: Path | None = typer.Option(
        None, "--report", help="Write an HTML report here (default: none)."
    ),
) -> None:
    """Red team: the state's best concealment paths, the inspection game, provision values."""
    if budget is not None and budget < 0:
        raise InputError(
            f"must be a non-negative number of inspections a year, got {budget:g}",
            source="--budget",
        )
    s = load_scenario(scenario)
    r = red_team(s, budget=budget, top=top)
    if report is not None:
        html = render_html(r)
        try:
            tmp = report.with_name(report.name + ".tmp")
            tmp.write_text(html, encoding="utf-8")
            tmp.replace(report)
        except OSError as exc:
            raise InputError(f"cannot write the report ({exc})", source=str(report)) from None
    if as_json:
        emit_json(r.to_dict())
    else:
        render(r)
        if report is not None:
            console.print(f"\nreport written to {report}")


def register(app: typer.Typer) -> None:
    """Attach ``cvid redteam``."""
    app.command("redteam")(redteam_command)
