"""``cvid simulate`` and ``cvid sweep``: the negotiation strategy simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from cvid.cli.choices import Outcome
from cvid.cli.common import JSON_OPT, console, emit_json, err_console
from cvid.errors import InputError
from cvid.negotiate import (
    DEFAULT_MONTHS,
    DEFAULT_PARAMETERS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    DEFAULT_SENSITIVITY_RUNS,
    DEFAULT_SWEEP_RUNS,
    DEFAULT_TIMEOUT_S,
    OUTCOME_LABELS,
    SensitivityResult,
    SimulationResult,
    explain,
    parse_parameter,
    plot_capability,
    plot_outcomes,
    plot_surface,
    plot_tornado,
    sensitivity,
    simulate,
    strategy_names,
    sweep,
    vary_parameters,
    write_table,
)
from cvid.scenario import load_scenario

#: Show a progress bar when runs × strategies reach this many.
PROGRESS_THRESHOLD = 200_000
#: The horizon and seed options shared by ``simulate`` and ``sweep``.
MONTHS_OPT = typer.Option(DEFAULT_MONTHS, "--months", "-t", help="Horizon in months.")
SEED_OPT = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the random streams.")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


@contextmanager
def _maybe_progress(total: int, label: str, show: bool) -> Iterator[Callable[[int], None] | None]:
    if not show:
        yield None
        return
    with _progress_bar() as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _q(d: dict[str, Any] | None, key: str, fmt: str = "{:.0f}") -> str:
    if d is None or d.get(key) is None:
        return "—"
    return fmt.format(d[key])


def _quantiles(d: dict[str, Any] | None, fmt: str = "{:.0f}") -> str:
    if d is None:
        return "—"
    return " / ".join(_q(d, k, fmt) for k in ("p10", "p50", "p90"))


def _print_result(result: SimulationResult) -> None:
    data = result.to_dict()
    console.print(
        f"[bold]{result.scenario}[/]: {result.runs:,} runs × {result.months} months, "
        f"seed {result.seed}"
    )
    for name, s in data["strategies"].items():
        table = Table(
            "",
            "value",
            title=f"{name} — monthly detection probability {s['detection_probability']:.3f}",
            title_justify="left",
            show_header=False,
        )
        unreachable = s["unreachable"]
        for reason in unreachable:
            table.add_row("[bold red]verified CVID unreachable[/]", reason)
        for key, label in OUTCOME_LABELS.items():
            p, se = s["outcomes"][key], s["standard_errors"][key]
            if key == "verified_cvid" and unreachable:
                label = "verified completion of the agreement (not CVID)"
                if p == 0.0:
                    table.add_row(label, "impossible by construction (see above)")
                    continue
            table.add_row(label, f"{p:.3f} ± {se:.3f}")
        for key in ("verified_cvid", "exposed", "breakdown", "stalemate"):
            if s["months_to_outcome"][key] is None:
                continue
            table.add_row(
                f"months to {key.replace('_', ' ')} (p10/p50/p90)",
                _quantiles(s["months_to_outcome"][key]),
            )
        cap = s["capability_kg"]
        table.add_row(
            "capability at horizon, kg (mean; p10/p50/p90)",
            f"{cap['end']['mean']:.1f}; {_quantiles(cap['end'], '{:.1f}')}",
        )
        table.add_row(
            "peak capability, kg (mean; p10/p50/p90)",
            f"{cap['peak']['mean']:.1f}; {_quantiles(cap['peak'], '{:.1f}')}",
        )
        paid, cheat = s["concessions_paid"], s["concessions_to_cheaters"]
        table.add_row(
            "concessions paid, share (mean; p10/p50/p90)",
            f"{paid['mean']:.2f}; {_quantiles(paid, '{:.2f}')}",
        )
        table.add_row(
            "… paid to cheaters (mean; P(any))",
            f"{cheat['mean']:.2f}; {cheat['probability_any']:.2f}",
        )
        det = s["detections"]
        if det["probability_any"] > 0.0:
            table.add_row(
                "detected (P(any); of which by intelligence outside the regime)",
                f"{det['probability_any']:.3f}; {det['probability_by_intelligence']:.3f}",
            )
        table.add_row(
            "months of clandestine production (mean; p50/p90)",
            f"{s['clandestine_months']['mean']:.1f}; "
            f"{_q(s['clandestine_months'], 'p50')} / {_q(s['clandestine_months'], 'p90')}",
        )
        by_type = s["outcomes_by_type"]
        clan = s["clandestine_production"]
        for t, row in by_type.items():
            if row["share_of_runs"] == 0:
                continue
            sq = clan[t]["significant_quantities"]["mean"]
            table.add_row(
                f"{t} ({row['share_of_runs']:.2f} of runs)",
                f"CVID {row['verified_cvid']:.2f}, exposed {row['exposed']:.2f}, breakdown "
                f"{row['breakdown']:.2f}, stalemate {row['stalemate']:.2f}, conflict "
                f"{row['conflict']:.2f}; secret {sq:.2f} SQ; unrewarded {row['unrewarded']:.2f}",
            )
        post = s["posterior"]["sincere"]
        table.add_row(
            "posterior P(decided) at months 0/12/horizon",
            f"{post[0]:.2f} / {post[min(12, len(post) - 1)]:.2f} / {post[-1]:.2f}",
        )
        if s["pressure_is_default"]:
            table.add_row("pressure", "default instrument (no \\[pressure] table in the scenario)")
        console.print(table)
    rank = Table(
        "rank", "strategy", "P(verified CVID) ± SE", "tied with",
        title="ranking (ties: within two standard errors of the difference)",
        title_justify="left",
    )  # fmt: skip
    for r in data["ranking"]:
        value = (
            f"{r['verified_cvid']:.3f} ± {r['standard_error']:.3f}"
            if r["reachable"]
            else "unreachable by construction"
        )
        rank.add_row(str(r["rank"]), r["strategy"], value, ", ".join(r["tied_with"]) or "—")
    console.print(rank)
    console.print(explain(result), markup=False, highlight=False)


def _print_sensitivity(result: SensitivityResult) -> None:
    for name, rows in result.indices.items():
        table = Table(
            "rank", "parameter", "μ*", "±", "σ", "at low", "at high",
            title=f"{name}: sensitivity of {result.output} (base {result.base[name]:.3f}; "
            f"Morris, {result.trajectories} trajectories × {result.runs:,} runs)",
            title_justify="left",
        )  # fmt: skip
        for r in rows:
            table.add_row(
                str(r.rank),
                r.parameter,
                f"{r.mu_star:.3f}",
                f"{r.mu_star_conf:.3f}",
                f"{r.sigma:.3f}",
                f"{r.low:.3f}",
                f"{r.high:.3f}",
            )
        console.print(table)


def simulate_command(
    scenario: str = typer.Argument(..., help="Scenario file or bundled example name."),
    strategy: list[str] = typer.Option(
        None,
        "--strategy",
        "-s",
        help="Strategy to simulate (repeatable): agreement, step-by-step, libya-model, "
        "freeze-for-freeze, maximum-pressure, or one in the scenario. Default: all.",
    ),
    runs: int = typer.Option(DEFAULT_RUNS, "--runs", "-n", help="Runs per strategy."),
    months: int = MONTHS_OPT,
    seed: int = SEED_OPT,
    detection: float | None = typer.Option(
        None,
        "--detection-probability",
        help="Monthly detection probability to use instead of the regime's (default: the "
        "regime's, from cvid.verify).",
    ),
    plot: Path | None = typer.Option(
        None,
        "--plot",
        help="Write a plot of outcome probabilities over time (PNG, SVG, PDF), and the "
        "capability distribution beside it (NAME-capability.SUFFIX; default: no plot).",
    ),
    frame: Path | None = typer.Option(
        None,
        "--frame",
        help="Write outcome probabilities by month as .parquet or .csv (default: not written).",
    ),
    run_sensitivity: bool = typer.Option(
        False,
        "--sensitivity",
        help="Global sensitivity analysis (Morris, SALib) of --output to the behavioural "
        "parameters instead of one simulation; --plot draws a tornado plot.",
    ),
    parameter: list[str] = typer.Option(
        None,
        "--parameter",
        help="With --sensitivity: NAME=LO:HI (repeatable; names as in `cvid sweep "
        "--list-parameters`). Default: " + ", ".join(DEFAULT_PARAMETERS) + ".",
    ),
    output: str = typer.Option(
        "verified_cvid", "--output", help="With --sensitivity: the outcome or mean analysed."
    ),
    trajectories: int = typer.Option(
        10, "--trajectories", help="With --sensitivity: Morris trajectories."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="With --sensitivity: worker processes evaluating the points (default: CPU "
        "count; the result does not depend on it). One simulation runs in one process.",
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Simulate negotiation strategies against the scenario's counterpart.

    JSON: {"scenario", "seed", "runs", "months", "strategies": {NAME: {"outcomes",
    "standard_errors", "months_to_outcome", "capability_kg", "concessions_paid",
    "concessions_to_cheaters", "clandestine_production", "posterior", "unreachable",
    "outcomes_by_type", ...}}, "ranking": [...]} — see cvid.negotiate.SimulationResult.to_dict.
    With --sensitivity: see cvid.negotiate.SensitivityResult.to_dict.
    """
    if workers is not None and workers < 1:
        raise InputError(f"at least one worker (got {workers})", field="--workers")
    if workers is not None and not run_sensitivity:
        raise InputError(
            "only with --sensitivity (one simulation runs in one process; for a grid over "
            "workers use `cvid sweep --workers`)",
            field="--workers",
        )
    sc = load_scenario(scenario)
    names = list(strategy) if strategy else strategy_names(sc)
    total = runs * len(names)
    for target in (plot, frame):
        if target is not None and not target.parent.is_dir():
            raise InputError("folder does not exist", source=str(target.parent))
    if run_sensitivity:
        params = dict(parse_parameter(p) for p in parameter) if parameter else None
        sens = sensitivity(
            sc,
            names,
            params,
            output=output,
            runs=runs if runs != DEFAULT_RUNS else DEFAULT_SENSITIVITY_RUNS,
            months=months,
            seed=seed,
            trajectories=trajectories,
            workers=workers,
        )
        if plot is not None:
            plot_tornado(sens).savefig(plot)
        if as_json:
            emit_json(sens.to_dict())
            return
        _print_sensitivity(sens)
        if plot is not None:
            console.print(f"wrote {plot}")
        return
    with _maybe_progress(total, "simulating", total >= PROGRESS_THRESHOLD) as progress:
        result = simulate(
            sc,
            names,
            runs=runs,
            months=months,
            seed=seed,
            detection_probability=detection,
            progress=progress,
        )
    if frame is not None:
        write_table(result.to_frame(), frame)
    if plot is not None:
        fig = plot_outcomes(result)
        fig.savefig(plot)
        capability = plot.with_name(plot.stem + "-capability" + plot.suffix)
        plot_capability(result).savefig(capability)
    if as_json:
        emit_json(result.to_dict())
        return
    _print_result(result)
    if frame is not None:
        console.print(f"wrote {frame}")
    if plot is not None:
        console.print(f"wrote {plot} and {capability}")


#: The scenario whose parameters ``cvid sweep --list-parameters`` lists when none is given
#: (the bundled default, as ``make demo``).
LIST_PARAMETERS_SCENARIO = "dprk-2018-step-by-step"


def sweep_command(
    scenario: str | None = typer.Argument(
        None,
        help="Scenario file or bundled example name (required except with --list-parameters, "
        f"where the default is the bundled {LIST_PARAMETERS_SCENARIO}).",
        show_default=False,
    ),
    vary: list[str] = typer.Option(
        None,
        "--vary",
        help="PARAM=LO:HI:STEPS (repeatable; no default: at least one); see "
        "--list-parameters for the names.",
    ),
    strategy: list[str] = typer.Option(
        None, "--strategy", "-s", help="Strategy to simulate (repeatable). Default: all."
    ),
    runs: int = typer.Option(DEFAULT_SWEEP_RUNS, "--runs", "-n", help="Runs per grid point."),
    months: int = MONTHS_OPT,
    seed: int = SEED_OPT,
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Address of a dask.distributed scheduler (tcp://host:8786); default: a local cluster.",
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes of the local cluster (default: CPU count)."
    ),
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT_S, "--timeout", help="Seconds to wait for --scheduler to answer."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the table (.parquet/.csv; default: printed only)."
    ),
    plot: Path | None = typer.Option(
        None,
        "--plot",
        help="Write a plot of the outcome surface (PNG, SVG, PDF; default: no plot).",
    ),
    outcome: Outcome = typer.Option(
        Outcome.VERIFIED_CVID,
        "--outcome",
        help="Outcome plotted (its probability at the horizon over the swept grid).",
    ),
    list_parameters: bool = typer.Option(
        False,
        "--list-parameters",
        help="List the parameters --vary accepts (for SCENARIO, else for any bundled "
        "example: the list is the same) and exit.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """Simulate strategies over a grid of parameter values, as Dask tasks.

    JSON: {"scenario", "seed", "runs", "months", "parameters": {NAME: list of values},
    "rows": list of {PARAM..., "strategy", "verified_cvid", "breakdown", "stalemate",
    "running", "se_OUTCOME"..., means...}}.
    """
    if scenario is None and not list_parameters:
        raise InputError(
            "give a scenario file or bundled example name (or --list-parameters)",
            field="SCENARIO",
        )
    sc = load_scenario(scenario or LIST_PARAMETERS_SCENARIO)
    if list_parameters:
        names = vary_parameters(sc)
        if as_json:
            emit_json(names)
        else:
            for n in names:
                console.print(n)
        return
    if not vary:
        raise InputError("give at least one --vary PARAM=LO:HI:STEPS", field="--vary")
    if workers is not None and workers < 1:
        raise InputError("at least one worker", field="--workers")
    for target in (out, plot):
        if target is not None and not target.parent.is_dir():
            raise InputError("folder does not exist", source=str(target.parent))
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise InputError("the table must end in .parquet or .csv", source=str(out))

    bar = _progress_bar()
    state: dict[str, TaskID] = {}

    def progress(done: int, total: int) -> None:
        if "task" not in state:
            state["task"] = bar.add_task("sweeping", total=total)
        bar.update(state["task"], completed=done)

    with bar:
        result = sweep(
            sc,
            vary,
            strategy or None,
            runs=runs,
            months=months,
            seed=seed,
            scheduler=scheduler,
            workers=workers,
            timeout=timeout,
            progress=progress,
        )
    if out is not None:
        write_table(result.frame, out)
    if plot is not None:
        plot_surface(result, outcome=outcome.value, path=plot)
    if as_json:
        emit_json(result.to_dict())
        return
    params = [a.name for a in result.axes]
    table = Table(
        *params,
        "strategy",
        "P(verified CVID)",
        "P(breakdown)",
        "P(stalemate)",
        "P(running)",
        title=f"{result.scenario}: sweep, {result.runs:,} runs a point (± standard error)",
    )
    for row in result.frame.to_dict(orient="records"):
        table.add_row(
            *(f"{row[p]:g}" for p in params),
            str(row["strategy"]),
            *(
                f"{row[o]:.3f}±{row['se_' + o]:.3f}"
                for o in ("verified_cvid", "breakdown", "stalemate", "running")
            ),
        )
    console.print(table)
    for target in (out, plot):
        if target is not None:
            console.print(f"wrote {target}")


def register(app: typer.Typer) -> None:
    """Attach ``simulate`` and ``sweep`` to the root app."""
    app.command("simulate")(simulate_command)
    app.command("sweep")(sweep_command)
