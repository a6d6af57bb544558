"""Drawers of the agreement's schedule: lesson 1's commitment timeline against the Libya
benchmark and lesson 2's concessions against verified milestones."""

from __future__ import annotations

from typing import Any

import numpy as np

from cvid.assess.figures.model import FigureData, num
from cvid.assess.figures.palette import COMMITMENT_GROUPS, GREY, OKABE_ITO, new_figure

_C = OKABE_ITO


def draw_timeline(fd: FigureData) -> Any:
    d = fd.data
    rows = d["commitments"]
    fig = new_figure(7.5, max(2.4, 0.34 * len(rows) + 1.3))
    ax = fig.subplots()
    bench = d["libya_benchmark_months"]
    ax.axvspan(0, bench, color=GREY, alpha=0.18, lw=0)
    ax.text(
        bench,
        -0.75,
        f" Libya benchmark: {num(bench)} months",
        va="bottom",
        ha="left",
        fontsize=8,
        color="#404040",
    )
    ys = np.arange(len(rows))
    for y, r in zip(ys, rows, strict=True):
        _, colour = COMMITMENT_GROUPS[r["group"]]
        width = max(r["deadline_month"] - r["start_month"], 0.15)
        ax.barh(
            y,
            width,
            left=r["start_month"],
            height=0.55,
            color=colour if r["verified"] else "white",
            edgecolor=colour,
            hatch="" if r["verified"] else "///",
            lw=1.2,
        )
        ax.plot(
            [r["deadline_month"]],
            [y],
            marker="D" if r["verified"] else "o",
            ms=6,
            mfc="black" if r["verified"] else "white",
            mec="black",
            lw=0,
        )
        label = ", ".join(r["verification"]) if r["verified"] else "no verification"
        ax.annotate(
            label,
            (r["deadline_month"], y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="#333333",
        )
    done = d["verified_completion_months"]
    if done is not None:
        ax.axvline(done, color=_C["vermillion"], ls="--", lw=1.2)
    ax.set_yticks(ys, [r["id"] for r in rows])
    ax.invert_yaxis()
    right = max([d["duration_months"], *[r["deadline_month"] for r in rows]]) * 1.3 + 1
    ax.set_xlim(0, right)
    ax.set_ylim(len(rows) - 0.4, -1.0)
    ax.set_xlabel(fd.xlabel)
    ax.set_title(fd.title, loc="left")
    ax.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor=c, edgecolor=c, label=lbl) for lbl, c in COMMITMENT_GROUPS.values()
    ]
    handles += [
        Patch(facecolor="white", edgecolor="#333333", hatch="///", label="no verification"),
        Line2D([], [], marker="D", color="black", lw=0, label="verification point"),
        Patch(facecolor=GREY, alpha=0.3, label="Libya 2003–04 benchmark"),
    ]
    if done is not None:
        handles.append(Line2D([], [], color=_C["vermillion"], ls="--", label="verified completion"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    return fig


def draw_concessions(fd: FigureData) -> Any:
    d = fd.data
    rows = d["concessions"]
    fig = new_figure(7.5, max(3.6, 0.32 * len(rows) + 3.0))
    top, bottom = fig.subplots(
        2, 1, sharex=True, height_ratios=[max(len(rows), 1), 3.2] if rows else [1, 3]
    )
    for y, r in enumerate(rows):
        colour = _C["vermillion"] if r["early"] else _C["bluish_green"]
        if r["verified_month"] is not None and r["verified_month"] != r["month"]:
            top.plot([r["month"], r["verified_month"]], [y, y], color=colour, lw=1.5, alpha=0.7)
        if r["verified_month"] is not None:
            top.plot([r["verified_month"]], [y], marker="|", ms=12, color="black", lw=0)
        top.plot(
            [r["month"]],
            [y],
            marker="X" if r["early"] else "o",
            ms=8,
            color=colour,
            lw=0,
        )
        # Labels of late concessions go to the left so that they stay inside the plot.
        left = r["month"] > 0.5 * d["months"][-1]
        top.annotate(
            r["why"],
            (r["month"], y),
            xytext=(-8 if left else 8, 4),
            textcoords="offset points",
            ha="right" if left else "left",
            fontsize=7,
        )
    for m in d["verified_milestones"]:
        top.axvline(m, color=GREY, lw=0.8, ls=":")
    top.set_yticks(range(len(rows)), [r["id"] for r in rows])
    top.set_ylim(len(rows) - 0.5, -0.7)
    top.grid(axis="y", visible=False)
    top.set_title(fd.title, loc="left")
    from matplotlib.lines import Line2D

    fig.legend(
        handles=[
            Line2D([], [], marker="o", color=_C["bluish_green"], lw=0, label="released after"),
            Line2D([], [], marker="X", color=_C["vermillion"], lw=0, label="released early"),
            Line2D([], [], marker="|", color="black", lw=0, ms=10, label="steps verified"),
            Line2D([], [], color=GREY, ls=":", label="verified milestone"),
        ],
        loc="outside upper center",
        ncol=4,
    )
    t = d["months"]
    bottom.step(
        t,
        d["share_commitments_verified"],
        where="post",
        color=_C["blue"],
        lw=2,
        label="commitments verified (share)",
    )
    bottom.step(
        t,
        d["share_concessions_released"],
        where="post",
        color=_C["vermillion"],
        ls="--",
        lw=1.6,
        label="concessions released (share by count)",
    )
    if d["share_value_released"] is not None:
        bottom.step(
            t,
            d["share_value_released"],
            where="post",
            color=_C["reddish_purple"],
            ls=":",
            lw=1.8,
            label="concessions released (share of value)",
        )
    bottom.set_ylim(-0.03, 1.05)
    bottom.set_ylabel("share (0–1)")
    bottom.set_xlabel(fd.xlabel)
    bottom.legend(loc="lower right")
    return fig
