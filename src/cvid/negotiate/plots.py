"""Plots of simulated outcomes (matplotlib; figures are returned, not shown)."""

from __future__ import annotations

from typing import Any

import numpy as np

from cvid.negotiate.engine import OUTCOMES
from cvid.negotiate.result import OUTCOME_LABELS
from cvid.negotiate.simulation import SimulationResult


def plot_outcomes(result: SimulationResult) -> Any:
    """One panel per outcome: its probability by month for every strategy, with a ±2 SE band."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 7), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True, sharey=True)
    months = np.arange(result.months + 1)
    for ax, outcome in zip(axes.flat, OUTCOMES, strict=True):
        measure = ""
        for name, r in result.strategies.items():
            measure, p = r.series(outcome)
            se = np.sqrt(p * (1.0 - p) / r.runs)
            (line,) = ax.plot(months, p, label=name)
            ax.fill_between(months, p - 2 * se, p + 2 * se, alpha=0.2, color=line.get_color())
        ax.set_title(f"{OUTCOME_LABELS[outcome]}: {measure}", fontsize="medium")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("month")
    for ax in axes[:, 0]:
        ax.set_ylabel("probability")
    axes[0, 0].legend(fontsize="small")
    fig.suptitle(f"{result.scenario}: outcomes over time ({result.runs:,} runs each)")
    return fig


def plot_capability(result: SimulationResult) -> Any:
    """Distribution of capability (kg of direct-use material) at the horizon per strategy."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    group = 31  # the 1023 bins over (0, bound] shown as 33 wider ones
    for name, r in result.strategies.items():
        s = r.summary
        hi = max(s.capability_hi_kg, 1e-9)
        counts = s.capability_end_hist[1:].reshape(-1, group).sum(axis=1) / r.runs
        edges = np.linspace(0.0, hi, counts.size + 1)
        zero = s.capability_end_hist[0] / r.runs
        (line,) = ax.plot([0.0], [max(zero, 1e-12)], "o", label=f"{name} (share at 0: {zero:.2f})")
        ax.stairs(counts, edges, color=line.get_color())
    ax.set_xlabel("capability at the horizon (kg of direct-use material)")
    ax.set_ylabel("share of runs")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(f"{result.scenario}: capability after {result.months} months")
    return fig
