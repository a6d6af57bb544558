"""Global sensitivity of the simulated outcomes to the behavioural parameters (SALib).

Morris elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007, μ*) over the
ranges of :data:`DEFAULT_PARAMETERS` (or those given), each point simulated with the same
seed (common random numbers), then ranked by μ*; and, for the tornado plot, the output at
each parameter's low and high end with the others at the scenario's values. Parameter names
are those of ``cvid sweep --list-parameters``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cvid.errors import InputError
from cvid.negotiate.engine import OUTCOMES, block_sizes
from cvid.negotiate.result import MorrisIndex, SensitivityResult
from cvid.negotiate.simulation import (
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    as_scenario,
    check_run_arguments,
    compile_all,
    run_blocks,
)
from cvid.negotiate.sweeps import DETECTION, apply_point, check_parameter, vary_parameters
from cvid.scenario import Scenario

#: The eight behavioural parameters analysed by default, with their ranges (judgements: the
#: defaults' plausible spread, see cvid.scenario.counterpart for the defaults' sources).
DEFAULT_PARAMETERS: dict[str, tuple[float, float]] = {
    "counterpart.decision_hazard_base": (0.0005, 0.005),
    "counterpart.pressure_sensitivity": (0.002, 0.02),
    "counterpart.economic_vulnerability": (0.2, 1.0),
    "counterpart.decided_step_probability": (0.4, 0.95),
    "counterpart.detection_penalty.time-buyer": (0.25, 4.0),
    "counterpart.prior.sincere": (0.05, 0.5),
    "counterpart.concession_dampening": (0.0, 0.9),
    DETECTION: (0.0, 0.3),
}
#: Outputs that can be analysed: an outcome probability or a mean.
OUTPUTS: tuple[str, ...] = (
    *(o for o in OUTCOMES),
    "capability_end_sq",
    "paid_to_cheater",
    "clandestine_months",
)
DEFAULT_TRAJECTORIES = 10
DEFAULT_SENSITIVITY_RUNS = 10_000


def _check_parameters(
    scenario: Scenario, parameters: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    known = vary_parameters(scenario)
    out: dict[str, tuple[float, float]] = {}
    for name, (lo, hi) in parameters.items():
        check_parameter(name, known, field="--parameter", what="sensitivity parameter")
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
            raise InputError(f"range of '{name}' must have LO < HI", field="--parameter")
        out[name] = (float(lo), float(hi))
    if not out:
        raise InputError("give at least one parameter", field="--parameter")
    return out


def parse_parameter(text: str) -> tuple[str, tuple[float, float]]:
    """``NAME=LO:HI`` → (name, (lo, hi))."""
    name, sep, rng = text.partition("=")
    parts = rng.split(":")
    if not sep or len(parts) != 2:
        raise InputError(f"expected NAME=LO:HI, got '{text}'", field="--parameter")
    try:
        return name.strip(), (float(parts[0]), float(parts[1]))
    except ValueError:
        raise InputError(f"LO and HI must be numbers, got '{rng}'", field="--parameter") from None


def _evaluate(
    scenario: Scenario,
    names: Sequence[str],
    point: Mapping[str, float],
    output: str,
    runs: int,
    months: int,
    seed: int,
) -> dict[str, float]:
    variant, overrides, detection = apply_point(scenario, dict(point), source="--parameter")
    compiled = compile_all(variant, names, months, detection, overrides)
    blocks = list(enumerate(block_sizes(runs)))
    summaries = run_blocks(compiled, seed, blocks)
    out: dict[str, float] = {}
    for name, s in summaries.items():
        if output in OUTCOMES:
            out[name] = float(s.outcome_month[OUTCOMES.index(output)].sum() / s.runs)
        else:
            out[name] = s.total(output) / s.runs
    return out


def _evaluate_all(
    scenario: Scenario,
    names: Sequence[str],
    points: Sequence[Mapping[str, float]],
    output: str,
    runs: int,
    months: int,
    seed: int,
    workers: int | None,
) -> list[dict[str, float]]:
    """:func:`_evaluate` at every point, in order, over a pool of ``workers`` processes."""
    n_workers = min(workers or os.cpu_count() or 1, len(points))
    if n_workers <= 1:
        return [_evaluate(scenario, names, p, output, runs, months, seed) for p in points]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(n_workers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_evaluate, scenario, list(names), dict(p), output, runs, months, seed)
            for p in points
        ]
        return [f.result() for f in futures]


def sensitivity(
    scenario: Scenario | str,
    strategies: Sequence[str] | None = None,
    parameters: Mapping[str, tuple[float, float]] | None = None,
    *,
    output: str = "verified_cvid",
    runs: int = DEFAULT_SENSITIVITY_RUNS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    trajectories: int = DEFAULT_TRAJECTORIES,
    workers: int | None = None,
) -> SensitivityResult:
    """Morris screening of ``output`` for each strategy over ``parameters`` (name → (lo, hi)),
    ``trajectories`` × (k + 1) points of ``runs`` runs each, plus 2k one-at-a-time points.

    The points are independent simulations (each from ``seed``), evaluated in ``workers``
    processes (default: the CPU count; 1 for none); the result does not depend on it."""
    from cvid._optional import require

    require("SALib", "sweep", "the sensitivity analysis")
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    from cvid.negotiate.strategies import strategy_names

    sc = as_scenario(scenario)
    check_run_arguments(runs, months, seed)
    if output not in OUTPUTS:
        raise InputError(
            f"unknown output '{output}'; one of {', '.join(OUTPUTS)}", field="--output"
        )
    if isinstance(trajectories, bool) or trajectories < 2:
        raise InputError("at least 2 trajectories", field="--trajectories")
    params = _check_parameters(sc, parameters if parameters is not None else DEFAULT_PARAMETERS)
    names = list(strategies) if strategies else strategy_names(sc)
    keys = list(params)
    problem = {
        "num_vars": len(keys),
        "names": keys,
        "bounds": [list(params[k]) for k in keys],
    }
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise InputError("at least one worker", field="--workers")
    x = morris_sample.sample(problem, trajectories, num_levels=4, seed=seed)
    points: list[dict[str, float]] = [dict(zip(keys, values, strict=True)) for values in x]
    points.append({})  # the scenario's values
    for k in keys:
        points += [{k: params[k][0]}, {k: params[k][1]}]
    results = _evaluate_all(sc, names, points, output, runs, months, seed, workers)
    y = {n: np.array([res[n] for res in results[: len(x)]]) for n in names}
    base = results[len(x)]
    swings: dict[str, dict[str, tuple[float, float]]] = {n: {} for n in names}
    for i, k in enumerate(keys):
        lo, hi = results[len(x) + 1 + 2 * i], results[len(x) + 2 + 2 * i]
        for n in names:
            swings[n][k] = (lo[n], hi[n])
    indices: dict[str, tuple[MorrisIndex, ...]] = {}
    for n in names:
        si = morris_analyze.analyze(problem, x, y[n], num_levels=4, seed=seed)
        rows: list[dict[str, Any]] = [
            {
                "parameter": k,
                "mu_star": float(si["mu_star"][i]),
                "mu_star_conf": float(si["mu_star_conf"][i]),
                "mu": float(si["mu"][i]),
                "sigma": float(si["sigma"][i]),
                "low": swings[n][k][0],
                "high": swings[n][k][1],
            }
            for i, k in enumerate(keys)
        ]
        rows.sort(key=lambda r: -float(r["mu_star"]))
        indices[n] = tuple(
            MorrisIndex.model_validate({**r, "rank": rank}) for rank, r in enumerate(rows, 1)
        )
    return SensitivityResult(
        scenario=sc.meta.name,
        output=output,
        runs=runs,
        trajectories=trajectories,
        parameters=params,
        base=base,
        indices=indices,
    )


def plot_tornado(result: SensitivityResult) -> Any:
    """Tornado plot: per strategy, the output at each parameter's low and high end (others
    at the scenario's values), parameters ordered by Morris μ*; returns a matplotlib Figure."""
    from matplotlib.figure import Figure

    names = list(result.indices)
    k = len(result.parameters)
    fig = Figure(figsize=(9, 0.5 + (0.45 * k + 0.8) * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, n in zip(axes, names, strict=True):
        rows = list(reversed(result.indices[n]))
        base = result.base[n]
        ypos = np.arange(len(rows))
        for yv, r in zip(ypos, rows, strict=True):
            lo, hi = r.low, r.high
            ax.barh(yv, lo - base, left=base, color="#0072B2", height=0.6)
            ax.barh(yv, hi - base, left=base, color="#D55E00", height=0.6)
        ax.axvline(base, color="black", lw=0.8)
        ax.set_yticks(ypos, [f"{r.parameter} (μ* {r.mu_star:.3f})" for r in rows])
        ax.set_title(f"{n}: {result.output} (base {base:.3f}; blue low end, orange high end)")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"{result.scenario}: sensitivity of {result.output} "
        f"(Morris, {result.trajectories} trajectories, {result.runs:,} runs a point)"
    )
    return fig
