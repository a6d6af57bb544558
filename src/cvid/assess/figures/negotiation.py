"""Drawers of the simulation (:mod:`cvid.negotiate`): outcomes over time, capability, and the
concessions paid, per strategy."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from cvid.assess.figures.model import FigureData
from cvid.assess.figures.palette import (
    GREY,
    OKABE_ITO,
    new_figure,
    strategy_label,
    strategy_style,
)
from cvid.negotiate import OUTCOME_LABELS

_C = OKABE_ITO


def draw_outcomes(fd: FigureData) -> Any:
    d = fd.data
    shown = ["verified_cvid", "exposed", "breakdown", "stalemate"]
    if any(v["conflict"]["probability"][-1] > 0 for v in d["strategies"].values()):
        shown.append("conflict")
    fig = new_figure(2.0 * len(shown) + 0.5, 3.1)
    axes = fig.subplots(1, len(shown), sharey=True)
    months = np.asarray(d["months"])
    for ax, outcome in zip(axes, shown, strict=True):
        for i, (name, v) in enumerate(d["strategies"].items()):
            colour, ls = strategy_style(name, i)
            p = np.asarray(v[outcome]["probability"])
            se = np.asarray(v[outcome]["standard_error"])
            ax.fill_between(
                months,
                np.clip(p - 2 * se, 0, 1),
                np.clip(p + 2 * se, 0, 1),
                color=colour,
                alpha=0.2,
                lw=0,
            )
            ax.plot(months, p, color=colour, ls=ls, lw=2, label=strategy_label(name))
        measure = d.get("measures", {}).get(outcome, "")
        head, _, why = OUTCOME_LABELS[outcome].partition(" (")
        why = textwrap.fill(f"({why}", 24) if why else ""
        ax.set_title(f"{head}, {measure}\n{why}".rstrip(), fontsize=7.5)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, months[-1])
    fig.supxlabel(fd.xlabel, fontsize=9)
    axes[0].set_ylabel(fd.ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=len(labels))
    return fig


def draw_capability(fd: FigureData) -> Any:
    d = fd.data["strategies"]
    fig = new_figure(7.0, 1.2 + 0.75 * len(d))
    axes = fig.subplots(1, 2, sharey=True)
    names = list(d)
    for ax, key, title in zip(
        axes, ("end", "peak"), ("at the horizon", "at its peak"), strict=True
    ):
        for i, name in enumerate(names):
            colour, _ = strategy_style(name, i)
            q = d[name][key]
            ax.plot(
                [q["p10"], q["p90"]], [i, i], color=colour, lw=6, alpha=0.45, solid_capstyle="butt"
            )
            ax.plot([q["p50"]], [i], marker="|", ms=16, mew=2.5, color="black", lw=0)
            ax.plot([q["mean"]], [i], marker="D", ms=6, color=colour, mec="black", lw=0)
        ax.set_title(f"capability {title}", fontsize=9)
        ax.set_xlabel(fd.xlabel, fontsize=8)
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(range(len(names)), [strategy_label(n) for n in names])
    axes[0].set_ylim(len(names) - 0.5, -0.5)
    from matplotlib.lines import Line2D

    fig.legend(
        handles=[
            Line2D([], [], color=GREY, lw=6, alpha=0.6, label="p10–p90"),
            Line2D([], [], marker="|", ms=12, mew=2.5, color="black", lw=0, label="median"),
            Line2D([], [], marker="D", color=GREY, mec="black", lw=0, label="mean"),
        ],
        loc="outside upper center",
        ncol=3,
    )
    return fig


def draw_concessions_paid(fd: FigureData) -> Any:
    d = fd.data["strategies"]
    names = list(d)
    fig = new_figure(6.5, 1.2 + 0.7 * len(d))
    ax = fig.subplots()
    y = np.arange(len(names))
    h = 0.36
    paid = [d[n]["paid_mean"] for n in names]
    cheat = [d[n]["to_cheaters_mean"] for n in names]
    ax.barh(
        y - h / 2,
        paid,
        height=h,
        color=_C["sky_blue"],
        label="paid (all counterparts)",
        xerr=[2 * d[n]["paid_standard_error"] for n in names],
    )
    ax.barh(
        y + h / 2,
        cheat,
        height=h,
        color=_C["vermillion"],
        hatch="//",
        edgecolor="white",
        label="paid to a state that cheats",
        xerr=[2 * d[n]["to_cheaters_standard_error"] for n in names],
    )
    ax.set_yticks(y, [strategy_label(n) for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(fd.xlabel)
    ax.grid(axis="y", visible=False)
    ax.set_title(fd.title, loc="left")
    ax.legend(loc="lower right")
    return fig
