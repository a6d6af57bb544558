"""Negotiation strategy simulator: our strategy against a counterpart who may be buying time.

A vectorized Monte Carlo simulation, one month a step (see :mod:`cvid.negotiate.engine` for
the rules). Strategies are presets (``step-by-step``, ``libya-model``, ``freeze-for-freeze``,
``maximum-pressure``), ``agreement`` (what the scenario's own agreement embodies) or
``[[strategies]]`` written in the scenario file.

>>> from cvid.negotiate import simulate
>>> r = simulate("libya-2003", ["agreement", "libya-model"], runs=2000, seed=1)
>>> sorted(r.to_dict()["strategies"])
['agreement', 'libya-model']

``r.to_frame()`` gives outcome probabilities by month (a pandas DataFrame),
``r.summary_frame()`` one row per strategy, :func:`plot_outcomes` and
:func:`plot_capability` matplotlib figures. :func:`sweep` runs the same over a grid
(``["counterpart.prior.sincere=0.1:0.5:5", "detection_probability=0:0.3:4"]``) on Dask and
returns a :class:`SweepResult` whose ``frame`` :func:`write_table` saves as Parquet or CSV and
:func:`plot_surface` draws. Every behavioural parameter is in the scenario (``[counterpart]``,
``[[strategies]]``; see ``cvid scenario schema``); the monthly detection probability comes
from :func:`cvid.verify.monthly_detection_probability` unless given (through the adapter
:mod:`cvid.negotiate.science`). :func:`sensitivity` ranks the behavioural parameters by their
Morris effect on an outcome (SALib) and :func:`plot_tornado` draws it; :func:`explain` says in
one paragraph why the strategies of a result differ.
"""

from __future__ import annotations

from cvid.negotiate.engine import BLOCK_SIZE, OUTCOMES
from cvid.negotiate.explain import explain
from cvid.negotiate.plots import plot_capability, plot_outcomes
from cvid.negotiate.result import OUTCOME_LABELS, SensitivityResult
from cvid.negotiate.science import deterrence_threshold, regime_detection_probability
from cvid.negotiate.sensitivity import (
    DEFAULT_PARAMETERS,
    DEFAULT_SENSITIVITY_RUNS,
    parse_parameter,
    plot_tornado,
    sensitivity,
)
from cvid.negotiate.simulation import (
    DEFAULT_MONTHS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    SimulationResult,
    StrategyResult,
    simulate,
)
from cvid.negotiate.strategies import (
    AGREEMENT,
    LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR,
    LIBYA_MODEL_NOTICE_HOURS,
    PRESETS,
    agreement_strategy,
    libya_model_strategy,
    libya_model_variant,
    preset_strategy,
    resolve_strategy,
    strategy_names,
)
from cvid.negotiate.sweeps import (
    DEFAULT_SWEEP_RUNS,
    DEFAULT_TIMEOUT_S,
    Axis,
    SweepResult,
    parse_vary,
    plot_surface,
    sweep,
    vary_parameters,
    write_table,
)

__all__ = [
    "AGREEMENT",
    "BLOCK_SIZE",
    "DEFAULT_MONTHS",
    "DEFAULT_PARAMETERS",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "DEFAULT_SENSITIVITY_RUNS",
    "DEFAULT_SWEEP_RUNS",
    "DEFAULT_TIMEOUT_S",
    "LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR",
    "LIBYA_MODEL_NOTICE_HOURS",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "PRESETS",
    "Axis",
    "SensitivityResult",
    "SimulationResult",
    "StrategyResult",
    "SweepResult",
    "agreement_strategy",
    "deterrence_threshold",
    "explain",
    "libya_model_strategy",
    "libya_model_variant",
    "parse_parameter",
    "parse_vary",
    "plot_capability",
    "plot_outcomes",
    "plot_surface",
    "plot_tornado",
    "preset_strategy",
    "regime_detection_probability",
    "resolve_strategy",
    "sensitivity",
    "simulate",
    "strategy_names",
    "sweep",
    "vary_parameters",
    "write_table",
]
