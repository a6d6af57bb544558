"""Drawer of lesson 4's end state: the items in scope per category, stacked by how far the
agreement takes them (statuses from the lesson, :mod:`cvid.assess.scope`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from cvid.assess.figures.model import FigureData
from cvid.assess.figures.palette import ITEM_STATUSES, new_figure


def draw_end_state(fd: FigureData) -> Any:
    d = fd.data
    cats = d["categories"]
    fig = new_figure(6.0, 2.8)
    ax = fig.subplots()
    left = np.zeros(len(cats))
    for st, (label, colour, hatch) in ITEM_STATUSES.items():
        vals = np.asarray(d["counts"][st], dtype=float)
        ax.barh(
            cats,
            vals,
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="white" if not hatch else "#333333",
            lw=0.6,
            label=label,
        )
        left += vals
    ax.invert_yaxis()
    ax.set_xlabel(fd.xlabel)
    ax.set_title(fd.title, loc="left")
    ax.grid(axis="y", visible=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.legend(loc="outside lower center", ncol=2)
    return fig
