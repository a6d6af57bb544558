"""The report's figures: the data behind each plot, and the plot drawn as accessible inline SVG.

Each figure is built in two steps. A builder of :mod:`~cvid.assess.figures.data` turns the
scenario and what the assessment found (lesson results, the curves of :mod:`cvid.verify`, a
:class:`cvid.negotiate.SimulationResult`, a compliance state) into a :class:`FigureData`
(JSON-ready numbers, the scenario fields they depend on and the source of the formula).
:func:`render_svg` then draws it with the drawer of its subject and makes it accessible inline
SVG (:mod:`~cvid.assess.figures.svg`) in the colour-blind-safe Okabe–Ito palette
(:mod:`~cvid.assess.figures.palette`). Tests check the data, not the pixels.

* :mod:`~cvid.assess.figures.model` — :class:`FigureData` and the number format;
* :mod:`~cvid.assess.figures.data` — every figure's data;
* :mod:`~cvid.assess.figures.schedule`, :mod:`~cvid.assess.figures.verification`,
  :mod:`~cvid.assess.figures.end_state`, :mod:`~cvid.assess.figures.negotiation`,
  :mod:`~cvid.assess.figures.compliance` — the drawers, by subject;
* :mod:`~cvid.assess.figures.svg` — SVG output and its accessibility.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cvid.assess.figures.compliance import draw_compliance
from cvid.assess.figures.data import (
    capability_data,
    commitment_group,
    compliance_data,
    concessions_data,
    concessions_paid_data,
    end_state_data,
    end_state_items,
    inspections_data,
    notice_data,
    outcomes_data,
    sample_size_data,
    sigma_muf_data,
    site_search_data,
    timeline_data,
)
from cvid.assess.figures.end_state import draw_end_state
from cvid.assess.figures.model import FigureData, num
from cvid.assess.figures.negotiation import draw_capability, draw_concessions_paid, draw_outcomes
from cvid.assess.figures.palette import (
    COMMITMENT_GROUPS,
    COMPLIANCE_STATUSES,
    GREY,
    ITEM_STATUSES,
    OKABE_ITO,
    STRATEGY_LABELS,
    strategy_label,
)
from cvid.assess.figures.schedule import draw_concessions, draw_timeline
from cvid.assess.figures.svg import draw_svg
from cvid.assess.figures.verification import (
    draw_inspections,
    draw_notice,
    draw_sample_size,
    draw_sigma_muf,
    draw_site_search,
)
from cvid.negotiate import OUTCOME_LABELS

#: The drawer of each figure, by figure id.
DRAWERS: dict[str, Callable[[FigureData], Any]] = {
    "compliance-timeline": draw_compliance,
    "lesson1-timeline": draw_timeline,
    "lesson2-concessions": draw_concessions,
    "lesson3-sample-size": draw_sample_size,
    "lesson3-inspections": draw_inspections,
    "lesson3-notice": draw_notice,
    "lesson3-site-search": draw_site_search,
    "lesson3-sigma-muf": draw_sigma_muf,
    "lesson4-end-state": draw_end_state,
    "simulation-outcomes": draw_outcomes,
    "simulation-capability": draw_capability,
    "simulation-concessions": draw_concessions_paid,
}


def render_svg(fd: FigureData, drawer: Callable[[FigureData], Any] | None = None) -> str:
    """The figure as an inline, accessible SVG element (:func:`~cvid.assess.figures.svg.draw_svg`),
    drawn by ``drawer`` or by the drawer of its id (:data:`DRAWERS`)."""
    return draw_svg(fd, drawer or DRAWERS[fd.id])


__all__ = [
    "COMMITMENT_GROUPS",
    "COMPLIANCE_STATUSES",
    "DRAWERS",
    "GREY",
    "ITEM_STATUSES",
    "OKABE_ITO",
    "OUTCOME_LABELS",
    "STRATEGY_LABELS",
    "FigureData",
    "capability_data",
    "commitment_group",
    "compliance_data",
    "concessions_data",
    "concessions_paid_data",
    "end_state_data",
    "end_state_items",
    "inspections_data",
    "notice_data",
    "num",
    "outcomes_data",
    "render_svg",
    "sample_size_data",
    "sigma_muf_data",
    "site_search_data",
    "strategy_label",
    "timeline_data",
]
