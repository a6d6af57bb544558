"""Typed results of the negotiation simulator (``cvid simulate``, ``--sensitivity``, ``sweep``).

Frozen pydantic models (:class:`cvid.results.Result`) whose ``to_json`` is the documented JSON
of the commands; their JSON Schemas are published as ``schema/simulate.schema.json``,
``schema/simulate-sensitivity.schema.json`` and ``schema/sweep.schema.json``. Reading that JSON
back (``SimulationResult.model_validate_json``) gives the same result; what the JSON does not
hold (the per-month state curves of :meth:`StrategyResult.occupancy` and the histograms of a
:class:`~cvid.negotiate.engine.BlockSummary`) stays on the result that was simulated, as a
private attribute, for :meth:`SimulationResult.to_frame` and the plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import ConfigDict, Field, PrivateAttr

from cvid.negotiate.engine import OUTCOMES, SHARE_BINS, BlockSummary, capability_bin_values
from cvid.results import Result
from cvid.scenario import COUNTERPART_TYPES, StrategySpec

if TYPE_CHECKING:
    import pandas as pd

#: Outcomes reported over time as "reached by month t" (cumulative, never falls); the others
#: (stalemate, running) as the state at month t.
CUMULATIVE_OUTCOMES: tuple[str, ...] = ("verified_cvid", "breakdown", "exposed", "conflict")
#: Every outcome of a run as the CLI, the plots and the report name it (one home).
OUTCOME_LABELS: dict[str, str] = {
    "verified_cvid": "verified CVID",
    "exposed": "exposed (cheating caught before concessions)",
    "breakdown": "breakdown (cheating caught after concessions)",
    "stalemate": "stalemate (walked away after a stall)",
    "conflict": "conflict (under a threat of force)",
    "running": "still running at horizon",
}
REACHED = "reached by month t"
STATE = "state at month t"
#: Quantiles reported (as p10, p50, p90).
QUANTILES: tuple[float, ...] = (0.1, 0.5, 0.9)

T = TypeVar("T")


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


# ------------------------------------------------------------------ parts of a strategy's result


class ByType(Result, Generic[T]):
    """One value for each type of counterpart (see :data:`cvid.scenario.COUNTERPART_TYPES`)."""

    sincere: T
    time_buyer: T = Field(alias="time-buyer")
    hedger: T


class OutcomeShares(Result):
    """A probability (or its Monte Carlo standard error) for each outcome at the horizon."""

    running: float
    verified_cvid: float
    breakdown: float
    stalemate: float
    exposed: float
    conflict: float


class TypeOutcomes(OutcomeShares):
    """Outcome probabilities over the runs whose counterpart was of one type."""

    share_of_runs: float = Field(description="Share of all runs with a counterpart of this type")
    unrewarded: float = Field(
        description="Share of these runs in which nothing was paid while undecided"
    )


class EndedShares(Result):
    """A probability for each outcome that ends talks (every outcome but running)."""

    verified_cvid: float
    breakdown: float
    stalemate: float
    exposed: float
    conflict: float


class MonthsToOutcome(Result):
    """Months to an outcome over the runs that ended in it: quantiles and mean."""

    p10: float
    p50: float
    p90: float
    mean: float


class MonthsToOutcomes(Result):
    """Months to each ending outcome; null when no run ended in it."""

    verified_cvid: MonthsToOutcome | None
    breakdown: MonthsToOutcome | None
    stalemate: MonthsToOutcome | None
    exposed: MonthsToOutcome | None
    conflict: MonthsToOutcome | None


class Distribution(Result):
    """Mean and p10/p50/p90 of a per-run quantity (quantiles read from a histogram)."""

    mean: float
    p10: float | None
    p50: float | None
    p90: float | None


class DistributionWithError(Result):
    """Mean with its Monte Carlo standard error, and p10/p50/p90, of a per-run quantity."""

    mean: float
    standard_error: float
    p10: float | None
    p50: float | None
    p90: float | None


class CheaterConcessions(Result):
    """Share of the package paid while the counterpart had not decided (a time-buyer or a
    hedger): mean, its standard error, the probability that any was paid, and quantiles."""

    mean: float
    standard_error: float
    probability_any: float
    p10: float | None
    p50: float | None
    p90: float | None


class CapabilityKg(Result):
    """Capability in kg of direct-use material (HEU as kg U-235): at the horizon, at its peak,
    and the mean at the horizon by material."""

    end: DistributionWithError
    peak: Distribution
    end_mean_by_material: dict[str, float]


class SubgroupDistribution(Result):
    """Mean and quantiles of a quantity over a subgroup of runs; null when it has no run."""

    mean: float | None
    p10: float | None
    p50: float | None
    p90: float | None


class ClandestineProduction(Result):
    """Material produced in secret over the runs of one counterpart type."""

    runs: int
    kg: SubgroupDistribution
    significant_quantities: SubgroupDistribution


class Detections(Result):
    """Detections of cheating per run: the mean count and the probability of at least one;
    of which exposures of hidden facilities by intelligence outside the regime (facilities'
    ``intelligence_exposure_per_month``)."""

    mean: float
    probability_any: float
    probability_by_intelligence: float


class Deterrence(Result):
    """Whether the regime deters cheating: the chance of detection within the timeliness goal
    against each type's threshold D/(D + B) (cvid.verify.games) with the package at stake."""

    detection_within_goal: float
    threshold_by_type: ByType[float]


class StrategyResult(Result):
    """The summarized runs of one strategy (one entry of ``strategies`` in the JSON).

    Built by :meth:`from_summary` from the engine's merged :class:`BlockSummary`, which the
    result keeps (privately) for the per-month curves; read back from JSON it holds exactly
    what the JSON holds (see :class:`SimulationResult`)."""

    outcomes: OutcomeShares = Field(description="Probability of each outcome at the horizon")
    outcome_standard_errors: OutcomeShares = Field(
        alias="standard_errors", description="Monte Carlo standard errors √(p(1 − p)/runs)"
    )
    months_to_outcome: MonthsToOutcomes
    capability_kg: CapabilityKg
    capability_significant_quantities: Distribution
    concessions_paid: DistributionWithError = Field(description="Share of the package (0–1)")
    concessions_to_cheaters: CheaterConcessions
    clandestine_months: Distribution = Field(description="Months of secret production")
    reached_by_horizon: EndedShares = Field(
        description="Probability of entering each state at least once by the horizon"
    )
    outcomes_by_type: ByType[TypeOutcomes]
    clandestine_production: ByType[ClandestineProduction]
    detections: Detections
    posterior_by_type: ByType[tuple[float, ...]] = Field(
        alias="posterior", description="Mean posterior probability of each type, month 0..T"
    )
    unreachable: tuple[str, ...] = Field(
        description="Why verified CVID cannot be reached by construction (empty when it can)"
    )
    deterrence: Deterrence
    pressure_is_default: bool = Field(
        description="True when the scenario has no [pressure] table (one default instrument)"
    )
    detection_probability: float = Field(description="Mean monthly detection probability used")
    steps: tuple[str, ...]
    strategy: StrategySpec

    _summary: BlockSummary | None = PrivateAttr(default=None)
    _runs: int | None = PrivateAttr(default=None)

    @classmethod
    def from_summary(
        cls,
        summary: BlockSummary,
        *,
        spec: StrategySpec,
        steps: tuple[str, ...],
        detection_probability: float,
        unreachable: tuple[str, ...] = (),
        deterrence_thresholds: tuple[float, ...] = (),
        detection_within_goal: float = 0.0,
        pressure_default: bool = False,
    ) -> StrategyResult:
        """The result of the runs merged into ``summary`` (see :meth:`SimulationResult`)."""
        data = _summarize(
            summary,
            spec=spec,
            steps=steps,
            detection_probability=detection_probability,
            unreachable=unreachable,
            deterrence_thresholds=deterrence_thresholds,
            detection_within_goal=detection_within_goal,
            pressure_default=pressure_default,
        )
        out = cls.model_validate(data)
        out._summary = summary
        out._runs = summary.runs
        return out

    def __eq__(self, other: object) -> bool:
        """Equal when what the JSON holds is equal (the private summary is not compared)."""
        if not isinstance(other, StrategyResult):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # holds dicts: not hashable

    @property
    def spec(self) -> StrategySpec:
        """The strategy simulated (the ``strategy`` field)."""
        return self.strategy

    @property
    def runs(self) -> int:
        """Number of runs."""
        if self._runs is None:
            raise ValueError(
                "this strategy result was read on its own; its number of runs is in the "
                "SimulationResult it belongs to"
            )
        return self._runs

    @property
    def summary(self) -> BlockSummary:
        """The engine's merged summary (histograms, per-month counts) of the runs.

        Only on a result that was simulated in this process: the JSON does not hold it."""
        if self._summary is None:
            raise ValueError(
                "this result was read from JSON, which holds no per-month curves or histograms; "
                "simulate it again (cvid.negotiate.simulate) for them"
            )
        return self._summary

    def outcome_probabilities(self) -> dict[str, float]:
        """Probability of each outcome at the horizon."""
        return self.outcomes.model_dump()

    def standard_errors(self) -> dict[str, float]:
        """Monte Carlo standard error of each outcome probability, √(p(1 − p)/n)."""
        return self.outcome_standard_errors.model_dump()

    def occupancy(self) -> NDArray[np.float64]:
        """(outcomes, months + 1): probability that a run is in each state at the end of month
        t (t = 0..T); the columns sum to 1. A run that walked away (breakdown, exposed,
        stalemate) may come back when the state makes the strategic decision, so only the
        absorbing states (verified CVID, conflict) fill up monotonically here."""
        s = self.summary
        return np.asarray(s.occupancy / s.runs, dtype=np.float64)

    def cumulative(self) -> NDArray[np.float64]:
        """(outcomes, months + 1): probability that a run has entered each state at least once
        by the end of month t (first passage; never falls). For verified CVID and conflict
        (absorbing) it equals :meth:`occupancy`; for breakdown, exposed and stalemate it counts
        runs that came back too, so at the horizon it is at least the outcome probability;
        for running it is 1 (every run starts in talks)."""
        s = self.summary
        return np.asarray(np.cumsum(s.first_entry, axis=1) / s.runs, np.float64)

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
        p = self.posterior_by_type
        return np.array([p.sincere, p.time_buyer, p.hedger], dtype=np.float64)


def _summarize(
    s: BlockSummary,
    *,
    spec: StrategySpec,
    steps: tuple[str, ...],
    detection_probability: float,
    unreachable: tuple[str, ...],
    deterrence_thresholds: tuple[float, ...],
    detection_within_goal: float,
    pressure_default: bool,
) -> dict[str, Any]:
    """The fields of a :class:`StrategyResult` computed from the merged summary ``s``."""
    runs = s.runs

    def mean(key: str) -> float:
        return s.total(key) / runs

    def mean_se(key: str) -> float:
        m = mean(key)
        var = max(s.total(key + "_sq") / runs - m * m, 0.0)
        return float(np.sqrt(var / runs)) if runs > 1 else 0.0

    months = np.arange(s.months + 1, dtype=float)
    final = s.outcome_month.sum(axis=1)
    outcomes = {o: float(final[i] / runs) for i, o in enumerate(OUTCOMES)}
    standard_errors = {o: float(np.sqrt(p * (1.0 - p) / runs)) for o, p in outcomes.items()}
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
            "share_of_runs": float(s.outcome_by_type[i].sum() / runs),
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
                "mean": s.total(f"clandestine_kg:{t}") / count if count else None,
                **_quantiles_from_hist(s.secret_kg_hist[i], kg_mid),
            },
            "significant_quantities": {
                "mean": s.total(f"clandestine_sq:{t}") / count if count else None,
                **_quantiles_from_hist(s.secret_sq_hist[i], sq_mid),
            },
        }
    post = s.posterior_sum / runs
    reached = np.cumsum(s.first_entry, axis=1)[:, -1] / runs
    return {
        "outcomes": outcomes,
        "standard_errors": standard_errors,
        "months_to_outcome": to_outcome,
        "capability_kg": {
            "end": {
                "mean": mean("capability_end_kg"),
                "standard_error": mean_se("capability_end_kg"),
                **_quantiles_from_hist(s.capability_end_hist, kg_mid),
            },
            "peak": {
                "mean": mean("capability_peak_kg"),
                **_quantiles_from_hist(s.capability_peak_hist, kg_mid),
            },
            "end_mean_by_material": {m: mean(f"capability_end_kg:{m}") for m in s.materials},
        },
        "capability_significant_quantities": {
            "mean": mean("capability_end_sq"),
            **_quantiles_from_hist(s.sq_end_hist, sq_mid),
        },
        "concessions_paid": {
            "mean": mean("paid"),
            "standard_error": mean_se("paid"),
            **_quantiles_from_hist(s.paid_hist, shares),
        },
        "concessions_to_cheaters": {
            "mean": mean("paid_to_cheater"),
            "standard_error": mean_se("paid_to_cheater"),
            "probability_any": mean("runs_paid_to_cheater"),
            **_quantiles_from_hist(s.paid_cheat_hist, shares),
        },
        "clandestine_months": {
            "mean": mean("clandestine_months"),
            **_quantiles_from_hist(s.clandestine_hist, months),
        },
        "reached_by_horizon": {
            o: float(reached[i]) for i, o in enumerate(OUTCOMES) if o != "running"
        },
        "outcomes_by_type": by_type,
        "clandestine_production": clandestine,
        "detections": {
            "mean": mean("detections"),
            "probability_any": mean("runs_detected"),
            "probability_by_intelligence": mean("runs_exposed_by_intelligence"),
        },
        "posterior": {t: [float(x) for x in post[i]] for i, t in enumerate(COUNTERPART_TYPES)},
        "unreachable": list(unreachable),
        "deterrence": {
            "detection_within_goal": detection_within_goal,
            "threshold_by_type": dict(zip(COUNTERPART_TYPES, deterrence_thresholds, strict=True)),
        },
        "pressure_is_default": pressure_default,
        "detection_probability": detection_probability,
        "steps": list(steps),
        "strategy": spec,
    }


# ------------------------------------------------------------------------------ simulation


class RankedStrategy(Result):
    """One strategy's place in the ranking by P(verified CVID).

    ``rank`` 1 is best; strategies whose difference from the one above is within two standard
    errors of the difference share its rank (``tied_with``). A strategy for which CVID is
    unreachable by construction is ranked after every reachable one and carries its reasons."""

    strategy: str
    verified_cvid: float
    standard_error: float
    reachable: bool
    unreachable: tuple[str, ...]
    rank: int
    tied_with: tuple[str, ...]


class SimulationResult(Result):
    """Outcomes of each strategy over ``runs`` runs of ``months`` months from ``seed``: the
    JSON of ``cvid simulate --json``::

        {"scenario", "seed", "runs", "months",
         "strategies": {NAME: {
             "outcomes": {"verified_cvid", "breakdown", "stalemate", "running",
                          "exposed", "conflict"},
             "reached_by_horizon": {OUTCOME: p},  (entered at least once; ≥ outcome)
             "standard_errors": {same keys},
             "months_to_outcome": {OUTCOME: {"p10", "p50", "p90", "mean"} or null},
             "capability_kg": {"end": {"mean", "standard_error", "p10", "p50", "p90"},
                               "peak": {"mean", "p10", "p50", "p90"},
                               "end_mean_by_material": {MATERIAL: kg}},
             "capability_significant_quantities": {"mean", "p10", "p50", "p90"},
             "concessions_paid": {"mean", "standard_error", "p10", "p50", "p90"},
             "concessions_to_cheaters": {"mean", "standard_error", "probability_any",
                                         "p10", "p50", "p90"},
             "clandestine_months": {"mean", "p10", "p50", "p90"},
             "outcomes_by_type": {TYPE: {OUTCOME: p, "share_of_runs", "unrewarded"}},
             "clandestine_production": {TYPE: {"runs", "kg", "significant_quantities"}},
             "detections", "posterior": {TYPE: [p by month]}, "unreachable", "deterrence",
             "pressure_is_default", "detection_probability", "steps": [...],
             "strategy": {...}}},
         "ranking": [{"strategy", "verified_cvid", "standard_error", "reachable",
                      "unreachable", "rank", "tied_with"}]}

    Outcome probabilities are at the horizon, with Monte Carlo standard errors
    √(p(1 − p)/runs); months to an outcome are over the runs that reached it. Concessions
    are shares of the agreement's package (0–1); ``concessions_to_cheaters`` is the share
    paid while the counterpart had not made the strategic decision (a time-buyer or a
    hedger). Capability is kg of direct-use material (HEU as kg U-235) at the horizon
    (zero after verified CVID; after a breakdown or stalemate the program runs at full
    capacity to the horizon) and at its peak; its quantiles are read from a 1024-bin
    histogram (resolution: the bound of capability / 1023). Clandestine months are months
    of secret production. Schema: ``schema/simulate.schema.json``.
    """

    scenario: str
    seed: int
    runs: int = Field(description="Runs per strategy")
    months: int = Field(description="Horizon (months)")
    strategies: dict[str, StrategyResult]
    ranking: tuple[RankedStrategy, ...]

    def model_post_init(self, context: Any, /) -> None:
        """Tell strategies read from JSON how many runs they summarize."""
        for r in self.strategies.values():
            if r._runs is None:
                r._runs = self.runs

    @classmethod
    def from_strategies(
        cls,
        *,
        scenario: str,
        seed: int,
        runs: int,
        months: int,
        strategies: dict[str, StrategyResult],
    ) -> SimulationResult:
        """The result of ``strategies`` (each of ``runs`` runs), ranked (:func:`rank`)."""
        return cls(
            scenario=scenario,
            seed=seed,
            runs=runs,
            months=months,
            strategies=strategies,
            ranking=rank(strategies),
        )

    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per strategy: outcome probabilities, their standard errors (``se_``) and
        the means of capability (kg), concessions (shares) and clandestine months."""
        rows = []
        for name, r in self.strategies.items():
            row: dict[str, Any] = {"strategy": name}
            row.update(r.outcome_probabilities())
            row.update({f"se_{k}": v for k, v in r.standard_errors().items()})
            row["capability_end_kg_mean"] = r.capability_kg.end.mean
            row["capability_peak_kg_mean"] = r.capability_kg.peak.mean
            row["concessions_paid_mean"] = r.concessions_paid.mean
            row["concessions_to_cheaters_mean"] = r.concessions_to_cheaters.mean
            row["clandestine_months_mean"] = r.clandestine_months.mean
            rows.append(row)
        return rows

    def summary_frame(self) -> pd.DataFrame:
        """:meth:`summary_rows` as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows())

    def to_frame(self) -> pd.DataFrame:
        """Outcome probabilities over time, long format: one row per strategy, month (0–T),
        outcome and ``measure``, with ``probability`` and its ``standard_error``.

        ``measure`` is ``"state at month t"`` for every outcome (the share of runs in that
        state at the end of the month; these sum to 1 each month) and, for the outcomes of
        :data:`CUMULATIVE_OUTCOMES`, also ``"reached by month t"`` (the share that has
        entered it at least once by then; never falls). Only on a simulated result (the
        JSON holds no per-month curves)."""
        import pandas as pd

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


def rank(strategies: dict[str, StrategyResult]) -> tuple[RankedStrategy, ...]:
    """Strategies ranked by P(verified CVID), with Monte Carlo uncertainty (see
    :class:`RankedStrategy`)."""
    rows: list[dict[str, Any]] = []
    for name, r in strategies.items():
        rows.append(
            {
                "strategy": name,
                "verified_cvid": r.outcomes.verified_cvid,
                "standard_error": r.outcome_standard_errors.verified_cvid,
                "reachable": not r.unreachable,
                "unreachable": list(r.unreachable),
            }
        )
    rows.sort(key=lambda x: (not x["reachable"], -float(x["verified_cvid"])))
    number = 0
    previous: dict[str, Any] | None = None
    for row in rows:
        if previous is None or not _tied(previous, row):
            number += 1
        row["rank"] = number
        previous = row
    for row in rows:
        row["tied_with"] = [
            o["strategy"] for o in rows if o is not row and o["rank"] == row["rank"]
        ]
    return tuple(RankedStrategy.model_validate(row) for row in rows)


def _tied(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two reachable strategies differ by less than two standard errors of the
    difference (independent-sample bound; common random numbers make it conservative)."""
    if a["reachable"] != b["reachable"]:
        return False
    if not a["reachable"]:
        return True
    se = float(np.sqrt(a["standard_error"] ** 2 + b["standard_error"] ** 2))
    return bool(abs(a["verified_cvid"] - b["verified_cvid"]) <= 2.0 * se)


# ----------------------------------------------------------------------------- sensitivity


class MorrisIndex(Result):
    """Morris elementary-effect indices of one parameter (Campolongo et al. 2007), and the
    output at the parameter's low and high end with the others at the scenario's values."""

    parameter: str
    mu_star: float = Field(description="Mean absolute elementary effect μ*")
    mu_star_conf: float = Field(description="Bootstrap 95% half-width of μ*")
    mu: float = Field(description="Mean elementary effect μ")
    sigma: float = Field(description="Standard deviation of the elementary effects σ")
    low: float = Field(description="Output at the low end of the range")
    high: float = Field(description="Output at the high end of the range")
    rank: int = Field(description="1 = largest μ*")


class SensitivityResult(Result):
    """Morris indices per strategy and parameter, and the one-at-a-time swings: the JSON of
    ``cvid simulate --sensitivity --json``::

        {"scenario", "output", "runs", "trajectories", "parameters": {NAME: [lo, hi]},
         "base": {STRATEGY: value}, "indices": {STRATEGY: [{"parameter", "mu_star",
         "mu_star_conf", "mu", "sigma", "low", "high", "rank"}]}}

    Schema: ``schema/simulate-sensitivity.schema.json``."""

    scenario: str
    output: str = Field(description="The outcome probability or mean analysed")
    runs: int = Field(description="Runs per point")
    trajectories: int
    parameters: dict[str, tuple[float, float]] = Field(description="Range of each parameter")
    base: dict[str, float] = Field(description="Output of each strategy at the scenario's values")
    indices: dict[str, tuple[MorrisIndex, ...]] = Field(
        description="Per strategy, the parameters ranked by μ*"
    )


# ----------------------------------------------------------------------------------- sweep


@dataclass(frozen=True)
class Axis:
    """One varied parameter: its name and the values of the grid."""

    name: str
    values: tuple[float, ...]


class SweepRow(Result):
    """One grid point and strategy of a sweep: the varied parameters' values (extra keys,
    by parameter name), the outcome probabilities, their standard errors and the means."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, float] = Field(init=False)

    strategy: str
    running: float
    verified_cvid: float
    breakdown: float
    stalemate: float
    exposed: float
    conflict: float
    se_running: float
    se_verified_cvid: float
    se_breakdown: float
    se_stalemate: float
    se_exposed: float
    se_conflict: float
    capability_end_kg_mean: float
    capability_peak_kg_mean: float
    concessions_paid_mean: float
    concessions_to_cheaters_mean: float
    clandestine_months_mean: float


class SweepResult(Result):
    """A sweep's table (one row per grid point and strategy) and its settings: the JSON of
    ``cvid sweep --json``, ``{"scenario", "seed", "runs", "months", "parameters": {NAME:
    [values]}, "rows": [{PARAM..., "strategy", "verified_cvid", ..., "se_<outcome>"...,
    means...}]}``. Schema: ``schema/sweep.schema.json``."""

    scenario: str
    seed: int
    runs: int = Field(description="Runs per grid point")
    months: int
    parameters: dict[str, tuple[float, ...]] = Field(description="Grid values of each parameter")
    rows: tuple[SweepRow, ...]

    @property
    def axes(self) -> tuple[Axis, ...]:
        """The varied parameters, in the order given."""
        return tuple(Axis(name, values) for name, values in self.parameters.items())

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame: the varied parameters (last given first), then the
        columns of :meth:`SimulationResult.summary_rows`."""
        import pandas as pd

        columns = [*reversed(self.parameters), *SweepRow.model_fields]
        return pd.DataFrame([row.model_dump() for row in self.rows], columns=columns)


__all__ = [
    "CUMULATIVE_OUTCOMES",
    "Axis",
    "ByType",
    "MorrisIndex",
    "RankedStrategy",
    "SensitivityResult",
    "SimulationResult",
    "StrategyResult",
    "SweepResult",
    "SweepRow",
    "rank",
]
