"""``simulate``: many runs of each strategy against one scenario, summarized with uncertainty."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from cvid.errors import InputError
from cvid.negotiate.compile import compile_strategy, detection_array
from cvid.negotiate.engine import (
    OUTCOMES,
    SHARE_BINS,
    BlockSummary,
    Compiled,
    block_sizes,
    capability_bin_values,
    empty_summary,
    simulate_block,
)
from cvid.negotiate.science import regime_detection_probability
from cvid.negotiate.strategies import (
    AGREEMENT,
    libya_model_strategy,
    libya_model_variant,
    resolve_strategy,
    strategy_names,
)
from cvid.scenario import COUNTERPART_TYPES, Scenario, StrategySpec, load_scenario

#: Defaults of :func:`simulate` (and of ``cvid simulate``).
DEFAULT_RUNS = 10_000
DEFAULT_MONTHS = 120
DEFAULT_SEED = 0
#: Longest horizon accepted (months).
MAX_MONTHS = 1200
#: Outcomes reported over time as "reached by month t" (cumulative, never falls); the others
#: (stalemate, running) as the state at month t.
CUMULATIVE_OUTCOMES: tuple[str, ...] = ("verified_cvid", "breakdown", "exposed", "conflict")
REACHED = "reached by month t"
STATE = "state at month t"
#: Quantiles reported (as p10, p50, p90).
QUANTILES: tuple[float, ...] = (0.1, 0.5, 0.9)

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


def _quantiles_from_hist(
    counts: NDArray[np.int64], values: NDArray[np.floating[Any]]
) -> dict[str, float | None]:
    """p10/p50/p90 of a histogram whose bin ``i`` stands for ``values[i]`` (lower quantile:
    the smallest value with at least q of the mass at or below it)."""
    total = int(counts.sum())
    if total == 0:
        return {f"p{round(q * 100)}": None for q in QUANTILES}
    cum = np.cumsum(counts)
    out: dict[str, float | None] = {}
    for q in QUANTILES:
        i = int(np.searchsorted(cum, q * total - 1e-9, side="left"))
        out[f"p{round(q * 100)}"] = float(values[min(i, len(values) - 1)])
    return out


@dataclass(frozen=True)
class StrategyResult:
    """The summarized runs of one strategy (see :meth:`SimulationResult.to_dict`)."""

    name: str
    spec: StrategySpec
    summary: BlockSummary
    steps: tuple[str, ...]
    detection_probability: float  # mean monthly value the engine used
    unreachable: tuple[str, ...] = ()
    deterrence_thresholds: tuple[float, ...] = ()
    detection_within_goal: float = 0.0
    pressure_default: bool = False

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.summary.runs

    def outcome_probabilities(self) -> dict[str, float]:
        """Probability of each outcome at the horizon."""
        counts = self.summary.outcome_month.sum(axis=1)
        return {o: float(counts[i] / self.runs) for i, o in enumerate(OUTCOMES)}

    def standard_errors(self) -> dict[str, float]:
        """Monte Carlo standard error of each outcome probability, √(p(1 − p)/n)."""
        return {
            o: float(np.sqrt(p * (1.0 - p) / self.runs))
            for o, p in self.outcome_probabilities().items()
        }

    def occupancy(self) -> NDArray[np.float64]:
        """(outcomes, months + 1): probability that a run is in each state at the end of month
        t (t = 0..T); the columns sum to 1. A run that walked away (breakdown, exposed,
        stalemate) may come back when the state makes the strategic decision, so only the
        absorbing states (verified CVID, conflict) fill up monotonically here."""
        return np.asarray(self.summary.occupancy / self.runs, dtype=np.float64)

    def cumulative(self) -> NDArray[np.float64]:
        """(outcomes, months + 1): probability that a run has entered each state at least once
        by the end of month t (first passage; never falls). For verified CVID and conflict
        (absorbing) it equals :meth:`occupancy`; for breakdown, exposed and stalemate it counts
        runs that came back too, so at the horizon it is at least the outcome probability;
        for running it is 1 (every run starts in talks)."""
        return np.asarray(np.cumsum(self.summary.first_entry, axis=1) / self.runs, np.float64)

    def series(self, outcome: str) -> tuple[str, NDArray[np.float64]]:
        """The over-time series reported for ``outcome``: (measure, probability by month).

        ``measure`` is ``"reached by month t"`` (cumulative, never falls) for verified CVID,
        breakdown, exposed and conflict, and ``"state at month t"`` for stalemate and running,
        whose share rises and falls as talks stall and resume."""
        i = OUTCOMES.index(outcome)
        if outcome in CUMULATIVE_OUTCOMES:
            return REACHED, self.cumulative()[i]
        return STATE, self.occupancy()[i]

    def posterior(self) -> NDArray[np.float64]:
        """(3, months + 1): mean posterior probability of each type by month."""
        return np.asarray(self.summary.posterior_sum / self.runs, dtype=np.float64)

    def _mean(self, key: str) -> float:
        return self.summary.total(key) / self.runs

    def _mean_se(self, key: str) -> float:
        n = self.runs
        mean = self._mean(key)
        var = max(self.summary.total(key + "_sq") / n - mean * mean, 0.0)
        return float(np.sqrt(var / n)) if n > 1 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """This strategy's part of the JSON (see :meth:`SimulationResult.to_dict`)."""
        s = self.summary
        months = np.arange(s.months + 1, dtype=float)
        to_outcome: dict[str, dict[str, float | None] | None] = {}
        for i, o in enumerate(OUTCOMES):
            if o == "running":
                continue
            counts = s.outcome_month[i]
            if counts.sum() == 0:
                to_outcome[o] = None
                continue
            q = _quantiles_from_hist(counts, months)
            q["mean"] = float((counts * months).sum() / counts.sum())
            to_outcome[o] = q
        kg_mid = capability_bin_values(s.capability_hi_kg)
        sq_mid = capability_bin_values(s.capability_hi_sq)
        shares = np.arange(SHARE_BINS + 1) / SHARE_BINS
        by_type = {
            t: {
                o: float(s.outcome_by_type[i, j] / max(1, s.outcome_by_type[i].sum()))
                for j, o in enumerate(OUTCOMES)
            }
            | {
                "share_of_runs": float(s.outcome_by_type[i].sum() / self.runs),
                "unrewarded": float(s.unrewarded_by_type[i] / max(1, s.outcome_by_type[i].sum())),
            }
            for i, t in enumerate(COUNTERPART_TYPES)
        }
        clandestine: dict[str, Any] = {}
        for i, t in enumerate(COUNTERPART_TYPES):
            count = int(s.outcome_by_type[i].sum())
            clandestine[t] = {
                "runs": count,
                "kg": {
                    "mean": self.summary.total(f"clandestine_kg:{t}") / count if count else None,
                    **_quantiles_from_hist(s.secret_kg_hist[i], kg_mid),
                },
                "significant_quantities": {
                    "mean": self.summary.total(f"clandestine_sq:{t}") / count if count else None,
                    **_quantiles_from_hist(s.secret_sq_hist[i], sq_mid),
                },
            }
        post = self.posterior()
        reached = self.cumulative()[:, -1]
        posterior = {t: [float(x) for x in post[i]] for i, t in enumerate(COUNTERPART_TYPES)}
        return {
            "outcomes": self.outcome_probabilities(),
            "standard_errors": self.standard_errors(),
            "months_to_outcome": to_outcome,
            "capability_kg": {
                "end": {
                    "mean": self._mean("capability_end_kg"),
                    "standard_error": self._mean_se("capability_end_kg"),
                    **_quantiles_from_hist(s.capability_end_hist, kg_mid),
                },
                "peak": {
                    "mean": self._mean("capability_peak_kg"),
                    **_quantiles_from_hist(s.capability_peak_hist, kg_mid),
                },
                "end_mean_by_material": {
                    m: self._mean(f"capability_end_kg:{m}") for m in s.materials
                },
            },
            "capability_significant_quantities": {
                "mean": self._mean("capability_end_sq"),
                **_quantiles_from_hist(s.sq_end_hist, sq_mid),
            },
            "concessions_paid": {
                "mean": self._mean("paid"),
                "standard_error": self._mean_se("paid"),
                **_quantiles_from_hist(s.paid_hist, shares),
            },
            "concessions_to_cheaters": {
                "mean": self._mean("paid_to_cheater"),
                "standard_error": self._mean_se("paid_to_cheater"),
                "probability_any": self._mean("runs_paid_to_cheater"),
                **_quantiles_from_hist(s.paid_cheat_hist, shares),
            },
            "clandestine_months": {
                "mean": self._mean("clandestine_months"),
                **_quantiles_from_hist(s.clandestine_hist, months),
            },
            "reached_by_horizon": {
                o: float(reached[i]) for i, o in enumerate(OUTCOMES) if o != "running"
            },
            "outcomes_by_type": by_type,
            "clandestine_production": clandestine,
            "detections": {
                "mean": self._mean("detections"),
                "probability_any": self._mean("runs_detected"),
            },
            "posterior": posterior,
            "unreachable": list(self.unreachable),
            "deterrence": {
                "detection_within_goal": self.detection_within_goal,
                "threshold_by_type": dict(
                    zip(COUNTERPART_TYPES, self.deterrence_thresholds, strict=False)
                ),
            },
            "pressure_is_default": self.pressure_default,
            "detection_probability": self.detection_probability,
            "steps": list(self.steps),
            "strategy": self.spec.model_dump(mode="json"),
        }


@dataclass(frozen=True)
class SimulationResult:
    """Outcomes of each strategy over ``runs`` runs of ``months`` months from ``seed``."""

    scenario: str
    seed: int
    runs: int
    months: int
    strategies: Mapping[str, StrategyResult]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``cvid simulate --json``::

            {"scenario", "seed", "runs", "months",
             "strategies": {NAME: {
                 "outcomes": {"verified_cvid", "breakdown", "stalemate", "running",
                              "exposed", "conflict"},
                 "reached_by_horizon": {OUTCOME: p},  (entered at least once; ≥ outcome)
                 "standard_errors": {same keys},
                 "months_to_outcome": {"verified_cvid"|"breakdown"|"stalemate":
                                       {"p10", "p50", "p90", "mean"} or null},
                 "capability_kg": {"end": {"mean", "standard_error", "p10", "p50", "p90"},
                                   "peak": {"mean", "p10", "p50", "p90"},
                                   "end_mean_by_material": {MATERIAL: kg}},
                 "capability_significant_quantities": {"mean", "p10", "p50", "p90"},
                 "concessions_paid": {"mean", "standard_error", "p10", "p50", "p90"},
                 "concessions_to_cheaters": {"mean", "standard_error", "probability_any",
                                             "p10", "p50", "p90"},
                 "clandestine_months": {"mean", "p10", "p50", "p90"},
                 "outcomes_by_type": {TYPE: {OUTCOME: p, "share_of_runs"}},
                 "detection_probability", "steps": [...], "strategy": {...}}}}

        Outcome probabilities are at the horizon, with Monte Carlo standard errors
        √(p(1 − p)/runs); months to an outcome are over the runs that reached it. Concessions
        are shares of the agreement's package (0–1); ``concessions_to_cheaters`` is the share
        paid while the counterpart had not made the strategic decision (a time-buyer or a
        hedger). Capability is kg of direct-use material (HEU as kg U-235) at the horizon
        (zero after verified CVID; after a breakdown or stalemate the program runs at full
        capacity to the horizon) and at its peak; its quantiles are read from a 1024-bin
        histogram (resolution: the bound of capability / 1023). Clandestine months are months
        of secret production.
        """
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "runs": self.runs,
            "months": self.months,
            "strategies": {name: r.to_dict() for name, r in self.strategies.items()},
            "ranking": self.ranking(),
        }

    def ranking(self) -> list[dict[str, Any]]:
        """Strategies ranked by P(verified CVID), with Monte Carlo uncertainty.

        Each entry: strategy, verified_cvid, standard_error, reachable (no unreachable
        reason), rank (1 = best; strategies whose difference from the one above is within
        two standard errors of the difference share its rank) and ``tied_with``. A strategy
        for which CVID is unreachable by construction is ranked after every reachable one and
        carries its reasons instead of a probability."""
        rows: list[dict[str, Any]] = []
        for name, r in self.strategies.items():
            p = r.outcome_probabilities()["verified_cvid"]
            rows.append(
                {
                    "strategy": name,
                    "verified_cvid": p,
                    "standard_error": r.standard_errors()["verified_cvid"],
                    "reachable": not r.unreachable,
                    "unreachable": list(r.unreachable),
                }
            )
        rows.sort(key=lambda x: (not x["reachable"], -float(x["verified_cvid"])))
        rank = 0
        previous: dict[str, Any] | None = None
        for row in rows:
            if previous is None or not _tied(previous, row):
                rank += 1
            row["rank"] = rank
            previous = row
        for row in rows:
            row["tied_with"] = [
                o["strategy"] for o in rows if o is not row and o["rank"] == row["rank"]
            ]
        return rows

    def to_frame(self) -> pd.DataFrame:
        """Outcome probabilities over time, long format: one row per strategy, month (0–T),
        outcome and ``measure``, with ``probability`` and its ``standard_error``.

        ``measure`` is ``"state at month t"`` for every outcome (the share of runs in that
        state at the end of the month; these sum to 1 each month) and, for the outcomes of
        :data:`CUMULATIVE_OUTCOMES`, also ``"reached by month t"`` (the share that has
        entered it at least once by then; never falls)."""
        frames = []
        months = np.arange(self.months + 1)
        for name, r in self.strategies.items():
            occ, cum = r.occupancy(), r.cumulative()
            for i, o in enumerate(OUTCOMES):
                kinds = [(STATE, occ[i])]
                if o in CUMULATIVE_OUTCOMES:
                    kinds.append((REACHED, cum[i]))
                for measure, p in kinds:
                    frames.append(
                        pd.DataFrame(
                            {
                                "strategy": name,
                                "month": months,
                                "outcome": o,
                                "measure": measure,
                                "probability": p,
                                "standard_error": np.sqrt(p * (1.0 - p) / r.runs),
                            }
                        )
                    )
        return pd.concat(frames, ignore_index=True)

    def summary_frame(self) -> pd.DataFrame:
        """One row per strategy: outcome probabilities, their standard errors and the means."""
        rows = []
        for name, r in self.strategies.items():
            d = r.to_dict()
            row: dict[str, Any] = {"strategy": name}
            row.update(d["outcomes"])
            row.update({f"se_{k}": v for k, v in d["standard_errors"].items()})
            row["capability_end_kg_mean"] = d["capability_kg"]["end"]["mean"]
            row["capability_peak_kg_mean"] = d["capability_kg"]["peak"]["mean"]
            row["concessions_paid_mean"] = d["concessions_paid"]["mean"]
            row["concessions_to_cheaters_mean"] = d["concessions_to_cheaters"]["mean"]
            row["clandestine_months_mean"] = d["clandestine_months"]["mean"]
            rows.append(row)
        return pd.DataFrame(rows)


def _tied(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two reachable strategies differ by less than two standard errors of the
    difference (independent-sample bound; common random numbers make it conservative)."""
    if a["reachable"] != b["reachable"]:
        return False
    if not a["reachable"]:
        return True
    se = math.sqrt(a["standard_error"] ** 2 + b["standard_error"] ** 2)
    return bool(abs(a["verified_cvid"] - b["verified_cvid"]) <= 2.0 * se)


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
    results = {}
    for name, c in compiled.items():
        results[name] = StrategyResult(
            name=name,
            spec=c.spec,
            summary=summaries[name],
            steps=c.step_ids,
            detection_probability=float(c.detection.mean()),
            unreachable=c.unreachable,
            deterrence_thresholds=c.deterrence_thresholds,
            detection_within_goal=float(c.detection_within_goal.mean()),
            pressure_default=c.pressure_default,
        )
    return SimulationResult(
        scenario=scenario.meta.name, seed=seed, runs=runs, months=months, strategies=results
    )


__all__ = [
    "AGREEMENT",
    "CUMULATIVE_OUTCOMES",
    "DEFAULT_MONTHS",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "SimulationResult",
    "StrategyResult",
    "simulate",
]
