"""Drawer of the compliance timeline: each commitment's status over time from the evidence
ledger (:mod:`cvid.compliance`), against its deadline."""

from __future__ import annotations

from typing import Any

from cvid.assess.figures.model import FigureData
from cvid.assess.figures.palette import COMPLIANCE_STATUSES, GREY, new_figure


def draw_compliance(fd: FigureData) -> Any:
    rows = fd.data["commitments"]
    fig = new_figure(7.5, max(2.2, 0.34 * len(rows) + 1.4))
    ax = fig.subplots()
    for y, r in enumerate(rows):
        for seg in r["segments"]:
            colour, hatch = COMPLIANCE_STATUSES.get(seg["status"], (GREY, ""))
            ax.barh(
                y,
                max(seg["end"] - seg["start"], 0.05),
                left=seg["start"],
                height=0.55,
                color=colour,
                hatch=hatch,
                edgecolor="white" if not hatch else "#333333",
                lw=0.5,
            )
        if r["deadline_month"] is not None:
            ax.plot([r["deadline_month"]], [y], marker="|", ms=14, mew=2, color="black", lw=0)
    ax.set_yticks(range(len(rows)), [r["id"] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, fd.data["end_month"])
    ax.set_xlabel(fd.xlabel)
    ax.set_title(fd.title, loc="left")
    ax.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor=c, hatch=h, edgecolor="#333333" if h else c, label=name)
        for name, (c, h) in COMPLIANCE_STATUSES.items()
    ]
    handles.append(Line2D([], [], marker="|", ms=10, mew=2, color="black", lw=0, label="deadline"))
    fig.legend(handles=handles, loc="outside lower center", ncol=6)
    return fig
