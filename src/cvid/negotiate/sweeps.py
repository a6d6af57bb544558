"""``sweep``: the simulation over a grid of parameter values, run as Dask tasks.

Every grid point is simulated exactly as :func:`cvid.negotiate.simulate` would simulate the
scenario with those values (same blocks, same streams from the same seed), whatever the
number of workers: a task is one grid point and a group of whole blocks, and blocks are
merged by addition.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cvid.errors import InputError, did_you_mean
from cvid.negotiate.engine import BlockSummary, Compiled, block_sizes
from cvid.negotiate.result import Axis, SweepResult, SweepRow
from cvid.negotiate.simulation import (
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    as_scenario,
    build_result,
    check_run_arguments,
    compile_all,
    run_blocks,
)
from cvid.negotiate.strategies import strategy_names
from cvid.scenario import COUNTERPART_TYPES, Scenario, StrategySpec, scenario_from_dict

#: Default runs per grid point of a sweep.
DEFAULT_SWEEP_RUNS = 4_000
#: Seconds to wait for a Dask scheduler given by address before giving up.
DEFAULT_TIMEOUT_S = 10.0
#: Parameter that replaces the regime's monthly detection probability.
DETECTION = "detection_probability"
#: Numeric strategy fields that can be varied as ``strategy.<field>``.
STRATEGY_FIELDS: tuple[str, ...] = (
    "upfront_concessions",
    "pressure",
    "pressure_relief",
    "stall_tolerance_months",
    "detection_scale",
)
#: Sections of the scenario whose numeric fields can be varied by dotted path.
SCENARIO_SECTIONS: tuple[str, ...] = ("counterpart", "verification", "agreement.provisions")


def _numeric_paths(data: Any, prefix: str) -> list[str]:
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _numeric_paths(v, f"{prefix}.{k}")
    elif isinstance(data, int | float) and not isinstance(data, bool):
        out.append(prefix)
    return out


def vary_parameters(scenario: Scenario) -> list[str]:
    """Every parameter name ``--vary`` accepts for this scenario."""
    data = scenario.model_dump(by_alias=True, mode="json")
    names = [DETECTION, *(f"strategy.{f}" for f in STRATEGY_FIELDS)]
    for section in SCENARIO_SECTIONS:
        node: Any = data
        for part in section.split("."):
            node = node.get(part, {})
        names += _numeric_paths(node, section)
    for t in COUNTERPART_TYPES:  # per-type tables may omit a type; it can still be varied
        for table in (
            "clandestine_share",
            "statement_probability",
            "declared_step_probability",
            "verified_step_probability",
            "hollow_declaration_probability",
        ):
            name = f"counterpart.{table}.{t}"
            if name not in names:
                names.append(name)
    return names


def check_parameter(
    name: str, known: Sequence[str], *, field: str, what: str = "parameter"
) -> None:
    """Raise InputError unless ``name`` is one of ``known`` (:func:`vary_parameters`), naming
    the closest known name."""
    if name in known:
        return
    raise InputError(
        f"unknown {what} '{name}'{did_you_mean(name, known)}; see `cvid sweep --list-parameters`",
        field=field,
    )


def parse_vary(text: str, scenario: Scenario | None = None) -> Axis:
    """Parse ``PARAM=LO:HI:STEPS`` (STEPS ≥ 1 evenly spaced values from LO to HI).

    With ``scenario``, the parameter name is checked against :func:`vary_parameters`.
    """
    name, sep, rng = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise InputError(f"expected PARAM=LO:HI:STEPS, got '{text}'", field="--vary")
    parts = rng.split(":")
    if len(parts) != 3:
        raise InputError(f"expected LO:HI:STEPS after '{name}=', got '{rng}'", field="--vary")
    try:
        lo, hi = float(parts[0]), float(parts[1])
        steps = int(parts[2])
    except ValueError:
        raise InputError(
            f"LO and HI must be numbers and STEPS a whole number, got '{rng}'", field="--vary"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or steps < 1:
        raise InputError(f"bad range '{rng}': STEPS must be at least 1", field="--vary")
    if scenario is not None:
        check_parameter(name, vary_parameters(scenario), field="--vary")
    values = tuple(float(v) for v in np.linspace(lo, hi, steps))
    return Axis(name, values)


def _set_path(data: dict[str, Any], path: str, value: float) -> None:
    parts = path.split(".")
    node = data
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    old = node.get(parts[-1])
    node[parts[-1]] = round(value) if isinstance(old, int) and not isinstance(old, bool) else value


def apply_point(
    scenario: Scenario, point: Mapping[str, float], source: str = "--vary"
) -> tuple[Scenario, dict[str, float], float | None]:
    """The scenario, strategy overrides and detection override of one grid point.

    Varying one entry of ``counterpart.prior`` rescales the two others so the prior still sums
    to 1 (in proportion to their values). Invalid values are InputErrors naming the field.
    """
    data = scenario.model_dump(by_alias=True, mode="json", exclude_none=True)
    overrides: dict[str, float] = {}
    detection: float | None = None
    changed = False
    for name, value in point.items():
        if name == DETECTION:
            if not 0.0 <= value <= 1.0:
                raise InputError(f"{value:g} is not a probability", field=f"{source} {name}")
            detection = value
        elif name.startswith("strategy."):
            overrides[name.removeprefix("strategy.")] = value
        elif name.startswith("counterpart.prior."):
            _set_prior(data, name.removeprefix("counterpart.prior."), value, source)
            changed = True
        else:
            _set_path(data, name, value)
            changed = True
    if changed:
        try:
            scenario = scenario_from_dict(data, source=source)
        except InputError as exc:
            raise InputError(
                f"{exc.reason} (at {', '.join(f'{k}={v:g}' for k, v in point.items())})",
                source=source,
                field=exc.field,
            ) from None
    if overrides:
        try:
            StrategySpec.model_validate({"name": "check", **overrides})
        except ValueError as exc:
            raise InputError(
                f"invalid strategy value at {point}: {exc}".splitlines()[0], field=source
            ) from None
    return scenario, overrides, detection


def _set_prior(data: dict[str, Any], kind: str, value: float, source: str) -> None:
    prior = data.setdefault("counterpart", {}).setdefault("prior", {})
    keys = list(COUNTERPART_TYPES)
    if not 0.0 <= value <= 1.0:
        raise InputError(
            f"{value:g} is not a probability", field=f"{source} counterpart.prior.{kind}"
        )
    others = [k for k in keys if k != kind]
    rest = sum(float(prior.get(k, 0.0)) for k in others)
    for k in others:
        share = float(prior.get(k, 0.0)) / rest if rest > 0 else 1.0 / len(others)
        prior[k] = (1.0 - value) * share
    prior[kind] = value


def _connect(scheduler: str | None, workers: int, timeout: float) -> tuple[Any, Any]:
    """A dask.distributed Client: to ``scheduler`` if given, else a new local cluster."""
    from cvid._optional import require

    require("distributed", "sweep", "cvid sweep")
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=f"{timeout}s"), None
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"no Dask scheduler answered within {timeout:g} s ({type(exc).__name__})",
                source=scheduler,
                field="--scheduler",
            ) from None
        except ValueError as exc:
            raise InputError(f"not a scheduler address: {exc}", source=scheduler) from None
        except Exception as exc:  # something answered, but not a Dask scheduler
            raise InputError(
                f"the address answered, but not as a Dask scheduler ({type(exc).__name__})",
                source=scheduler,
                field="--scheduler",
            ) from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=40,
    )
    return Client(cluster), cluster


def _task(
    compiled: dict[str, Compiled], seed: int, blocks: list[tuple[int, int]]
) -> dict[str, BlockSummary]:
    return run_blocks(compiled, seed, blocks)


def sweep(
    scenario: Scenario | str | Path,
    vary: Sequence[str | Axis],
    strategies: Sequence[str] | None = None,
    runs: int = DEFAULT_SWEEP_RUNS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    blocks_per_task: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Simulate every point of the grid spanned by ``vary`` (``PARAM=LO:HI:STEPS`` strings or
    :class:`Axis`) on Dask: a local cluster of ``workers`` processes (default: the CPU count)
    or the ``dask.distributed`` scheduler at ``scheduler`` (InputError if it does not answer
    within ``timeout`` seconds; its workers need the same cvid installed). A task is one grid
    point and ``blocks_per_task`` blocks of runs. ``progress(done, total)`` is called as tasks
    finish.
    """
    sc = as_scenario(scenario)
    check_run_arguments(runs, months, seed)
    if not vary:
        raise InputError("give at least one --vary PARAM=LO:HI:STEPS", field="--vary")
    axes = tuple(a if isinstance(a, Axis) else parse_vary(a, sc) for a in vary)
    known = vary_parameters(sc)
    for a in axes:
        if a.name not in known:
            raise InputError(f"unknown parameter '{a.name}'", field="--vary")
    if len({a.name for a in axes}) != len(axes):
        raise InputError("a parameter is varied twice", field="--vary")
    names = list(strategies) if strategies else strategy_names(sc)
    points = [
        dict(zip([a.name for a in axes], vals, strict=True))
        for vals in itertools.product(*(a.values for a in axes))
    ]
    prepared = []
    for point in points:
        variant, overrides, detection = apply_point(sc, point)
        compiled = compile_all(variant, names, months, detection, overrides)
        prepared.append((point, variant, compiled))
    blocks = list(enumerate(block_sizes(runs)))
    groups = [blocks[i : i + blocks_per_task] for i in range(0, len(blocks), blocks_per_task)]

    client, cluster = _connect(scheduler, workers or (os.cpu_count() or 1), timeout)
    try:
        from distributed import as_completed

        futures = {}
        for pi, (_, _, compiled) in enumerate(prepared):
            for group in groups:
                fut = client.submit(_task, compiled, seed, group, pure=False)
                futures[fut] = pi
        merged: list[dict[str, BlockSummary] | None] = [None] * len(prepared)
        for done, fut in enumerate(as_completed(list(futures)), start=1):
            pi = futures[fut]
            part = fut.result()
            if merged[pi] is None:
                merged[pi] = part
            else:
                target = merged[pi]
                assert target is not None
                for name, summary in part.items():
                    target[name].merge(summary)
            if progress is not None:
                progress(done, len(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    rows: list[SweepRow] = []
    for (point, variant, compiled), summaries in zip(prepared, merged, strict=True):
        assert summaries is not None
        result = build_result(variant, compiled, summaries, seed, runs, months)
        rows += [SweepRow.model_validate({**point, **row}) for row in result.summary_rows()]
    return SweepResult(
        scenario=sc.meta.name,
        seed=seed,
        runs=runs,
        months=months,
        parameters={a.name: a.values for a in axes},
        rows=tuple(rows),
    )


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as Parquet (``.parquet``) or CSV (``.csv``), atomically."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError("the table must end in .parquet or .csv", source=str(target))
    if not target.parent.is_dir():
        raise InputError("folder does not exist", source=str(target.parent))
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        if suffix == ".parquet":
            from cvid._optional import require

            require("pyarrow", "sweep", "a Parquet table")
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def plot_surface(
    result: SweepResult, outcome: str = "verified_cvid", path: str | Path | None = None
) -> Any:
    """Plot P(``outcome``) over the grid: lines with ±2 SE bands for one varied parameter,
    a heat map per strategy for two (averaged over any further parameters). Saved to
    ``path`` when given (format from the suffix)."""
    from matplotlib.figure import Figure

    df = result.frame
    strategies = list(dict.fromkeys(df["strategy"]))
    if len(result.axes) == 1:
        x = result.axes[0].name
        fig = Figure(figsize=(8, 5), layout="constrained")
        ax = fig.subplots()
        for name in strategies:
            part = df[df["strategy"] == name].sort_values(x)
            p = part[outcome].to_numpy()
            se = part[f"se_{outcome}"].to_numpy()
            (line,) = ax.plot(part[x], p, marker="o", label=name)
            ax.fill_between(part[x], p - 2 * se, p + 2 * se, alpha=0.2, color=line.get_color())
        ax.set_xlabel(x)
        ax.set_ylabel(f"P({outcome})")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    else:
        xa, ya = result.axes[0], result.axes[1]
        cols = min(3, len(strategies))
        rows = math.ceil(len(strategies) / cols)
        fig = Figure(figsize=(4.2 * cols, 3.6 * rows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        image = None
        for ax, name in zip(axes, strategies, strict=False):
            part = df[df["strategy"] == name]
            grid = part.pivot_table(index=ya.name, columns=xa.name, values=outcome, aggfunc="mean")
            image = ax.pcolormesh(
                grid.columns.to_numpy(),
                grid.index.to_numpy(),
                grid.to_numpy(),
                vmin=0,
                vmax=1,
                shading="nearest",
                cmap="viridis",
            )
            ax.set_title(name)
            ax.set_xlabel(xa.name)
            ax.set_ylabel(ya.name)
        for ax in axes[len(strategies) :]:
            ax.set_visible(False)
        if image is not None:
            fig.colorbar(image, ax=list(axes[: len(strategies)]), label=f"P({outcome})")
    fig.suptitle(f"{result.scenario}: P({outcome}) over the grid ({result.runs:,} runs a point)")
    if path is not None:
        target = Path(path)
        if not target.parent.is_dir():
            raise InputError("folder does not exist", source=str(target.parent))
        fig.savefig(target)
    return fig


__all__ = [
    "Axis",
    "SweepResult",
    "parse_vary",
    "plot_surface",
    "sweep",
    "vary_parameters",
    "write_table",
]
