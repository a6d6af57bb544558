"""``simulate``: many runs of each strategy against one scenario, summarized with uncertainty."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvid.errors import InputError
from cvid.negotiate.compile import compile_strategy, detection_array
from cvid.negotiate.engine import (
    BlockSummary,
    Compiled,
    block_sizes,
    empty_summary,
    simulate_block,
)
from cvid.negotiate.result import (
    CUMULATIVE_OUTCOMES,
    QUANTILES,
    REACHED,
    STATE,
    SimulationResult,
    StrategyResult,
)
from cvid.negotiate.science import regime_detection_probability
from cvid.negotiate.strategies import (
    AGREEMENT,
    libya_model_strategy,
    libya_model_variant,
    resolve_strategy,
    strategy_names,
)
from cvid.scenario import Scenario, StrategySpec, load_scenario

#: Defaults of :func:`simulate` (and of ``cvid simulate``).
DEFAULT_RUNS = 10_000
DEFAULT_MONTHS = 120
DEFAULT_SEED = 0
#: Longest horizon accepted (months).
MAX_MONTHS = 1200

Progress = Callable[[int], None]


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario object, loading a file or bundled example name when given one."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def check_run_arguments(runs: int, months: int, seed: int) -> None:
    """InputError unless runs ≥ 1, 1 ≤ months ≤ MAX_MONTHS and seed ≥ 0."""
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError(f"runs must be a positive whole number, got {runs!r}", field="runs")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise InputError(
            f"months must be between 1 and {MAX_MONTHS}, got {months!r}", field="months"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative whole number, got {seed!r}", field="seed")


def compile_all(
    scenario: Scenario,
    names: Sequence[str],
    months: int,
    detection_probability: ArrayLike | None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Compiled]:
    """Compile each named strategy (with optional field ``overrides`` of every strategy).

    Without ``detection_probability`` each strategy runs under the scenario's regime, except
    the Libya-model preset, which runs under the Libya-model regime
    (:func:`libya_model_variant`): the same in ``cvid simulate`` and ``cvid assess``."""
    if detection_probability is None:
        own = detection_array(regime_detection_probability(scenario), months)
        libya: NDArray[np.float64] | None = None
    else:
        own = libya = detection_array(detection_probability, months)
    out: dict[str, Compiled] = {}
    for name in names:
        spec = resolve_strategy(scenario, name)
        detection = own
        if spec == libya_model_strategy():
            if libya is None:
                libya = detection_array(
                    regime_detection_probability(libya_model_variant(scenario)), months
                )
            detection = libya
        if overrides:
            spec = StrategySpec.model_validate({**spec.model_dump(), **overrides})
        out[name] = compile_strategy(scenario, spec, detection, months)
    return out


def run_blocks(
    compiled: Mapping[str, Compiled],
    seed: int,
    blocks: Sequence[tuple[int, int]],
    progress: Progress | None = None,
) -> dict[str, BlockSummary]:
    """Simulate the given (block index, size) pairs for every strategy and merge them."""
    out = {name: empty_summary(c) for name, c in compiled.items()}
    for block, size in blocks:
        for name, c in compiled.items():
            out[name].merge(simulate_block(c, seed, block, size))
            if progress is not None:
                progress(size)
    return out


def simulate(
    scenario: Scenario | str | Path,
    strategies: Sequence[str] | None = None,
    runs: int = DEFAULT_RUNS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    *,
    detection_probability: ArrayLike | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate each strategy ``runs`` times over ``months`` months against ``scenario``.

    ``strategies`` are names: ``agreement`` (the scenario's own), the presets, or strategies
    in the scenario file; by default all of them. The monthly detection probability comes from
    :func:`cvid.verify.monthly_detection_probability` unless ``detection_probability`` (a
    number, or one value per month) is given. Runs are split into fixed blocks, each with its
    own stream from ``SeedSequence(seed)``; memory does not grow with ``runs``.
    ``progress`` is called with the number of runs just finished (per strategy).
    """
    sc = as_scenario(scenario)
    check_run_arguments(runs, months, seed)
    names = list(strategies) if strategies else strategy_names(sc)
    if len(set(names)) != len(names):
        raise InputError("a strategy is named twice", field="strategy")
    compiled = compile_all(sc, names, months, detection_probability)
    blocks = list(enumerate(block_sizes(runs)))
    summaries = run_blocks(compiled, seed, blocks, progress)
    return build_result(sc, compiled, summaries, seed, runs, months)


def build_result(
    scenario: Scenario,
    compiled: Mapping[str, Compiled],
    summaries: Mapping[str, BlockSummary],
    seed: int,
    runs: int,
    months: int,
) -> SimulationResult:
    """Wrap merged summaries into a :class:`SimulationResult`."""
    results = {
        name: StrategyResult.from_summary(
            summaries[name],
            spec=c.spec,
            steps=c.step_ids,
            detection_probability=float(c.detection.mean()),
            unreachable=c.unreachable,
            deterrence_thresholds=c.deterrence_thresholds,
            detection_within_goal=float(c.detection_within_goal.mean()),
            pressure_default=c.pressure_default,
        )
        for name, c in compiled.items()
    }
    return SimulationResult.from_strategies(
        scenario=scenario.meta.name, seed=seed, runs=runs, months=months, strategies=results
    )


__all__ = [
    "AGREEMENT",
    "CUMULATIVE_OUTCOMES",
    "DEFAULT_MONTHS",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "QUANTILES",
    "REACHED",
    "STATE",
    "SimulationResult",
    "StrategyResult",
    "simulate",
]
