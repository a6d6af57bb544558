"""The figures' house style: the Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008,
"Color Universal Design"), the colour, hatch and label of every category a figure shows, and
matplotlib's settings for the report. Presentation only: which category an item is in comes
from the lesson results and :mod:`cvid.assess.scope`, never from here."""

from __future__ import annotations

from typing import Any

from cvid.assess.scope import ITEM_STATUS_ORDER, ItemStatus

#: Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_C = OKABE_ITO
#: The neutral grey of benchmarks, reference lines and bands.
GREY = "#8C8C8C"

#: Commitment kinds grouped for the timeline, with the colour of each group.
COMMITMENT_GROUPS: dict[str, tuple[str, str]] = {
    "act": ("declaration, access or disclosure", _C["blue"]),
    "reversible": ("freeze or disable (reversible)", _C["orange"]),
    "irreversible": ("dismantle, remove or destroy (irreversible)", _C["bluish_green"]),
}

#: Names of the simulated strategies in the report.
STRATEGY_LABELS: dict[str, str] = {
    "agreement": "this agreement (its own regime)",
    "libya-model": "Libya model (Libya-model regime)",
}
_STRATEGY_STYLE: dict[str, tuple[str, str]] = {
    "agreement": (_C["blue"], "-"),
    "libya-model": (_C["orange"], "--"),
}
_EXTRA_STYLES: tuple[tuple[str, str], ...] = (
    (_C["bluish_green"], "-."),
    (_C["reddish_purple"], ":"),
    (_C["sky_blue"], "-"),
    (_C["vermillion"], "--"),
)


_ITEM_STYLE: dict[ItemStatus, tuple[str, str, str]] = {
    "irreversible-verified": ("dismantled/removed/destroyed, verified", _C["bluish_green"], ""),
    "irreversible-unverified": ("dismantled/removed/destroyed, unverified", _C["sky_blue"], "//"),
    "reversible-only": ("only frozen, declared or inspected", _C["orange"], "\\\\"),
    "not-covered": ("not covered by any commitment", _C["vermillion"], "xx"),
    "until-found": ("undeclared: covered only once declared or found", _C["reddish_purple"], ".."),
}
#: End-state status of a program item (lesson 4, :data:`cvid.assess.scope.ITEM_STATUS_ORDER`
#: and in its order, best first), with its label, colour and hatch.
ITEM_STATUSES: dict[str, tuple[str, str, str]] = {st: _ITEM_STYLE[st] for st in ITEM_STATUS_ORDER}

#: Compliance statuses (cvid.compliance) with their colour and hatch.
COMPLIANCE_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("#C8C8C8", ""),
    "claimed": (_C["orange"], "//"),
    "verified": (_C["bluish_green"], ""),
    "overdue": (_C["reddish_purple"], "xx"),
    "violated": (_C["vermillion"], ""),
}

#: matplotlib settings of every report figure (text kept as text in the SVG, fixed hash salt
#: so the element ids are the same in every run).
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cvid-report",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
}


def strategy_label(name: str) -> str:
    """The report's name of a simulated strategy (its own name when it has none)."""
    return STRATEGY_LABELS.get(name, name)


def strategy_style(name: str, i: int) -> tuple[str, str]:
    """Colour and line style of the ``i``-th strategy, ``name``."""
    return _STRATEGY_STYLE.get(name, _EXTRA_STYLES[i % len(_EXTRA_STYLES)])


def new_figure(width: float, height: float) -> Any:
    """A blank matplotlib figure of ``width`` × ``height`` inches, constrained layout (no
    pyplot: nothing global, safe in the web service's threads)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")
