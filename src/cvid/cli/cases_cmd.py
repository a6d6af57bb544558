"""``cvid cases list|show|backtest``: the sourced case library and the backtest of the lessons."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cvid.cli.common import GRADE_STYLE, JSON_OPT, console, emit_json, err_console
from cvid.errors import InputError

cases_app = typer.Typer(
    help="The sourced case library: list and show cases, backtest the four lessons.",
    no_args_is_help=True,
)

CATALOG_OPTION = typer.Option(
    None, "--catalog", help="A case catalogue TOML file (default: the bundled one)."
)


@cases_app.command("list")
def list_cases(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
    catalog: Path | None = CATALOG_OPTION,
) -> None:
    """List the cases: name, years, documented outcome.

    JSON: [{"name", "years", "scenario", "evidence", "scored", "outcome": {"kind", "date",
    "summary", "source", "note"}}].
    """
    from cvid.cases import load_catalog

    cat = load_catalog(catalog)
    if as_json:
        emit_json([c.entry.model_dump(mode="json", exclude={"reference"}) for c in cat.cases])
        return
    table = Table(title=f"Cases ({cat.path.name})")
    table.add_column("name", no_wrap=True)
    for col in ("years", "outcome", "date"):
        table.add_column(col)
    for c in cat.cases:
        kind = c.outcome.kind + ("" if c.entry.scored else " (not scored)")
        table.add_row(c.name, c.entry.years, kind, c.outcome.date or "")
    console.print(table)


@cases_app.command("show")
def show_case(
    name: str = typer.Argument(..., help="Case name (see cvid cases list)."),
    as_json: bool = typer.Option(False, "--json", help="Print the case as JSON."),
    catalog: Path | None = CATALOG_OPTION,
) -> None:
    """Show one case: its scenario's sources, its evidence stream by kind of source and its
    documented outcome with the outcome's source. The scenario and the stream are validated.

    JSON: {"name", "title", "years", "kind", "sources", "outcome", "reference",
    "evidence": {"records", "by_source_kind"} or null}.
    """
    from cvid.cases import load_catalog, validate_case

    case = load_catalog(catalog).case(name)
    s, stream = validate_case(case)
    kinds: dict[str, int] = {}
    for r in stream.records if stream is not None else ():
        k = str(r.record["basis"]["kind"])
        kinds[k] = kinds.get(k, 0) + 1
    ref = case.entry.reference
    if as_json:
        emit_json(
            {
                "name": case.name,
                "title": s.meta.title,
                "years": case.entry.years,
                "kind": s.meta.kind,
                "sources": list(s.meta.sources),
                "outcome": case.outcome,
                "reference": ref,
                "evidence": None
                if stream is None
                else {"records": len(stream.records), "by_source_kind": kinds},
            }
        )
        return
    console.print(f"[bold]{case.name}[/] — {s.meta.title} ({case.entry.years}, {s.meta.kind})")
    out = case.outcome
    console.print(
        f"outcome: [bold]{out.kind}[/]"
        + (f" on {out.date}" if out.date else "")
        + ("" if case.entry.scored else " (not scored)")
    )
    console.print(f"  {out.summary}", markup=False)
    console.print(f"  source: {out.source}", markup=False)
    if out.note:
        console.print(f"  note: {out.note}", markup=False)
    if ref is not None:
        console.print(
            "reference grades (shared research, one reader's analysis): "
            + ", ".join(f"L{i + 1} {g}" for i, g in enumerate(ref.grades)),
            markup=False,
        )
    if stream is None:
        console.print("evidence: no stream")
    else:
        console.print(
            f"evidence: {len(stream.records)} records — "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
            markup=False,
        )
    console.print("sources:")
    for src in s.meta.sources:
        console.print(f"  - {src}", markup=False)


@cases_app.command("backtest")
def backtest_cmd(
    as_json: bool = JSON_OPT,
    report: Path | None = typer.Option(
        None, "--report", help="Write an HTML report here (default: none)."
    ),
    runs: int = typer.Option(2000, "--runs", help="Simulation runs per case."),
    seed: int = typer.Option(0, "--seed", help="Seed of the simulation."),
    sensitivity: bool = typer.Option(
        True, "--sensitivity/--no-sensitivity", help="Run the sensitivity line."
    ),
    sensitivity_runs: int | None = typer.Option(
        None,
        "--sensitivity-runs",
        help="Runs per case at each end of a range (default: runs/4).",
    ),
    case: list[str] = typer.Option([], "--case", help="Only these cases (repeatable)."),
    evidence: bool = typer.Option(
        True, "--evidence/--no-evidence", help="Also grade with each case's evidence replayed."
    ),
    catalog: Path | None = CATALOG_OPTION,
) -> None:
    """Backtest the four lessons and the simulator against the documented outcomes.

    JSON: the BacktestResult — {"catalog", "runs", "seed", "counterpart", "cases": [{"name",
    "grades", "lesson_score", "lessons_pass", "outcome", "p_verified", "simulated",
    "standard_errors", "findings", ...}], "spearman_grades": {"rho", "p_value", "n"},
    "spearman_simulated", "base_rate", "brier", "brier_base_rate", "brier_skill",
    "unexplained": [{"name", "kind", "findings_to_change"}], "sensitivity": [{"parameter",
    "low", "high", "rho_with_defaults_low", "rho_with_defaults_high", "survives"}]}.
    """
    from cvid.cases import backtest, backtest_report_html

    if report is not None and report.suffix.lower() not in (".html", ".htm"):
        raise InputError("the report is HTML: give a file name ending in .html", field="--report")
    if sensitivity_runs is not None and sensitivity_runs < 1:
        raise InputError("must be at least 1", field="--sensitivity-runs")
    result = backtest(
        catalog,
        runs=runs,
        seed=seed,
        cases=case or None,
        sensitivity=sensitivity,
        sensitivity_runs=sensitivity_runs,
        with_evidence=evidence,
        progress=None if as_json else (lambda msg: err_console.print(msg, style="dim")),
    )
    if report is not None:
        try:
            report.write_text(backtest_report_html(result), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write ({exc.strerror})", source=str(report)) from None
    if as_json:
        emit_json(result)
        return
    table = Table(title="Backtest: case × lesson grade × outcome")
    table.add_column("case", no_wrap=True)
    for col in ("L1", "L2", "L3", "L4", "score", "P(verified)", "outcome"):
        table.add_column(col)
    for c in result.cases:
        table.add_row(
            c.name,
            *(f"[{GRADE_STYLE[g]}]{g.upper()}[/]" for g in c.grades),
            str(c.lesson_score),
            f"{c.p_verified:.3f}" if c.dismantles else "0 (dismantles nothing)",
            c.outcome.kind + ("" if c.scored else " (not scored)"),
        )
    console.print(table)

    def corr(rho: float | None, p: float | None, n: int) -> str:
        if rho is None:
            return f"undefined (n = {n})"
        return f"ρ = {rho:.3f} (p = {p:.3g}, n = {n})" if p is not None else f"ρ = {rho:.3f}"

    g, sm = result.spearman_grades, result.spearman_simulated
    console.print(f"Spearman, lesson score vs outcome: {corr(g.rho, g.p_value, g.n)}")
    console.print(f"Spearman, P(verified disarmament) vs outcome: {corr(sm.rho, sm.p_value, sm.n)}")
    skill = "undefined" if result.brier_skill is None else f"{result.brier_skill:.3f}"
    console.print(
        f"Brier score of P(verified disarmament): {result.brier:.4f} (base rate "
        f"{result.base_rate:.3f}: {result.brier_base_rate:.4f}; skill {skill})"
    )
    console.print(
        "P(verified disarmament): the simulated share of runs whose own agreement ends with "
        "every step verified; 0 for an agreement that dismantles, removes or destroys nothing "
        "under verification (a moratorium held to its end is not a disarmament).",
        markup=False,
    )
    console.print(
        f"Simulated under the {result.counterpart}; {result.runs} runs, seed {seed}.",
        markup=False,
    )
    with_defaults = [c.name for c in result.cases if c.defaults_used]
    console.print(
        f"{len(with_defaults)} of {len(result.cases)} cases leave some model inputs at cvid's "
        "built-in defaults (listed per case as defaults_used in --json and the report).",
        markup=False,
    )
    if result.not_scored:
        console.print("Not scored (no outcome): " + ", ".join(result.not_scored))
    console.print(
        "[bold]Cases the lessons do not explain:[/]"
        if result.unexplained
        else "The lessons explain every scored case."
    )
    for u in result.unexplained:
        console.print(f"  {u.name}: {u.kind} ({u.outcome}; {' '.join(u.grades)})", markup=False)
        for line in u.findings_to_change[:5]:
            console.print(f"    - {line}", markup=False)
        if len(u.findings_to_change) > 5:
            console.print(f"    … {len(u.findings_to_change) - 5} more (--json)")
    console.print("Sensitivity: " + result.sensitivity_summary() + ".", markup=False)
    if report is not None:
        console.print(f"report written to {report}")


def register(app: typer.Typer) -> None:
    """Attach ``cvid cases`` to the root app."""
    app.add_typer(cases_app, name="cases")
